/**
 * `npm run bench:digest` (one of `npm run bench`): the weekly digest for 1,000 leads — the job
 * `digest.weekly` in the app (the figures of every team through the report layer, follow-ups and
 * actions, then one claimed, queued mail per person) — next to the same statements run raw from
 * a `pg` pool in the same run: the report SELECTs, one response-rate SELECT per team, and per
 * person the same claim and mail row, 50 to a transaction as in the app. Goal: under a minute. See
 * bench/README.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import PgBoss from 'pg-boss';
import { findProjectRoot } from '../src/config/app-config';
import { addBuckets, bucketStart } from '../src/modules/reports/periods';
import { REPORT_SQL } from '../src/modules/reports/reports.sql';
import { startApp } from './lib/app-process';
import { provisionDatabase } from './lib/database';
import { freePort } from './lib/net';
import { runBench, saveResults } from './lib/results';

const GOAL_MS = 60_000;
/** Queries in flight at once, as DigestReportService runs its response rates. */
const CONCURRENCY = 8;
const ORGANISATION = '00000000-0000-0000-0000-000000000000';
const started = Date.now();
const log = (line: string) =>
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function leadsFromEnv(): number {
  const raw = process.env.BENCH_DIGEST_LEADS?.trim();
  if (!raw) return 1000;
  if (!/^\d+$/.test(raw) || Number(raw) < 10 || Number(raw) > 100_000)
    throw new Error(`BENCH_DIGEST_LEADS must be a whole number from 10 to 100000 (got "${raw}")`);
  return Number(raw);
}

async function main(): Promise<void> {
  const leads = leadsFromEnv();
  const projectRoot = findProjectRoot(__dirname);
  const cleanup: (() => Promise<unknown>)[] = [];
  const cleanUp = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    const db = await provisionDatabase(log);
    cleanup.push(() => db.close());
    const app = await startApp({
      projectRoot,
      databaseUrl: db.url,
      port: await freePort(),
      appSecret: randomBytes(48).toString('base64url'),
      readyTimeoutMs: 90_000,
      env: { JOB_WORKERS: 'true', REPORTING_THRESHOLD: '5', ORGANISATION_TIME_ZONE: 'UTC' },
    });
    cleanup.push(() => app.stop());
    const pg = new Client({ connectionString: db.url, application_name: 'inpulse-bench' });
    await pg.connect();
    cleanup.push(() => pg.end());

    const today = new Date().toISOString().slice(0, 10);
    const period = addBuckets(bucketStart(today, 'month'), 'month', -1);
    const before = addBuckets(period, 'month', -1);
    log(
      `seeding ${leads} teams, each with a lead and 24 answers over two closed months (not timed)`,
    );
    const {
      rows: [{ id: questionnaireId }],
    } = await pg.query(
      `INSERT INTO questionnaire (name, default_locale) VALUES ('Bench digest pulse', 'en') RETURNING id`,
    );
    const {
      rows: [{ id: npsId }],
    } = await pg.query(
      `INSERT INTO question (questionnaire_id, position, type, required, text)
       VALUES ($1, 0, 'nps', true, '{"en":"Would you recommend this team?"}') RETURNING id`,
      [questionnaireId],
    );
    await pg.query(
      `INSERT INTO service_team (slug, name) SELECT 'bench-team-' || g, 'Bench team ' || g
         FROM generate_series(1, $1) g`,
      [leads],
    );
    await pg.query(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
       SELECT 'Bench pulse', $1, id, 5, now() + interval '10 years' FROM service_team`,
      [questionnaireId],
    );
    await pg.query(
      `WITH r AS (
         INSERT INTO response (id, survey_id, team_id, source, released_on)
         SELECT gen_random_uuid(), s.id, s.team_id, 'pulse', d.day
           FROM survey s CROSS JOIN (VALUES ($2::date + 9), ($3::date + 9)) AS d(day)
                CROSS JOIN generate_series(1, 12) g
         RETURNING id)
       INSERT INTO answer (response_id, question_id, score)
       SELECT id, $1, floor(random() * 11)::int FROM r`,
      [npsId, before, period],
    );
    await pg.query(
      `INSERT INTO app_user (email, name, role, locale)
       SELECT 'lead' || g || '@bench.example', 'Lead ' || g, 'lead', (ARRAY['en','es','ja','fa'])[1 + g % 4]
         FROM generate_series(1, $1) g
       UNION ALL SELECT 'hr@bench.example', 'HR', 'admin', 'en'`,
      [leads],
    );
    await pg.query(
      `INSERT INTO user_team (user_id, team_id)
       SELECT u.id, t.id FROM app_user u JOIN service_team t
         ON t.slug = 'bench-team-' || substring(u.email FROM '^lead(\\d+)@')`,
    );
    // Due now: today's weekday (ISO, in UTC, the zone of everyone here) from midnight.
    await pg.query(
      `INSERT INTO digest_setting (id, enabled, weekday, hour, grain, locale)
       VALUES (1, true, extract(isodow FROM now() AT TIME ZONE 'UTC'), 0, 'month', 'en')`,
    );
    await pg.query('ANALYZE');

    const boss = new PgBoss({
      connectionString: db.url,
      schema: 'pgboss',
      supervise: false,
      schedule: false,
    });
    await boss.start();
    cleanup.push(() => boss.stop({ graceful: false, wait: true }));
    log('building and queueing every digest (job digest.weekly)');
    const sentAt = Date.now();
    const jobId = await boss.send('digest.weekly', {});
    let done: { started_on: Date; completed_on: Date; state: string } | undefined;
    while (!done) {
      if (Date.now() - sentAt > 10 * 60_000) throw new Error('the digest did not finish in 10 min');
      await Promise.race([new Promise((r) => setTimeout(r, 100)), app.exited]);
      const { rows } = await pg.query(
        `SELECT started_on, completed_on, state FROM (
           SELECT id, started_on, completed_on, state FROM pgboss.job
           UNION ALL SELECT id, started_on, completed_on, state FROM pgboss.archive) j
          WHERE j.id = $1 AND completed_on IS NOT NULL`,
        [jobId],
      );
      done = rows[0];
    }
    if (done.state !== 'completed') throw new Error(`the digest job ended ${done.state}`);
    const appMs = done.completed_on.getTime() - done.started_on.getTime();
    const wallMs = Date.now() - sentAt;
    const mails: {
      kind: string;
      dedupe_key: string;
      to_address: string;
      locale: string;
      context: unknown;
    }[] = (
      await pg.query(
        `SELECT kind, dedupe_key, to_address, locale, context FROM mail_message WHERE kind = 'digest'`,
      )
    ).rows;
    log(`app: ${mails.length} digests queued`);
    if (mails.length !== leads + 1)
      throw new Error(`expected ${leads + 1} digests queued, got ${mails.length}`);

    // Baseline: the same statements from a pool, and the same rows into copies of the tables.
    log('baseline: the same SELECTs and inserts, raw');
    await pg.query('CREATE TABLE bench_raw_sent (LIKE digest_sent INCLUDING ALL)');
    await pg.query('CREATE TABLE bench_raw_mail (LIKE mail_message INCLUDING ALL)');
    const pool = new Pool({ connectionString: db.url, max: CONCURRENCY });
    cleanup.push(() => pool.end());
    const rawStart = Date.now();
    const range = ['month', period, addBuckets(period, 'month', 1)];
    const [users, , teams] = await Promise.all([
      pool.query(
        `SELECT u.id, u.email, u.name, u.role, u.disabled, u.locale, u.time_zone,
                coalesce(array_agg(ut.team_id) FILTER (WHERE ut.team_id IS NOT NULL), '{}') AS team_ids
           FROM app_user u LEFT JOIN user_team ut ON ut.user_id = u.id GROUP BY u.id`,
      ),
      pool.query('SELECT user_id FROM digest_opt_out'),
      pool.query('SELECT id, parent_id FROM service_team'),
      pool.query(REPORT_SQL.npsByTreeAndBucket, [ORGANISATION, 'month', before, range[2]]),
      pool.query(REPORT_SQL.questionCountsByTree, [ORGANISATION, ...range]),
      pool.query(REPORT_SQL.questionsInPeriod, range),
      pool.query('SELECT team_id, count(*) FROM follow_up WHERE done_on IS NULL GROUP BY team_id'),
      pool.query(
        `SELECT team_id, count(*) FROM team_action WHERE status IN ('planned', 'in_progress')
          AND due_on <= current_date + 7 GROUP BY team_id`,
      ),
    ]);
    const teamIds = teams.rows.map((t: { id: string }) => t.id);
    for (let i = 0; i < teamIds.length; i += CONCURRENCY)
      await Promise.all(
        teamIds
          .slice(i, i + CONCURRENCY)
          .map((id: string) => pool.query(REPORT_SQL.responseRate, [[id], period, range[2]])),
      );
    // Claims and mail rows 50 to a transaction, as the app commits them.
    const client = await pool.connect();
    try {
      for (let i = 0; i < mails.length; i += 50) {
        await client.query('BEGIN');
        for (const [j, mail] of mails.slice(i, i + 50).entries()) {
          await client.query(
            'INSERT INTO bench_raw_sent (user_id, week_start) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [users.rows[(i + j) % users.rows.length].id, today],
          );
          await client.query(
            `INSERT INTO bench_raw_mail (kind, dedupe_key, to_address, locale, context, queue_id)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
            [mail.kind, mail.dedupe_key, mail.to_address, mail.locale, mail.context, randomUUID()],
          );
        }
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
    const rawMs = Date.now() - rawStart;

    const ratio = appMs / rawMs;
    console.log('');
    console.log(
      `  weekly digest to ${leads.toLocaleString('en')} leads (+ HR), ${leads} teams     time`,
    );
    console.log(
      `  app: job digest.weekly (figures, claims, mails queued)  ${fmt(appMs)}   (goal < ${GOAL_MS / 1000} s: ${appMs < GOAL_MS ? 'met' : 'NOT met'})`,
    );
    console.log(
      `       from enqueueing the job to its end            ${fmt(wallMs)}   (includes pg-boss polling)`,
    );
    console.log(`  raw: the same SELECTs, claims and mail rows        ${fmt(rawMs)}`);
    console.log(`  ratio app / raw                                    ${ratio.toFixed(2)}×`);
    console.log('');
    await saveResults(
      projectRoot,
      'digest.json',
      { leads, teams: leads, appMs, wallMs, rawMs, ratio, queued: mails.length, goalMs: GOAL_MS },
      log,
    );
  } finally {
    await cleanUp();
  }
}

runBench('bench:digest', main);
