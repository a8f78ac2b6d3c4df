/**
 * `npm run bench:capacity [-- --instances 1,2,3] [--only submit,webhooks,reports]
 * [--database-url URL] [--duration S] [--quick]`: the capacity table of docs/deployment.md — the submit,
 * webhook and report benchmarks run at 1, 2 and 3 app instances (N − 1 web-only + 1 with the
 * workers, the load generator spreading its connections round-robin over them), each figure
 * beside its raw-PostgreSQL baseline measured in the same run. Each run is the benchmark's own
 * script (`--instances N`); this one reads their results and prints the table. `--quick` runs
 * shorter phases (for trying it out; the README's table comes from a run without it). The
 * reports need a seeded database: `.data/bench-pg` (npm run bench:seed) or `--database-url`;
 * `--duration` is their seconds per phase (default 20).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { findProjectRoot } from '../src/config/app-config';
import { MAX_INSTANCES } from './lib/instances';
import { parseArgs } from './lib/persistent-db';
import { runBench, saveResults } from './lib/results';

const BENCHES = ['submit', 'webhooks', 'reports'] as const;
type Bench = (typeof BENCHES)[number];

/** Shorter phases for --quick (environment of the benchmarks' own settings). */
const QUICK_ENV: Record<string, string> = {
  BENCH_RESPONSES: '5000',
  BENCH_WEBHOOK_SECONDS: '20',
  BENCH_WEBHOOK_WARMUP_S: '3',
};

interface Row {
  instances: number;
  load: { before: number[]; after: number[] };
  submit?: { perSecond: number; rawPerSecond: number; p99Ms: number; otherCpuPct: number | null };
  webhooks?: { p99Ms: number; rawP99Ms: number; rate: number; failures: number };
  reports?: { teamP95Ms: number; rawTeamP95Ms: number; perSecond: number; responses: number };
}

function list<T extends string>(raw: string | true | undefined, all: readonly T[], what: string) {
  if (raw === undefined) return [...all];
  const items = String(raw).split(',');
  const unknown = items.filter((x) => !all.includes(x as T));
  if (unknown.length > 0) throw new Error(`${what}: unknown ${unknown.join(', ')}`);
  return items as T[];
}

function run(script: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, script), ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The parts of the benchmarks' result files (bench/results/*.json) the table reads. */
interface SubmitResults {
  project: { perSecond: number; p99Ms: number };
  baseline: { perSecond: number };
  cpu: { project: { otherPct: number | null } };
}
interface WebhookResults {
  settings: { rate: number };
  project: { p99Ms: number; failures: number };
  baseline: { p99Ms: number };
}
interface ReportResults {
  data: { responses: number };
  app: { team: { serverP95Ms: number; perSecond: number } };
  raw: { team: { serverP95Ms: number } };
}

async function results<T>(projectRoot: string, file: string): Promise<T> {
  return JSON.parse(await readFile(join(projectRoot, 'bench', 'results', file), 'utf8')) as T;
}

/** The newest bench/results/reports-<responses>.json: the one the run just wrote. */
async function latestReports(projectRoot: string): Promise<ReportResults> {
  const dir = join(projectRoot, 'bench', 'results');
  const files = (await readdir(dir)).filter((f) => /^reports-\d+\.json$/.test(f));
  const dated = await Promise.all(
    files.map(async (f) => ({ f, at: (await stat(join(dir, f))).mtimeMs })),
  );
  const newest = dated.sort((a, b) => b.at - a.at)[0];
  if (!newest) throw new Error('bench:reports left no bench/results/reports-*.json');
  return results<ReportResults>(projectRoot, newest.f);
}

const fmt = (v: number | undefined, d = 1) =>
  v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d);

function printTable(rows: Row[], reportsData: string | undefined): void {
  const head = [
    'instances',
    'submits/s',
    'raw INSERT/s',
    'webhook p99 ms',
    'raw p99 ms',
    'team page p95 ms',
    'raw SQL p95 ms',
    'load avg (1 min) before → after',
  ];
  const table = [
    head,
    ...rows.map((r) => [
      String(r.instances),
      fmt(r.submit?.perSecond, 0),
      fmt(r.submit?.rawPerSecond, 0),
      fmt(r.webhooks?.p99Ms),
      fmt(r.webhooks?.rawP99Ms),
      fmt(r.reports?.teamP95Ms),
      fmt(r.reports?.rawTeamP95Ms),
      `${fmt(r.load.before[0])} → ${fmt(r.load.after[0])}`,
    ]),
  ];
  const widths = head.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  console.log('');
  console.log(
    `Capacity on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB; N instances = N − 1 web-only + 1 with workers`,
  );
  for (const r of table)
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   '),
    );
  const webhookRate = rows.find((r) => r.webhooks)?.webhooks?.rate;
  console.log(
    `submits/s: closed loop, POST /s/<token>; webhook p99: open loop at ${webhookRate ?? '–'}/s, ` +
      `from each request's due time; team page p95: server time (Server-Timing), 10 users ` +
      `in a closed loop${reportsData ? `, on ${reportsData}` : ''}. Raw: the same rows or ` +
      `statements straight to PostgreSQL from the bench, in the same run.`,
  );
  console.log('');
}

async function main(): Promise<number> {
  const projectRoot = findProjectRoot(__dirname);
  const args = parseArgs(process.argv.slice(2), {
    instances: 'value',
    only: 'value',
    'database-url': 'value',
    duration: 'value',
    quick: 'flag',
  });
  const counts = String(args.instances ?? '1,2,3')
    .split(',')
    .map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_INSTANCES))
    throw new Error(`--instances: a list of whole numbers from 1 to ${MAX_INSTANCES}, e.g. 1,2,3`);
  const only: Bench[] = list(args.only, BENCHES, '--only');
  const env = args.quick ? QUICK_ENV : {};
  const reportArgs = [
    ...(typeof args['database-url'] === 'string' ? ['--database-url', args['database-url']] : []),
    ...(typeof args.duration === 'string'
      ? ['--duration', args.duration]
      : args.quick
        ? ['--duration', '10']
        : []),
  ];

  const rows: Row[] = [];
  let reportsData: string | undefined;
  for (const n of counts) {
    const row: Row = { instances: n, load: { before: loadavg(), after: [] } };
    const instances = ['--instances', String(n)];
    console.log(`\n=== capacity: ${n} instance(s) ===\n`);
    if (only.includes('submit')) {
      if ((await run('submit.js', instances, env)) !== 0) return 1;
      const r = await results<SubmitResults>(projectRoot, 'submit.json');
      row.submit = {
        perSecond: r.project.perSecond,
        rawPerSecond: r.baseline.perSecond,
        p99Ms: r.project.p99Ms,
        otherCpuPct: r.cpu.project.otherPct,
      };
    }
    if (only.includes('webhooks')) {
      if ((await run('webhooks.js', instances, env)) !== 0) return 1;
      const r = await results<WebhookResults>(projectRoot, 'webhooks.json');
      row.webhooks = {
        p99Ms: r.project.p99Ms,
        rawP99Ms: r.baseline.p99Ms,
        rate: r.settings.rate,
        failures: r.project.failures,
      };
    }
    if (only.includes('reports')) {
      if ((await run('reports.js', [...instances, ...reportArgs], env)) !== 0) return 1;
      const latest = await latestReports(projectRoot);
      row.reports = {
        teamP95Ms: latest.app.team.serverP95Ms,
        rawTeamP95Ms: latest.raw.team.serverP95Ms,
        perSecond: latest.app.team.perSecond,
        responses: latest.data.responses,
      };
      reportsData = `${latest.data.responses.toLocaleString('en')} responses`;
    }
    row.load.after = loadavg();
    rows.push(row);
  }
  printTable(rows, reportsData);
  await saveResults(
    projectRoot,
    'capacity.json',
    {
      benchmark: 'capacity',
      finishedAt: new Date().toISOString(),
      quick: Boolean(args.quick),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
      rows,
    },
    (line) => console.log(line),
  );
  return 0;
}

runBench('bench:capacity', main);
