/**
 * `npm run bench:waves` (one of `npm run bench`): opening one wave to 100,000 employees — the
 * job `wave.open` in the app (survey, every invitation in one INSERT … SELECT, their mail queued)
 * — next to a raw `INSERT … SELECT` of the same rows in the same run, with the app's RSS sampled
 * throughout (it must stay flat: the audience never passes through the app). See bench/README.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { request } from 'undici';
import { findProjectRoot } from '../src/config/app-config';
import { startApp } from './lib/app-process';
import { provisionDatabase } from './lib/database';
import { rssSampler } from './lib/memory';
import { freePort } from './lib/net';
import { runBench, saveResults } from './lib/results';

const GOAL_MS = 30_000;
const started = Date.now();
const log = (line: string) =>
  console.log(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

function employeesFromEnv(): number {
  const raw = process.env.BENCH_WAVE_EMPLOYEES?.trim();
  if (!raw) return 100_000;
  if (!/^\d+$/.test(raw) || Number(raw) < 100 || Number(raw) > 1_000_000)
    throw new Error(
      `BENCH_WAVE_EMPLOYEES must be a whole number from 100 to 1000000 (got "${raw}")`,
    );
  return Number(raw);
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const employees = employeesFromEnv();
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
    const port = await freePort();
    const app = await startApp({
      projectRoot,
      databaseUrl: db.url,
      port,
      appSecret: randomBytes(48).toString('base64url'),
      readyTimeoutMs: 90_000,
      env: { JOB_WORKERS: 'true', REPORTING_THRESHOLD: '5' },
    });
    cleanup.push(() => app.stop());
    const rss = rssSampler(app.pid);
    cleanup.push(async () => rss.stop());
    const pg = new Client({ connectionString: db.url, application_name: 'inpulse-bench' });
    await pg.connect();
    cleanup.push(() => pg.end());

    log(`loading ${employees} employees (set-based SQL, not timed)`);
    await pg.query(
      `INSERT INTO employee (email, name, department, location, hire_date, locale, time_zone)
       SELECT 'person' || g || '@bench.example', 'Person ' || g,
              (ARRAY['Engineering','Sales','Marketing','Support','Operations','Finance','People','Legal'])[1 + g % 8],
              (ARRAY['London','New York','Madrid','Mexico City','Tokyo','Osaka','Tehran','Remote'])[1 + (g / 8) % 8],
              current_date - (g % 3000), (ARRAY['en','es','ja','fa'])[1 + g % 4],
              (ARRAY[NULL,'Europe/Madrid','Asia/Tokyo','America/New_York','Asia/Tehran'])[1 + g % 5]
         FROM generate_series(1, $1) g`,
      [employees],
    );
    await pg.query('ANALYZE employee');
    const apiToken = `inp_${randomBytes(32).toString('base64url')}`;
    await pg.query(
      `INSERT INTO api_token (name, token_hash, prefix, scopes) VALUES ('bench-waves', $1, $2, '{admin}')`,
      [createHash('sha256').update(apiToken).digest(), apiToken.slice(0, 12)],
    );
    const api = async (path: string, body: unknown) => {
      const res = await request(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${path}: ${res.statusCode} ${text}`);
      return JSON.parse(text);
    };
    await api('/api/v1/teams', { slug: 'service-desk', name: 'Service Desk' });
    // Mail waits for a send window three days ahead, so nothing is sent during the measure:
    // what is timed is creating the invitations and queueing their mail.
    const later = new Date(Date.now() + 3 * 86_400_000);
    const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][later.getUTCDay()];
    const campaign = await api('/api/v1/campaigns', {
      name: 'Bench pulse',
      template: 'pulse',
      teamSlugs: ['service-desk'],
      cadence: {
        kind: 'once',
        start: `${later.toISOString().slice(0, 10)}T10:00`,
        timeZone: 'UTC',
      },
      sendWindow: { from: '09:00', to: '17:00', days: [weekday] },
      openDays: 7,
    });
    // The wave the scheduler would create at the opening; the job is what is measured.
    const {
      rows: [wave],
    } = await pg.query(
      `INSERT INTO wave (campaign_id, number, opens_at, closes_at)
       VALUES ($1, 1, now(), now() + interval '7 days') RETURNING id`,
      [campaign.id],
    );
    const boss = new PgBoss({
      connectionString: db.url,
      schema: 'pgboss',
      supervise: false,
      schedule: false,
    });
    await boss.start();
    cleanup.push(() => boss.stop({ graceful: false, wait: true }));

    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rssIdle = rss.now();
    rss.resetMax();
    log(`app idle RSS ${rssIdle.toFixed(0)} MB; opening the wave (job wave.open)`);
    const sentAt = Date.now();
    await boss.send('wave.open', { waveId: wave.id });
    let status = 'scheduled';
    while (status !== 'open') {
      if (Date.now() - sentAt > 10 * 60_000)
        throw new Error('the wave did not open within 10 minutes');
      await Promise.race([new Promise((r) => setTimeout(r, 100)), app.exited]);
      status = (await pg.query('SELECT status FROM wave WHERE id = $1', [wave.id])).rows[0].status;
    }
    // The handler's own time, from pg-boss: the wave.open job of this wave that did the work
    // (the app's own scheduler may have enqueued one too; the other then found it open).
    let handler: { started_on: Date; completed_on: Date } | undefined;
    for (let i = 0; i < 100 && !handler; i++) {
      const { rows } = await pg.query(
        `SELECT started_on, completed_on FROM (
           SELECT started_on, completed_on, data FROM pgboss.job WHERE name = 'wave.open'
           UNION ALL SELECT started_on, completed_on, data FROM pgboss.archive WHERE name = 'wave.open') j
          WHERE j.data->>'waveId' = $1 AND completed_on IS NOT NULL
          ORDER BY completed_on - started_on DESC LIMIT 1`,
        [wave.id],
      );
      handler = rows[0];
      if (!handler) await new Promise((r) => setTimeout(r, 100));
    }
    const wallMs = Date.now() - sentAt;
    const appMs = handler ? handler.completed_on.getTime() - handler.started_on.getTime() : wallMs;
    const rssMax = rss.max();
    const {
      rows: [{ invited, surveyId }],
    } = await pg.query(`SELECT w.invited, w.survey_id AS "surveyId" FROM wave w WHERE w.id = $1`, [
      wave.id,
    ]);
    const mailTable = (await pg.query(`SELECT to_regclass('mail_message') IS NOT NULL AS present`))
      .rows[0].present as boolean;
    const queued = mailTable
      ? Number(
          (
            await pg.query(
              `SELECT count(*) AS n FROM mail_message m JOIN invitation i ON i.id = m.invitation_id WHERE i.survey_id = $1`,
              [surveyId],
            )
          ).rows[0].n,
        )
      : undefined;
    log(
      `wave open: ${invited} invitations${queued !== undefined ? `, ${queued} mails queued` : ''}`,
    );
    if (invited !== employees) throw new Error(`expected ${employees} invitations, got ${invited}`);

    // Baseline: the same rows with a raw INSERT … SELECT, into copies with the same indexes.
    log('baseline: raw INSERT … SELECT of the same rows');
    await pg.query('CREATE TABLE bench_raw_invitation (LIKE invitation INCLUDING ALL)');
    if (mailTable) await pg.query('CREATE TABLE bench_raw_mail (LIKE mail_message INCLUDING ALL)');
    const rawStart = Date.now();
    await pg.query('BEGIN');
    await pg.query(
      `INSERT INTO bench_raw_invitation (survey_id, employee_id, department, location, tenure_band, team_id, asks_enps, send_after, expires_at)
       SELECT $1, e.id, e.department, e.location,
              CASE WHEN e.hire_date IS NULL THEN NULL WHEN e.hire_date > current_date - interval '1 year' THEN '<1y'
                   WHEN e.hire_date > current_date - interval '2 years' THEN '1-2y'
                   WHEN e.hire_date > current_date - interval '5 years' THEN '2-5y' ELSE '5y+' END,
              e.team_id, false, now() + interval '3 days', now() + interval '7 days'
         FROM employee e WHERE e.active`,
      [surveyId],
    );
    if (mailTable)
      await pg.query(
        `INSERT INTO bench_raw_mail (kind, invitation_id, sequence, to_address, locale, due_at, queue_id, batch_no)
         SELECT 'invitation', i.id, 0, e.email, e.locale, i.send_after, gen_random_uuid(), 0
           FROM bench_raw_invitation i JOIN employee e ON e.id = i.employee_id`,
      );
    await pg.query('COMMIT');
    const rawMs = Date.now() - rawStart;

    const ratio = appMs / rawMs;
    console.log('');
    console.log(`  wave to ${employees.toLocaleString('en')} employees                       time`);
    console.log(
      `  app: job wave.open (survey, invitations, mail queued)   ${fmt(appMs)}   (goal < ${GOAL_MS / 1000} s: ${appMs < GOAL_MS ? 'met' : 'NOT met'})`,
    );
    console.log(
      `       from enqueueing the job to the wave open      ${fmt(wallMs)}   (includes pg-boss polling)`,
    );
    console.log(
      `  raw: INSERT … SELECT of the same rows${mailTable ? ' (+ mail rows)' : ''}      ${fmt(rawMs)}`,
    );
    console.log(`  ratio app / raw                                     ${ratio.toFixed(2)}×`);
    console.log(
      `  app RSS: idle ${rssIdle.toFixed(0)} MB, max while opening ${rssMax.toFixed(0)} MB (+${(rssMax - rssIdle).toFixed(0)} MB)`,
    );
    console.log('');
    await saveResults(
      projectRoot,
      'waves.json',
      {
        employees,
        appMs,
        wallMs,
        rawMs,
        ratio,
        rssIdleMb: rssIdle,
        rssMaxMb: rssMax,
        invited,
        queued,
        goalMs: GOAL_MS,
      },
      log,
    );
  } finally {
    await cleanUp();
  }
}

runBench('bench:waves', main);
