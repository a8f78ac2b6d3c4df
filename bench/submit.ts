/**
 * `npm run bench:submit [-- --instances N]` (one of `npm run bench`): how fast the survey submit path (POST /s/<token>) records answers, next to the
 * raw baseline of single-row INSERTs of the same rows into PostgreSQL. See bench/README.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Pool as PgPool } from 'pg';
import { type Dispatcher } from 'undici';
import { createApp } from '../src/app.factory';
import { type AppConfig, findProjectRoot, loadConfig } from '../src/config/app-config';
import { ResponsesService } from '../src/modules/responses/responses.service';
import { cleanupStack } from './lib/persistent-db';
import { startCpuMeter } from './lib/cpu';
import { connectionsEach, instancesArg, instancesLabel, startInstances } from './lib/instances';
import { type BenchDatabase, provisionDatabase } from './lib/database';
import { startActivitySampler } from './lib/pg-activity';
import { formBody, loadScenario, openLinks, type Session } from './lib/scenario';
import { type Limits, runBounded, summarise } from './lib/stats';
import { runBench, saveResults } from './lib/results';
import { printTable, SUBMIT_GOAL, type SubmitRun, type SubmitSettings } from './lib/submit-report';

type Settings = SubmitSettings;

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function readSettings(instances: number): Settings {
  const responses = intFromEnv('BENCH_RESPONSES', 20_000, 1, 200_000);
  return {
    responses,
    warmup: intFromEnv(
      'BENCH_WARMUP',
      Math.min(1000, Math.max(50, Math.round(responses / 10))),
      0,
      50_000,
    ),
    connections: intFromEnv('BENCH_CONNECTIONS', 50, 1, 150),
    timeoutMs: intFromEnv('BENCH_TIMEOUT_S', 600, 10, 86_400) * 1000,
    instances,
  };
}

const started = Date.now();
function log(line: string): void {
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
}

/** Rejects when the app dies, so that no phase waits on a dead server. */
function guarded<T>(app: { exited: Promise<never> }, work: Promise<T>): Promise<T> {
  return Promise.race([work, app.exited]);
}

async function submitAll(
  http: Dispatcher,
  sessions: Session[],
  questions: Parameters<typeof formBody>[1],
  connections: number,
  limits: Limits,
): Promise<SubmitRun> {
  const statuses: Record<string, number> = {};
  const run = await runBounded('submitting', sessions, connections, limits, async (session, i) => {
    let status = 'error';
    try {
      const res = await http.request({
        method: 'POST',
        path: `/s/${session.token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
        body: formBody(session, questions, i),
      });
      await res.body.text();
      status = String(res.statusCode);
    } finally {
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    return status === '200';
  });
  return { ...summarise(run.latencies, run.failures, run.durationMs), statuses };
}

interface RawRow {
  survey_id: string;
  claim_key: Buffer;
  sealed: Buffer;
}

/** One plain single-row INSERT of the row the app wrote, autocommit, into a copy table. */
const RAW_INSERT = `INSERT INTO bench_raw (survey_id, claim_key, sealed) VALUES ($1, $2, $3)`;

async function insertAll(pg: PgPool, rows: RawRow[], connections: number, limits: Limits) {
  const run = await runBounded('raw inserts', rows, connections, limits, async (row) => {
    await pg.query(RAW_INSERT, [row.survey_id, row.claim_key, row.sealed]);
    return true;
  });
  if (run.failures > 0) throw new Error(`${run.failures} raw inserts failed: ${run.firstError}`);
  return summarise(run.latencies, run.failures, run.durationMs);
}

/** Opens every client of the pool before timing, as the app's pool is open by then too. */
async function fillPool(pg: PgPool, size: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: size }, () => pg.connect()));
  for (const client of clients) client.release();
}

const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';

/**
 * The release of every answer submitted, once the survey closes: the app's mixer (open the sealed
 * rows, plan, write responses, segment aggregates and answers, refresh the rollups, mark the
 * invitations answered, delete and vacuum the pending rows) beside one raw transaction that
 * writes as many responses and answers, marks the same invitations and deletes as many rows of a
 * copy of the pending table (the same triggers fire), then vacuums it.
 */
async function measureRelease(
  pg: PgPool,
  databaseUrl: string,
  appSecret: string,
  scenario: { surveyId: string; teamId: string; questions: { nps: string; rating: string } },
  total: number,
): Promise<{ answers: number; projectMs: number; baselineMs: number; ratio: number }> {
  const survey = scenario.surveyId;
  await pg.query(`UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`, [
    survey,
  ]);
  log(`release baseline: ${total} responses in one raw transaction`);
  const client = await pg.connect();
  let baselineMs: number;
  try {
    await client.query(
      'CREATE TABLE bench_release AS SELECT * FROM pending_response WHERE survey_id = $1',
      [survey],
    );
    const started = performance.now();
    await client.query('BEGIN');
    await client.query(
      `WITH made AS (
         INSERT INTO response (id, survey_id, team_id, source, released_on)
         SELECT gen_random_uuid(), $1, $2, 'pulse', current_date FROM generate_series(1, $3)
         RETURNING id)
       INSERT INTO answer (response_id, question_id, score)
       SELECT made.id, q.id, q.score FROM made
        CROSS JOIN (VALUES ($4::uuid, 8::smallint), ($5::uuid, 4::smallint)) AS q(id, score)`,
      [survey, scenario.teamId, total, scenario.questions.nps, scenario.questions.rating],
    );
    await client.query('UPDATE invitation SET answered = true WHERE survey_id = $1', [survey]);
    await client.query('DELETE FROM bench_release');
    await client.query('COMMIT');
    await client.query('VACUUM bench_release');
    baselineMs = performance.now() - started;
    // Back as it was, outside the timing.
    await client.query('DROP TABLE bench_release');
    await client.query('DELETE FROM response WHERE survey_id = $1', [survey]);
    await client.query('UPDATE invitation SET answered = false WHERE survey_id = $1', [survey]);
  } finally {
    client.release();
  }
  log(`release: the app's mixer on the ${total} sealed answers`);
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    APP_SECRET: appSecret,
    DEMO: 'false',
    JOB_WORKERS: 'false',
    LOG_LEVEL: 'warn',
  }) as AppConfig;
  const app = await createApp(config, databaseUrl);
  await app.init();
  try {
    const started = performance.now();
    const written = await app.get(ResponsesService).mix();
    const projectMs = performance.now() - started;
    if (written !== total) throw new Error(`the mixer released ${written} of ${total} answers`);
    const ratio = projectMs / baselineMs;
    log(
      `release of ${total}: app ${fmt(projectMs / 1000, 2)} s, raw ${fmt(baselineMs / 1000, 2)} s (${fmt(ratio, 1)}×)`,
    );
    return { answers: total, projectMs, baselineMs, ratio };
  } finally {
    await app.close();
  }
}

async function main(): Promise<number> {
  const { count, rest } = instancesArg(process.argv.slice(2));
  if (rest.length > 0)
    throw new Error(`unknown arguments ${rest.join(' ')} (known: --instances N)`);
  const settings = readSettings(count);
  let stopReason: string | undefined;
  const limits: Limits = { deadline: Date.now() + settings.timeoutMs, stopped: () => stopReason };
  const projectRoot = findProjectRoot(__dirname);
  const cleanup = cleanupStack((signal) => {
    stopReason = `interrupted by ${signal}`;
  });

  try {
    const db: BenchDatabase = await provisionDatabase(log);
    cleanup.push('remove the benchmark database', () => db.close());

    const appSecret = randomBytes(48).toString('base64url');
    log(`starting the app (node dist/src/main.js): ${instancesLabel(count)}`);
    const app = await startInstances({
      count,
      projectRoot,
      databaseUrl: db.url,
      appSecret,
      readyTimeoutMs: 90_000,
    });
    cleanup.push('stop the app', () => app.stop());
    app.exited.catch(() => {
      stopReason ??= 'the app exited';
    });
    log(`app ready (pid ${app.pids.join(', ')})`);

    const pg = new PgPool({
      connectionString: db.url,
      max: settings.connections,
      application_name: 'inpulse-bench',
    });
    // An idle client whose server goes away (Ctrl-C reaches PostgreSQL too) must not crash us.
    pg.on('error', (error) => log(`bench connection: ${error.message}`));
    cleanup.push('close the bench connections', () => pg.end());
    // The load balancer: the connections spread over the instances, requests round-robin.
    const http = app.http({
      connections: connectionsEach(settings.connections, count),
      pipelining: 1,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    cleanup.push('close the HTTP pool', () => http.close());

    const { rows: versionRows } = await pg.query<{
      version: string;
      sc: string;
      fsync: string;
      sb: string;
    }>(
      `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sc,
              current_setting('fsync') AS fsync, current_setting('shared_buffers') AS sb`,
    );
    const server = versionRows[0];
    log(
      `PostgreSQL ${server.version} (synchronous_commit=${server.sc}, fsync=${server.fsync}, shared_buffers=${server.sb})`,
    );

    // An admin-scoped API token, written as an administrator would create it at /admin/tokens.
    const apiToken = `inp_${randomBytes(32).toString('base64url')}`;
    await pg.query(
      `INSERT INTO api_token (name, token_hash, prefix, scopes) VALUES ('bench', $1, $2, '{admin}')`,
      [createHash('sha256').update(apiToken).digest(), apiToken.slice(0, 12)],
    );
    const total = settings.warmup + settings.responses;
    const scenario = await guarded(app, loadScenario(http, pg, apiToken, total, log));
    log(`opening ${total} links (GET, not timed)`);
    const sessions = await guarded(
      app,
      openLinks(http, scenario.tokens, settings.connections, limits),
    );
    const warmSessions = sessions.slice(0, settings.warmup);
    const measuredSessions = sessions.slice(settings.warmup);

    if (warmSessions.length > 0) {
      log(`warm-up: ${warmSessions.length} submits`);
      const warm = await guarded(
        app,
        submitAll(http, warmSessions, scenario.questions, settings.connections, limits),
      );
      if (warm.failures > 0)
        throw new Error(`warm-up: answers by status ${JSON.stringify(warm.statuses)}`);
    }

    const postgresPid = await db.postmasterPid();
    log(`measuring: ${measuredSessions.length} submits at ${settings.connections} connections`);
    const projectActivity = await startActivitySampler(db.url, 'inpulse');
    const projectCpu = startCpuMeter(cpus().length, { app: app.pids, postgres: postgresPid });
    const project = await guarded(
      app,
      submitAll(http, measuredSessions, scenario.questions, settings.connections, limits),
    );
    const projectCpuUsage = projectCpu();
    const projectConnections = await projectActivity();
    log(
      `submit path (${instancesLabel(count)}): ${fmt(project.perSecond)}/s, p50 ${fmt(project.p50Ms, 2)} ms, p99 ${fmt(project.p99Ms, 2)} ms`,
    );

    // Every answer waits sealed, and the submit wrote nothing to `invitation` (the release does).
    const { rows: counts } = await pg.query<{ pending: number; answered: number }>(
      `SELECT (SELECT count(*)::int FROM pending_response WHERE survey_id = $1) AS pending,
              (SELECT count(*)::int FROM invitation WHERE survey_id = $1 AND answered) AS answered`,
      [scenario.surveyId],
    );
    const okSubmits = total - project.failures;
    if (counts[0].pending !== okSubmits || counts[0].answered !== 0) {
      throw new Error(
        `expected ${okSubmits} pending answers and no invitation marked answered, found ` +
          `${counts[0].pending} and ${counts[0].answered}`,
      );
    }

    // Baseline: the very rows the app wrote, inserted again one autocommit INSERT each.
    const { rows: written } = await pg.query<RawRow>(
      `SELECT survey_id, claim_key, sealed FROM pending_response WHERE survey_id = $1`,
      [scenario.surveyId],
    );
    await pg.query('DROP TABLE IF EXISTS bench_raw');
    await pg.query('CREATE TABLE bench_raw (LIKE pending_response INCLUDING DEFAULTS)');
    await fillPool(pg, settings.connections);
    const rowAt = (i: number) => written[i % written.length];
    const warmRows = Array.from({ length: settings.warmup }, (_, i) => rowAt(i));
    const rawRows = Array.from({ length: settings.responses }, (_, i) =>
      rowAt(settings.warmup + i),
    );
    if (warmRows.length > 0) {
      log(`baseline warm-up: ${warmRows.length} raw inserts`);
      await insertAll(pg, warmRows, settings.connections, limits);
    }
    log(`measuring: ${rawRows.length} raw inserts at ${settings.connections} connections`);
    const baselineActivity = await startActivitySampler(db.url, 'inpulse-bench');
    const baselineCpu = startCpuMeter(cpus().length, { app: app.pids, postgres: postgresPid });
    const baseline = await insertAll(pg, rawRows, settings.connections, limits);
    const baselineCpuUsage = baselineCpu();
    const baselineConnections = await baselineActivity();
    log(
      `baseline: ${fmt(baseline.perSecond)}/s, p50 ${fmt(baseline.p50Ms, 2)} ms, p99 ${fmt(baseline.p99Ms, 2)} ms`,
    );

    const release = await measureRelease(pg, db.url, appSecret, scenario, total);
    const ratio = project.perSecond / baseline.perSecond;
    printTable(
      settings,
      project,
      baseline,
      ratio,
      { project: projectCpuUsage, baseline: baselineCpuUsage },
      { project: projectConnections, baseline: baselineConnections },
    );
    console.log(
      `Release of the ${release.answers} answers once the survey closed: the mixer ${fmt(release.projectMs / 1000, 2)} s, ` +
        `raw transaction ${fmt(release.baselineMs / 1000, 2)} s (${fmt(release.ratio, 1)}× raw)`,
    );
    console.log('');

    const results = {
      benchmark: 'submit',
      finishedAt: new Date().toISOString(),
      instances: count,
      settings,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: process.platform,
      },
      database: {
        kind: db.kind,
        version: server.version,
        synchronousCommit: server.sc,
        fsync: server.fsync,
        sharedBuffers: server.sb,
      },
      project: {
        what: 'POST /s/<token> (urlencoded form, CSRF, claim + pending insert, thank-you page)',
        ...project,
      },
      baseline: {
        what: 'single-row autocommit INSERT into a copy of pending_response (pg Pool)',
        ...baseline,
      },
      ratio,
      goal: {
        text: `submit path ≥ ${SUBMIT_GOAL * 100}% of raw`,
        ratio: SUBMIT_GOAL,
        met: ratio >= SUBMIT_GOAL,
      },
      cpu: { project: projectCpuUsage, baseline: baselineCpuUsage },
      databaseConnections: { project: projectConnections, baseline: baselineConnections },
      release,
    };
    await saveResults(projectRoot, 'submit.json', results, log);

    if (project.failures > 0) {
      console.error(
        `bench: ${project.failures} submits did not answer 200; the figures are not valid`,
      );
      return 1;
    }
    return 0;
  } finally {
    log('stopping the app and the database');
    await cleanup.run();
  }
}

runBench('bench:submit', main);
