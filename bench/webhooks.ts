/**
 * `npm run bench:webhooks [-- --instances N]` (one of `npm run bench`): how fast the app acknowledges signed ticket
 * webhooks under a sustained open-loop load — a fixed rate, each request sent at its time
 * whatever the earlier ones are doing, every one a ticket resolved (the heaviest path: receipt,
 * ticket and survey job in one transaction) — next to a raw single-row INSERT of the same events
 * at the same rate, in the same run. See bench/README.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Pool as PgPool } from 'pg';
import { findProjectRoot } from '../src/config/app-config';
import { cleanupStack } from './lib/persistent-db';
import { standardWebhooksSignature } from '../src/modules/tickets/signatures';
import { type CpuUsage, startCpuMeter } from './lib/cpu';
import { connectionsEach, instancesArg, instancesLabel, startInstances } from './lib/instances';
import { type BenchDatabase, provisionDatabase } from './lib/database';
import { api } from './lib/scenario';
import { type PhaseResult, summarise } from './lib/stats';
import { runBench, saveResults } from './lib/results';

const GOAL_P99_MS = 200;

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function readSettings() {
  return {
    rate: intFromEnv('BENCH_WEBHOOK_RATE', 200, 1, 5000),
    seconds: intFromEnv('BENCH_WEBHOOK_SECONDS', 60, 1, 3600),
    warmupSeconds: intFromEnv('BENCH_WEBHOOK_WARMUP_S', 5, 0, 600),
    connections: intFromEnv('BENCH_CONNECTIONS', 64, 1, 1024),
    timeoutMs: intFromEnv('BENCH_TIMEOUT_S', 900, 10, 86_400) * 1000,
  };
}
type Settings = ReturnType<typeof readSettings>;

const started = Date.now();
function log(line: string): void {
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Open loop: operation i is due at start + i / rate, and is started then (never later because an
 * earlier one is slow). Its latency counts from when it was due, so a backlog shows as latency
 * (no coordinated omission). Returns when every operation has finished.
 */
async function openLoop(
  count: number,
  rate: number,
  deadline: number,
  operation: (i: number) => Promise<boolean>,
): Promise<{ result: PhaseResult; firstError?: string; lateStartMs: number }> {
  const latencies = new Float64Array(count);
  let failures = 0;
  let firstError: string | undefined;
  let lateStartMs = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 50;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (Date.now() > deadline) throw new Error('the benchmark deadline passed');
    lateStartMs = Math.max(lateStartMs, performance.now() - due);
    pending.push(
      operation(i)
        .then(
          (ok) => {
            if (!ok) failures += 1;
          },
          (error: unknown) => {
            failures += 1;
            firstError ??= error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => {
          latencies[i] = performance.now() - due;
        }),
    );
  }
  await Promise.all(pending);
  const durationMs = performance.now() - start;
  return { result: summarise(latencies, failures, durationMs), firstError, lateStartMs };
}

/** A generic (Standard Webhooks) "ticket resolved" event of its own ticket. */
function eventBody(i: number, prefix: string): string {
  const resolved = new Date(Date.now() - 60_000).toISOString();
  return JSON.stringify({
    id: `evt_${prefix}_${i}`,
    type: 'ticket.resolved',
    occurredAt: resolved,
    ticket: {
      id: `${prefix}-${i}`,
      requester: { email: `requester${i % 5000}@example.com` },
      assignee: { email: 'agent@example.com' },
      group: { id: 'service-desk', name: 'Service Desk' },
      category: ['Laptop', 'Access', 'Printer', 'Wi-Fi'][i % 4],
      priority: ['low', 'normal', 'high'][i % 3],
      channel: 'portal',
      createdAt: new Date(Date.now() - 3_600_000 - (i % 600) * 60_000).toISOString(),
      firstResponseAt: new Date(Date.now() - 3_000_000).toISOString(),
      resolvedAt: resolved,
    },
  });
}

async function main(): Promise<number> {
  const { count: instances, rest } = instancesArg(process.argv.slice(2));
  if (rest.length > 0)
    throw new Error(`unknown arguments ${rest.join(' ')} (known: --instances N)`);
  const settings: Settings = readSettings();
  const deadline = Date.now() + settings.timeoutMs;
  const projectRoot = findProjectRoot(__dirname);
  const cleanup = cleanupStack(() => undefined);

  try {
    const db: BenchDatabase = await provisionDatabase(log);
    cleanup.push('remove the benchmark database', () => db.close());
    log(`starting the app (node dist/src/main.js): ${instancesLabel(instances)}`);
    const app = await startInstances({
      count: instances,
      projectRoot,
      databaseUrl: db.url,
      appSecret: randomBytes(48).toString('base64url'),
      readyTimeoutMs: 90_000,
    });
    cleanup.push('stop the app', () => app.stop());
    log(`app ready (pid ${app.pids.join(', ')})`);

    const pg = new PgPool({
      connectionString: db.url,
      max: settings.connections,
      application_name: 'inpulse-bench',
    });
    pg.on('error', (error) => log(`bench connection: ${error.message}`));
    cleanup.push('close the bench connections', () => pg.end());
    // The load balancer: the connections spread over the instances, requests round-robin.
    const http = app.http({
      connections: connectionsEach(settings.connections, instances),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    cleanup.push('close the HTTP pool', () => http.close());
    const apiToken = `inp_${randomBytes(32).toString('base64url')}`;
    await pg.query(
      `INSERT INTO api_token (name, token_hash, prefix, scopes) VALUES ('bench', $1, $2, '{admin}')`,
      [createHash('sha256').update(apiToken).digest(), apiToken.slice(0, 12)],
    );
    const { rows: server } = await pg.query<{ version: string; sc: string }>(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sc`,
    );

    log('creating a team and a generic integration through the API');
    await api(http, apiToken, 'POST', '/api/v1/teams', {
      slug: 'bench-service-desk',
      name: 'Bench Service Desk',
    });
    const { integration, secret } = await api<{ integration: { id: string }; secret: string }>(
      http,
      apiToken,
      'POST',
      '/api/v1/integrations',
      { kind: 'generic', name: 'Bench source', defaultTeam: 'bench-service-desk' },
    );
    const path = `/webhooks/${integration.id}`;
    const deliver = async (body: string, id: string): Promise<boolean> => {
      const ts = Math.floor(Date.now() / 1000);
      const res = await http.request({
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': standardWebhooksSignature(secret, id, ts, body),
        },
        body,
      });
      await res.body.dump();
      if (res.statusCode !== 202) throw new Error(`answered ${res.statusCode}`);
      return true;
    };
    const guard = <T>(work: Promise<T>) => Promise.race([work, app.exited]);

    const warmup = settings.rate * settings.warmupSeconds;
    if (warmup > 0) {
      log(`warm-up: ${warmup} webhooks at ${settings.rate}/s`);
      const bodies = Array.from({ length: warmup }, (_, i) => eventBody(i, 'WARM'));
      const warm = await guard(
        openLoop(warmup, settings.rate, deadline, (i) => deliver(bodies[i], `warm_${i}`)),
      );
      if (warm.result.failures > 0)
        throw new Error(`warm-up: ${warm.result.failures} failed (${warm.firstError})`);
    }

    const count = settings.rate * settings.seconds;
    const bodies = Array.from({ length: count }, (_, i) => eventBody(i, 'TKT'));
    log(
      `measuring: ${count} signed webhooks, distinct tickets, at ${settings.rate}/s for ${settings.seconds} s`,
    );
    const postgresPid = await db.postmasterPid();
    const cpuApp = startCpuMeter(cpus().length, { app: app.pids, postgres: postgresPid });
    const project = await guard(
      openLoop(count, settings.rate, deadline, (i) => deliver(bodies[i], `msg_${i}`)),
    );
    const cpuProject: CpuUsage = cpuApp();
    log(
      `webhooks (${instancesLabel(instances)}): p50 ${fmt(project.result.p50Ms)} ms, p99 ${fmt(project.result.p99Ms)} ms, ` +
        `${project.result.failures} failed${project.firstError ? ` (${project.firstError})` : ''}`,
    );
    // Every delivery (warm-up ones too) made one ticket and one survey job.
    const { rows: stored } = await pg.query<{ tickets: number; jobs: number }>(
      `SELECT (SELECT count(*)::int FROM ticket_event WHERE external_ticket_id LIKE 'TKT-%') AS tickets,
              (SELECT count(*)::int FROM pgboss.job WHERE name = 'ticket.survey') - $1 AS jobs`,
      [warmup],
    );
    log(`stored: ${stored[0].tickets} tickets, ${stored[0].jobs} survey jobs`);

    // Baseline: the rows the app wrote, inserted again one autocommit INSERT each, same rate.
    const { rows } = await pg.query(
      `SELECT * FROM ticket_event WHERE external_ticket_id LIKE 'TKT-%' ORDER BY received_at`,
    );
    await pg.query('DROP TABLE IF EXISTS bench_ticket_raw');
    await pg.query('CREATE TABLE bench_ticket_raw (LIKE ticket_event INCLUDING ALL)');
    const columns = Object.keys(rows[0] ?? {}).filter((c) => c !== 'id');
    const insert = `INSERT INTO bench_ticket_raw (${columns.join(', ')})
      VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
    log(`baseline: ${rows.length} raw single-row INSERTs of the same events at ${settings.rate}/s`);
    const cpuRaw = startCpuMeter(cpus().length, { postgres: postgresPid });
    const raw = await openLoop(rows.length, settings.rate, deadline, async (i) => {
      await pg.query({
        name: 'bench_raw_insert',
        text: insert,
        values: columns.map((c) => rows[i][c]),
      });
      return true;
    });
    const cpuBaseline: CpuUsage = cpuRaw();

    const p99Ratio = project.result.p99Ms / raw.result.p99Ms;
    const goalMet =
      project.result.p99Ms < GOAL_P99_MS &&
      project.result.failures === 0 &&
      stored[0].tickets === count &&
      stored[0].jobs === count;
    console.log('');
    console.log(
      `Webhooks: ${count} signed "ticket resolved" deliveries (distinct tickets), open loop at ` +
        `${settings.rate}/s for ${settings.seconds} s, ${settings.connections} connections, ` +
        `${instancesLabel(instances)}; ` +
        `latency from each request's due time`,
    );
    const table = [
      ['', 'per second', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'failed'],
      ...(
        [
          ['project: POST /webhooks/:id → 202 (verify, parse, store + job)', project.result],
          ['baseline: raw single-row INSERT of the same events', raw.result],
        ] as const
      ).map(([label, r]) => [
        label,
        fmt(r.perSecond),
        fmt(r.p50Ms),
        fmt(r.p90Ms),
        fmt(r.p99Ms),
        fmt(r.maxMs),
        String(r.failures),
      ]),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    for (const r of table)
      console.log(
        r
          .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
          .join('   '),
      );
    console.log(
      `p99 ratio project/raw: ${fmt(p99Ratio)}×   goal "p99 < ${GOAL_P99_MS} ms at ${settings.rate}/s, ` +
        `every event and job stored": ${goalMet ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `CPU % of one core while measuring: app ${cpuProject.appPct ?? 'n/a'}, PostgreSQL ` +
        `${cpuProject.postgresPct ?? 'n/a'}, bench ${cpuProject.benchPct}, others ` +
        `${cpuProject.otherPct ?? 'n/a'}; app loop waiting for a CPU ${cpuProject.appMainThreadWaitPct ?? 'n/a'}% ` +
        `of the time, PostgreSQL ${cpuProject.postgresWaitPct ?? 'n/a'}% ` +
        `(baseline: PostgreSQL ${cpuBaseline.postgresPct ?? 'n/a'}, ` +
        `bench ${cpuBaseline.benchPct}); the generator started at most ` +
        `${fmt(project.lateStartMs)} ms late`,
    );
    console.log('');

    const results = {
      benchmark: 'webhooks',
      finishedAt: new Date().toISOString(),
      instances,
      settings,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      database: { kind: db.kind, version: server[0].version, synchronousCommit: server[0].sc },
      project: { ...project.result, stored: stored[0], lateStartMs: project.lateStartMs },
      baseline: raw.result,
      ratios: { p99: p99Ratio, p50: project.result.p50Ms / raw.result.p50Ms },
      cpu: { project: cpuProject, baseline: cpuBaseline },
      goal: { text: `p99 < ${GOAL_P99_MS} ms at ${settings.rate}/s`, met: goalMet },
    };
    await saveResults(projectRoot, 'webhooks.json', results, log);
    if (project.result.failures > 0 || stored[0].tickets !== count) {
      console.error('bench: some webhooks failed or were not stored');
      return 1;
    }
    return 0;
  } finally {
    log('stopping the app and the database');
    await cleanup.run();
  }
}

runBench('bench:webhooks', main);
