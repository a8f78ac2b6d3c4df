import { instancesLabel } from './instances';
import { activityLine, type ActivitySummary } from './pg-activity';
import type { CpuUsage } from './cpu';
import type { PhaseResult } from './stats';

/** The printed table of bench/submit.ts. */

export const SUBMIT_GOAL = 0.5;

export interface SubmitSettings {
  responses: number;
  warmup: number;
  connections: number;
  timeoutMs: number;
  instances: number;
}

export interface SubmitRun extends PhaseResult {
  statuses: Record<string, number>;
}

function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

function cpuTable(cpu: { project: CpuUsage; baseline: CpuUsage }): string[] {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${v}%`);
  const head = [
    `CPU, % of one core (${cpu.project.cores} cores = ${cpu.project.cores * 100}%)`,
    'app',
    '(in kernel)',
    'PostgreSQL',
    'bench',
    'others',
    'machine',
    'app loop waits for CPU',
    'PG waits for CPU',
  ];
  const row = (name: string, c: CpuUsage) => [
    name,
    pct(c.appPct),
    pct(c.appSystemPct),
    pct(c.postgresPct),
    pct(c.benchPct),
    pct(c.otherPct),
    pct(c.machinePct),
    pct(c.appMainThreadWaitPct),
    pct(c.postgresWaitPct),
  ];
  const rows = [
    head,
    row('  during the submit run', cpu.project),
    row('  during the raw inserts', cpu.baseline),
  ];
  const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '),
  );
}

export function printTable(
  settings: SubmitSettings,
  project: SubmitRun,
  baseline: PhaseResult,
  ratio: number,
  cpu: { project: CpuUsage; baseline: CpuUsage },
  connections: { project: ActivitySummary; baseline: ActivitySummary },
): void {
  const rows = [
    ['', 'per second', 'p50 ms', 'p99 ms', 'failed'],
    [
      'project: POST /s/<token>',
      fmt(project.perSecond),
      fmt(project.p50Ms, 2),
      fmt(project.p99Ms, 2),
      `${project.failures} non-200`,
    ],
    [
      'baseline: raw INSERT',
      fmt(baseline.perSecond),
      fmt(baseline.p50Ms, 2),
      fmt(baseline.p99Ms, 2),
      String(baseline.failures),
    ],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ');
  const verdict = ratio >= SUBMIT_GOAL ? 'MET' : 'NOT MET';
  console.log('');
  console.log(
    `Submit path: ${settings.responses} responses (each token once) at ${settings.connections} connections, ` +
      `after ${settings.warmup} warm-up, on ${instancesLabel(settings.instances)}`,
  );
  console.log(line(rows[0]));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(
    `ratio project/baseline: ${(ratio * 100).toFixed(1)}%   goal "submit path ≥ ${SUBMIT_GOAL * 100}% of raw": ${verdict}`,
  );
  for (const text of cpuTable(cpu)) console.log(text);
  console.log(`app DB connections (submit run): ${activityLine(connections.project)}`);
  console.log(`bench DB connections (raw inserts): ${activityLine(connections.baseline)}`);
  if (project.failures > 0) console.log(`answers by status: ${JSON.stringify(project.statuses)}`);
  console.log('');
}
