/**
 * `npm run bench:mail` (one of `npm run bench`): how fast the mail pipeline delivers invitation
 * mails to a local SMTP sink, next to a bare nodemailer pooled transport sending the same number
 * of messages of the same size to the same sink; and how fast the survey send queues them, next
 * to a raw INSERT … SELECT of the same invitation and mail rows. See bench/README.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import nodemailer from 'nodemailer';
import { Pool as PgPool } from 'pg';
import { Pool } from 'undici';
import { findProjectRoot } from '../src/config/app-config';
import { cleanupStack } from './lib/persistent-db';
import { type AppProcess, startApp } from './lib/app-process';
import { type CpuUsage, startCpuMeter } from './lib/cpu';
import { type BenchDatabase, provisionDatabase } from './lib/database';
import { rssSampler } from './lib/memory';
import { freePort } from './lib/net';
import { createAudience, sendSurvey } from './lib/scenario';
import { type CountingSink, startCountingSink } from './lib/smtp-sink';
import { runBench, saveResults } from './lib/results';

const GOAL_PER_SECOND = 100;

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function readSettings() {
  const mails = intFromEnv('BENCH_MAILS', 20_000, 10, 200_000);
  return {
    mails,
    warmup: intFromEnv(
      'BENCH_WARMUP',
      Math.min(500, Math.max(10, Math.round(mails / 20))),
      0,
      10_000,
    ),
    connections: intFromEnv('BENCH_SMTP_CONNECTIONS', 5, 1, 50),
    batchSize: intFromEnv('BENCH_MAIL_BATCH', 200, 1, 1000),
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

/** Rejects when the app dies, so that no phase waits on a dead server. */
function guarded<T>(app: AppProcess, work: Promise<T>): Promise<T> {
  return Promise.race([work, app.exited]);
}

/** Waits until the sink has accepted `count` messages (polling; fails at the deadline). */
async function delivered(sink: CountingSink, count: number, deadline: number, what: string) {
  while (sink.accepted() < count) {
    if (Date.now() > deadline)
      throw new Error(`${what}: ${sink.accepted()} of ${count} delivered before the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Delivery {
  mails: number;
  durationMs: number;
  perSecond: number;
  bytesPerMail: number;
}

/** The baseline: a bare nodemailer pooled transport, every message handed over at once. */
async function bareNodemailer(
  sink: CountingSink,
  settings: Settings,
  bytesPerMail: number,
  deadline: number,
): Promise<Delivery> {
  const transport = nodemailer.createTransport({
    host: sink.host,
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: settings.connections,
  });
  // A text and an HTML part that add up to the size of the pipeline's mails.
  const half = Math.max(100, Math.round(bytesPerMail / 2) - 400);
  const text = 'Hello, we would like to know how the team is serving you. '.repeat(half / 58);
  const html = `<p>${text}</p>`;
  const send = (i: number) =>
    transport.sendMail({
      from: 'inpulse <no-reply@inpulse.local>',
      to: `raw${i}@example.com`,
      subject: 'How did Bench Service Desk do? A one-minute anonymous survey',
      text,
      html,
    });
  try {
    await Promise.all(
      Array.from({ length: Math.min(settings.warmup, 200) }, (_, i) => send(-i - 1)),
    );
    sink.reset();
    const t0 = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < settings.mails; i++) sends.push(send(i));
    await Promise.all(sends);
    await delivered(sink, settings.mails, deadline, 'bare nodemailer');
    const durationMs = performance.now() - t0;
    return {
      mails: settings.mails,
      durationMs,
      perSecond: (settings.mails / durationMs) * 1000,
      bytesPerMail: sink.bytes() / sink.accepted(),
    };
  } finally {
    transport.close();
  }
}

async function main(): Promise<number> {
  const settings = readSettings();
  const deadline = Date.now() + settings.timeoutMs;
  const projectRoot = findProjectRoot(__dirname);
  const cleanup = cleanupStack(() => undefined);

  try {
    const db: BenchDatabase = await provisionDatabase(log);
    cleanup.push('remove the benchmark database', () => db.close());
    const sink = await startCountingSink();
    cleanup.push('stop the SMTP sink', () => sink.close());
    log(`SMTP sink on ${sink.url}`);

    const port = await freePort();
    log(`starting the app (node dist/src/main.js, JOB_WORKERS=true) on port ${port}`);
    const app = await startApp({
      projectRoot,
      databaseUrl: db.url,
      port,
      appSecret: randomBytes(48).toString('base64url'),
      readyTimeoutMs: 90_000,
      env: {
        JOB_WORKERS: 'true',
        SMTP_URL: sink.url,
        MAIL_CONNECTIONS: String(settings.connections),
        MAIL_BATCH_SIZE: String(settings.batchSize),
      },
    });
    cleanup.push('stop the app', () => app.stop());
    const rss = rssSampler(app.pid);
    cleanup.push('stop the RSS sampler', async () => rss.stop());
    log(`app ready (pid ${app.pid}, RSS ${fmt(rss.now())} MB)`);

    const pg = new PgPool({ connectionString: db.url, max: 4, application_name: 'inpulse-bench' });
    pg.on('error', (error) => log(`bench connection: ${error.message}`));
    cleanup.push('close the bench connections', () => pg.end());
    const http = new Pool(app.baseUrl, {
      connections: 4,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
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

    const people = settings.warmup + settings.mails;
    log(`creating ${people} employees and two surveys through the API`);
    const audience = await guarded(app, createAudience(http, apiToken, people));
    const measured = await guarded(app, createAudience(http, apiToken, 0));
    const warmEmails = audience.emails.slice(0, settings.warmup);
    const measuredEmails = audience.emails.slice(settings.warmup);

    if (warmEmails.length > 0) {
      log(`warm-up: ${warmEmails.length} invitation mails`);
      sink.reset();
      await guarded(app, sendSurvey(http, apiToken, audience.surveyId, warmEmails));
      await guarded(app, delivered(sink, warmEmails.length, deadline, 'warm-up'));
    }

    // Project: send the survey (invitations + mail rows + jobs, through the API) and wait
    // until the SMTP sink has every mail; the app's job workers do the rest.
    log(`measuring: survey sent to ${measuredEmails.length} people, mail to the sink`);
    sink.reset();
    rss.resetMax();
    const rssBefore = rss.now();
    const cpu = startCpuMeter(cpus().length, { app: app.pid, postgres: await db.postmasterPid() });
    const t0 = performance.now();
    const invited = await guarded(
      app,
      sendSurvey(http, apiToken, measured.surveyId, measuredEmails),
    );
    const queueMs = performance.now() - t0;
    if (invited !== measuredEmails.length)
      throw new Error(`expected ${measuredEmails.length} invitations, the app made ${invited}`);
    log(`queued in ${fmt(queueMs, 0)} ms; ${sink.accepted()} delivered so far`);
    await guarded(app, delivered(sink, measuredEmails.length, deadline, 'the pipeline'));
    const pipelineMs = performance.now() - t0;
    const cpuUsage: CpuUsage = cpu();
    const rssMax = rss.max();
    const pipeline: Delivery = {
      mails: measuredEmails.length,
      durationMs: pipelineMs,
      perSecond: (measuredEmails.length / pipelineMs) * 1000,
      bytesPerMail: sink.bytes() / sink.accepted(),
    };
    const twice = [...sink.perRecipient().values()].filter((n) => n !== 1).length;
    const { rows: statusRows } = await pg.query<{ status: string; n: number }>(
      `SELECT m.status, count(*)::int AS n FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE i.survey_id = $1 GROUP BY m.status`,
      [measured.surveyId],
    );
    const statuses = Object.fromEntries(statusRows.map((r) => [r.status, r.n]));
    log(
      `pipeline: ${fmt(pipeline.perSecond)} mails/s; ${sink.perRecipient().size} recipients, ` +
        `${twice} with other than one mail; rows ${JSON.stringify(statuses)}`,
    );

    log(`baseline: ${settings.mails} messages through a bare nodemailer pooled transport`);
    const bare = await bareNodemailer(sink, settings, pipeline.bytesPerMail, deadline);
    log(`bare nodemailer: ${fmt(bare.perSecond)} mails/s`);

    // Raw SQL: the same invitation and mail rows, INSERT … SELECT into copies of the tables.
    await pg.query('DROP TABLE IF EXISTS bench_invitation_raw, bench_mail_raw');
    await pg.query('CREATE TABLE bench_invitation_raw (LIKE invitation INCLUDING ALL)');
    await pg.query('CREATE TABLE bench_mail_raw (LIKE mail_message INCLUDING ALL)');
    const raw0 = performance.now();
    const client = await pg.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bench_invitation_raw (survey_id, employee_id, department, location, tenure_band, expires_at)
         SELECT $1, e.id, e.department, e.location, NULL, now() + interval '30 days'
           FROM employee e WHERE e.active AND e.email = ANY($2::text[])`,
        [measured.surveyId, measuredEmails],
      );
      await client.query(
        `INSERT INTO bench_mail_raw (kind, invitation_id, sequence, to_address, locale, due_at, queue_id, batch_no)
         SELECT 'invitation', i.id, 0, e.email, e.locale, now(), gen_random_uuid(),
                ((row_number() OVER (ORDER BY i.id)) - 1) / $1
           FROM bench_invitation_raw i JOIN employee e ON e.id = i.employee_id`,
        [settings.batchSize],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const rawQueueMs = performance.now() - raw0;
    log(`raw INSERT … SELECT of the same rows: ${fmt(rawQueueMs, 0)} ms`);

    const deliveryRatio = pipeline.perSecond / bare.perSecond;
    const queueRatio = rawQueueMs / queueMs;
    const goalMet = pipeline.perSecond >= GOAL_PER_SECOND && twice === 0;
    console.log('');
    console.log(
      `Mail: ${pipeline.mails} invitation mails (${fmt(pipeline.bytesPerMail / 1024)} KiB each) to a local SMTP sink, ` +
        `${settings.connections} SMTP connections, batches of ${settings.batchSize}`,
    );
    const rows = [
      ['', 'mails/s', 'total ms'],
      [
        'project: survey send → mail pipeline → SMTP sink',
        fmt(pipeline.perSecond),
        fmt(pipeline.durationMs, 0),
      ],
      ['baseline: bare nodemailer pooled transport', fmt(bare.perSecond), fmt(bare.durationMs, 0)],
      ['project: queueing (POST …/send: invitations, mail rows, jobs)', '', fmt(queueMs, 0)],
      [
        'baseline: raw INSERT … SELECT of the same invitation and mail rows',
        '',
        fmt(rawQueueMs, 0),
      ],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows)
      console.log(
        r
          .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
          .join('   '),
      );
    console.log(
      `delivery ratio project/bare nodemailer: ${(deliveryRatio * 100).toFixed(1)}%   ` +
        `queueing: raw/project ${(queueRatio * 100).toFixed(1)}%   ` +
        `goal "≥ ${GOAL_PER_SECOND} mails/s, each recipient once": ${goalMet ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `app RSS: ${fmt(rssBefore)} MB before, ${fmt(rssMax)} MB at most while sending ` +
        `(+${fmt(rssMax - rssBefore)} MB); CPU % of one core: app ${cpuUsage.appPct ?? 'n/a'}, ` +
        `PostgreSQL ${cpuUsage.postgresPct ?? 'n/a'}, bench+sink ${cpuUsage.benchPct}`,
    );
    console.log('');

    const results = {
      benchmark: 'mail',
      finishedAt: new Date().toISOString(),
      settings,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      database: { kind: db.kind, version: server[0].version, synchronousCommit: server[0].sc },
      project: {
        ...pipeline,
        queueMs,
        statuses,
        recipients: sink.perRecipient().size,
        notOnce: twice,
      },
      baseline: { bareNodemailer: bare, rawInsertSelectMs: rawQueueMs },
      ratios: { delivery: deliveryRatio, queueing: queueRatio },
      memory: { rssBeforeMb: rssBefore, rssMaxMb: rssMax },
      cpu: cpuUsage,
      goal: { text: `≥ ${GOAL_PER_SECOND} mails/s, each recipient once`, met: goalMet },
    };
    await saveResults(projectRoot, 'mail.json', results, log);
    if (twice > 0) {
      console.error(`bench: ${twice} recipients did not get exactly one mail`);
      return 1;
    }
    return 0;
  } finally {
    log('stopping the app and the database');
    await cleanup.run();
  }
}

runBench('bench:mail', main);
