/**
 * `npm run bench:tickets` (one of `npm run bench`): a bulk close — 10,000 tickets resolved at
 * once, their surveys all due — and how long one instance's job workers take to decide every one
 * (requester known and sampled in, throttle and fatigue budget checked, the decision written,
 * the requester erased, the job deleted). Beside it, the same writes done raw: per ticket one
 * transaction that marks it decided, writes a hand-over row and deletes its job, on as many
 * connections as the workers use. The goal of issue 12: under a minute for 10,000.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Pool as PgPool } from 'pg';
import { Pool } from 'undici';
import { findProjectRoot } from '../src/config/app-config';
import { standardWebhooksSignature } from '../src/modules/tickets/signatures';
import { surveyJobId } from '../src/modules/tickets/survey-jobs';
import { type AppProcess, startApp } from './lib/app-process';
import { type BenchDatabase, provisionDatabase } from './lib/database';
import { freePort } from './lib/net';
import { cleanupStack } from './lib/persistent-db';
import { runBench, saveResults } from './lib/results';
import { api } from './lib/scenario';

const GOAL_SECONDS = 60;
/** The workers' parallelism (2 workers × 4 at a time, see TicketSurveysService). */
const RAW_CONNECTIONS = 8;

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
}

const started = Date.now();
function log(line: string): void {
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

async function eachWithConcurrency<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

async function main(): Promise<number> {
  const tickets = intFromEnv('BENCH_TICKETS', 10_000, 10, 1_000_000);
  const projectRoot = findProjectRoot(__dirname);
  const cleanup = cleanupStack(() => undefined);
  const appSecret = randomBytes(48).toString('base64url');
  try {
    const db: BenchDatabase = await provisionDatabase(log);
    cleanup.push('remove the benchmark database', () => db.close());
    log('starting an instance without job workers, to receive the webhooks');
    const web: AppProcess = await startApp({
      projectRoot,
      databaseUrl: db.url,
      port: await freePort(),
      appSecret,
      readyTimeoutMs: 90_000,
    });
    cleanup.push('stop the web instance', () => web.stop());
    const pg = new PgPool({ connectionString: db.url, max: RAW_CONNECTIONS + 2 });
    pg.on('error', (error) => log(`bench connection: ${error.message}`));
    cleanup.push('close the bench connections', () => pg.end());
    const http = new Pool(web.baseUrl, { connections: 32 });
    cleanup.push('close the HTTP pool', () => http.close());

    const apiToken = `inp_${randomBytes(32).toString('base64url')}`;
    await pg.query(
      `INSERT INTO api_token (name, token_hash, prefix, scopes) VALUES ('bench', $1, $2, '{admin}')`,
      [createHash('sha256').update(apiToken).digest(), apiToken.slice(0, 12)],
    );
    await pg.query(
      `INSERT INTO employee (email, name, locale) SELECT 'req' || g || '@bench.example', 'Requester ' || g, 'en'
         FROM generate_series(0, $1 - 1) g`,
      [tickets],
    );
    await api(http, apiToken, 'POST', '/api/v1/teams', { slug: 'bench-desk', name: 'Bench Desk' });
    const { integration, secret } = await api<{ integration: { id: string }; secret: string }>(
      http,
      apiToken,
      'POST',
      '/api/v1/integrations',
      { kind: 'generic', name: 'Bench source', defaultTeam: 'bench-desk', delayMinutes: 0 },
    );

    log(`${tickets} tickets resolved (signed webhooks, 32 at a time), every survey due at once`);
    const resolved = new Date(Date.now() - 60_000).toISOString();
    const created = new Date(Date.now() - 7_200_000).toISOString();
    await eachWithConcurrency(
      Array.from({ length: tickets }, (_, i) => i),
      32,
      async (i) => {
        const body = JSON.stringify({
          id: `evt_${i}`,
          type: 'ticket.resolved',
          occurredAt: resolved,
          ticket: {
            id: `BULK-${i}`,
            requester: { email: `req${i}@bench.example` },
            group: { name: 'Service Desk' },
            createdAt: created,
            resolvedAt: resolved,
          },
        });
        const ts = Math.floor(Date.now() / 1000);
        const res = await http.request({
          method: 'POST',
          path: `/webhooks/${integration.id}`,
          headers: {
            'content-type': 'application/json',
            'webhook-id': `msg_${i}`,
            'webhook-timestamp': String(ts),
            'webhook-signature': standardWebhooksSignature(secret, `msg_${i}`, ts, body),
          },
          body,
        });
        await res.body.dump();
        if (res.statusCode !== 202) throw new Error(`webhook ${i} answered ${res.statusCode}`);
      },
    );
    const pending = async () =>
      Number(
        (
          await pg.query<{ n: string }>(
            `SELECT count(*) AS n FROM ticket_event WHERE survey_state = 'pending'`,
          )
        ).rows[0].n,
      );
    if ((await pending()) !== tickets) throw new Error('not every ticket has a pending survey');

    log('starting an instance with job workers: it decides the due surveys');
    const t0 = performance.now();
    const workers = await startApp({
      projectRoot,
      databaseUrl: db.url,
      port: await freePort(),
      appSecret,
      readyTimeoutMs: 90_000,
      env: { JOB_WORKERS: 'true' },
    });
    cleanup.push('stop the worker instance', () => workers.stop());
    const readyMs = performance.now() - t0;
    const deadline = Date.now() + 30 * 60_000;
    let left = await pending();
    while (left > 0) {
      if (Date.now() > deadline) throw new Error(`${left} surveys still pending after 30 minutes`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), workers.exited]);
      left = await pending();
    }
    const projectMs = performance.now() - t0;
    const { rows: outcome } = await pg.query<{ state: string; n: number }>(
      `SELECT survey_state AS state, count(*)::int AS n FROM ticket_event GROUP BY 1 ORDER BY 1`,
    );
    const { rows: jobsLeft } = await pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ticket.survey'`,
    );
    log(
      `decided in ${(projectMs / 1000).toFixed(1)} s (instance ready after ${(readyMs / 1000).toFixed(1)} s): ` +
        outcome.map((o) => `${o.state} ${o.n}`).join(', ') +
        `; survey jobs left ${jobsLeft[0].n}`,
    );
    await workers.stop();

    // Baseline: the decision's writes, raw, one transaction per ticket, same parallelism.
    const { rows: ids } = await pg.query<{ id: string }>(`SELECT id FROM ticket_event`);
    await pg.query(`UPDATE ticket_event SET survey_state = 'pending'`);
    const sealed = randomBytes(300);
    log(`baseline: ${ids.length} raw decision transactions on ${RAW_CONNECTIONS} connections`);
    const r0 = performance.now();
    await eachWithConcurrency(ids, RAW_CONNECTIONS, async ({ id }) => {
      const client = await pg.connect();
      try {
        await client.query('BEGIN');
        await client.query({
          name: 'raw_decide',
          text: `UPDATE ticket_event SET survey_state = 'sent', requester_email_sealed = NULL,
                        requester_external_id_sealed = NULL, updated_at = now()
                  WHERE id = $1 AND survey_state = 'pending'`,
          values: [id],
        });
        await client.query({
          name: 'raw_hand_over',
          text: 'INSERT INTO pending_ticket_invitation (sealed) VALUES ($1)',
          values: [sealed],
        });
        await client.query({
          name: 'raw_job',
          text: `DELETE FROM pgboss.job WHERE name = 'ticket.survey' AND id = $1`,
          values: [surveyJobId(id)],
        });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    const rawMs = performance.now() - r0;

    const met = projectMs / 1000 < GOAL_SECONDS && jobsLeft[0].n === 0;
    console.log('');
    console.log(`Ticket surveys: ${tickets} due at once (a bulk close), decided by one instance`);
    console.log(
      `  project: job workers, start to last decision   ${(projectMs / 1000).toFixed(1)} s   ` +
        `${Math.round(tickets / (projectMs / 1000))}/s (start-up ${(readyMs / 1000).toFixed(1)} s included)`,
    );
    console.log(
      `  baseline: raw decision transactions           ${(rawMs / 1000).toFixed(1)} s   ` +
        `${Math.round(tickets / (rawMs / 1000))}/s`,
    );
    console.log(
      `ratio project/raw: ${(projectMs / rawMs).toFixed(1)}×   goal "10,000 decided in under ` +
        `${GOAL_SECONDS} s": ${tickets === 10_000 ? (met ? 'MET' : 'NOT MET') : 'n/a (BENCH_TICKETS differs)'}`,
    );
    console.log('');
    await saveResults(
      projectRoot,
      'ticket-surveys.json',
      {
        benchmark: 'ticket-surveys',
        finishedAt: new Date().toISOString(),
        tickets,
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        database: db.kind,
        project: { ms: projectMs, readyMs, outcome, jobsLeft: jobsLeft[0].n },
        baseline: { ms: rawMs, connections: RAW_CONNECTIONS },
        ratio: projectMs / rawMs,
        goal: { seconds: GOAL_SECONDS, met },
      },
      log,
    );
    return 0;
  } finally {
    log('stopping the apps and the database');
    await cleanup.run();
  }
}

runBench('bench:tickets', main);
