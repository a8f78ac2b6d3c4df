import { JobsService } from '../../src/jobs/jobs.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { MailService } from '../../src/modules/mail/mail.service';
import {
  RETENTION_AUDIT_ACTION,
  RETENTION_PURGE_QUEUE,
  RetentionService,
} from '../../src/modules/retention/retention.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, createTeam, sendQueuedMail, signIn } from '../factories';
import { createIntegration } from '../factories/webhooks';
import { startAppProcess } from '../setup/app-process';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * `retention.purge` (docs/retention.md): in every table it purges, rows older than their
 * setting go and younger ones stay; batches of RETENTION_BATCH_SIZE rows (2 here, to see several
 * rounds); a second run deletes nothing more. Ages are made by moving rows' timestamps back,
 * the one thing a test may stand in for (the clock).
 */
const BATCH = 2;
const PG_BOSS_ARCHIVE_COLUMNS =
  'id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after, started_on, singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output';

describe('retention.purge', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RETENTION_MAIL_DAYS: '90',
      RETENTION_AUDIT_DAYS: '400',
      RETENTION_WEBHOOK_DAYS: '30',
      RETENTION_JOBS_DAYS: '7',
      RETENTION_BATCH_SIZE: String(BATCH),
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
  });
  afterAll(() => t.close());

  const count = async (sql: string, values: unknown[] = []): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${sql}`, values))[0].n;

  /** A survey sent to four people, its mails sent (to the outbox); the invitation ids. */
  async function sentSurvey(): Promise<{ surveyId: string; invitations: string[] }> {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 4);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    const rows: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM invitation WHERE survey_id = $1 ORDER BY id',
      [survey.id],
    );
    return { surveyId: survey.id, invitations: rows.map((r) => r.id) };
  }

  const mailsOf = (surveyId: string) =>
    count('mail_message m JOIN invitation i ON i.id = m.invitation_id WHERE i.survey_id = $1', [
      surveyId,
    ]);

  it('deletes what is older than its setting in every table, keeps the rest, in batches, once', async () => {
    // Mails: a closed survey's (one invitation answered, the others not: treated alike), an
    // open survey's (kept however old: their rows stop the same mail being queued twice), and
    // one-off mails, old and young, done and still queued.
    const closed = await sentSurvey();
    const open = await sentSurvey();
    await t.dataSource.query(
      `UPDATE invitation SET expires_at = now() - interval '1 day',
              answered = (id = $2) WHERE survey_id = $1`,
      [closed.surveyId, closed.invitations[0]],
    );
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '1 day' WHERE id = $1`,
      [closed.surveyId],
    );
    const mail = t.get(MailService);
    const oneOff = async (key: string, status: string, ageDays: number) => {
      const { id } = await mail.queueMail({
        kind: 'retention-test',
        to: `${key}@example.com`,
        locale: 'en',
        dedupeKey: `retention-test:${key}`,
        template: 'test',
        dueAt: new Date(Date.now() + 86_400_000),
      });
      await t.dataSource.query(
        `UPDATE mail_message SET status = $2, updated_at = now() - make_interval(days => $3) WHERE id = $1`,
        [id, status, ageDays],
      );
    };
    await oneOff('old-sent', 'sent', 91);
    await oneOff('old-dead', 'dead', 120);
    await oneOff('old-cancelled', 'cancelled', 200);
    await oneOff('young-sent', 'sent', 89);
    await oneOff('old-queued', 'queued', 200);
    await t.dataSource.query(
      `UPDATE mail_message SET updated_at = now() - interval '100 days'
        WHERE invitation_id IN (SELECT id FROM invitation WHERE survey_id = ANY($1::uuid[]))`,
      [[closed.surveyId, open.surveyId]],
    );
    expect(await mailsOf(closed.surveyId)).toBe(4);
    const outboxBefore = await count('outbox_message');
    await t.dataSource.query(
      `UPDATE outbox_message SET created_at = now() - interval '91 days'
        WHERE id IN (SELECT id FROM outbox_message ORDER BY created_at LIMIT 3)`,
    );

    // Audit events: five past 400 days, one younger.
    const audit = t.get(AuditService);
    for (let i = 0; i < 5; i++)
      await audit.record({ action: 'retention_test.old', target: `${i}` });
    await audit.record({ action: 'retention_test.young' });
    await t.dataSource.query(
      `UPDATE audit_event SET at = now() - interval '401 days' WHERE action = 'retention_test.old'`,
    );
    await t.dataSource.query(
      `UPDATE audit_event SET at = now() - interval '399 days' WHERE action = 'retention_test.young'`,
    );

    // Webhook receipts and delivery log lines: three past 30 days, one younger, each.
    const team = await createTeam(t);
    const integration = await createIntegration(t, 'generic', { defaultTeam: team.slug });
    await t.dataSource.query(
      `INSERT INTO ticket_event_receipt (integration_id, event_id, received_at)
       SELECT $1, 'evt-' || g, now() - make_interval(days => CASE WHEN g <= 3 THEN 31 ELSE 29 END)
         FROM generate_series(1, 4) AS g`,
      [integration.id],
    );
    await t.dataSource.query(
      `INSERT INTO webhook_delivery (integration_id, received_at, last_received_at, outcome, http_status, signature)
       SELECT $1, now() - d, now() - d, 'refused', 401, 'missing'
         FROM (SELECT make_interval(days => CASE WHEN g <= 3 THEN 31 ELSE 29 END) AS d
                 FROM generate_series(1, 4) AS g) x`,
      [integration.id],
    );

    // pg-boss's archive: three jobs archived 8 days ago, one 6 days ago.
    const jobs = t.get(JobsService);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      // Each its own singleton key: the queue holds one waiting job per key (policy stately).
      const id = await jobs.send(RETENTION_PURGE_QUEUE, { test: i }, { singletonKey: `t${i}` });
      ids.push(id as string);
    }
    await t.dataSource.query(
      `WITH moved AS (DELETE FROM pgboss.job WHERE id = ANY($1::uuid[]) RETURNING *)
       INSERT INTO pgboss.archive (${PG_BOSS_ARCHIVE_COLUMNS}, archived_on)
       SELECT ${PG_BOSS_ARCHIVE_COLUMNS},
              now() - make_interval(days => CASE WHEN id = $2::uuid THEN 6 ELSE 8 END) FROM moved`,
      [ids, ids[3]],
    );

    const purge = t.get(RetentionService);
    const first = await purge.purge();
    expect(first).toEqual({
      mail_message: 4 + 3,
      outbox_message: 3,
      audit_event: 5,
      ticket_event_receipt: 3,
      webhook_delivery: 3,
      'pgboss.archive': 3,
    });

    // What stayed: the open survey's mails, the young and the queued one-off mails.
    expect(await mailsOf(closed.surveyId)).toBe(0);
    expect(await mailsOf(open.surveyId)).toBe(4);
    const oneOffs: { to_address: string }[] = await t.dataSource.query(
      `SELECT to_address FROM mail_message WHERE kind = 'retention-test' ORDER BY to_address`,
    );
    expect(oneOffs.map((r) => r.to_address)).toEqual([
      'old-queued@example.com',
      'young-sent@example.com',
    ]);
    expect(await count('outbox_message')).toBe(outboxBefore - 3);
    expect(await count(`audit_event WHERE action LIKE 'retention_test.%'`)).toBe(1);
    expect(await count('ticket_event_receipt WHERE integration_id = $1', [integration.id])).toBe(1);
    expect(await count('webhook_delivery WHERE integration_id = $1', [integration.id])).toBe(1);
    expect(await count('pgboss.archive WHERE id = ANY($1::uuid[])', [ids])).toBe(1);
    // The invitations themselves stay: response rates are counted from them.
    expect(await count('invitation WHERE survey_id = $1', [closed.surveyId])).toBe(4);

    // In batches of two: 7 mails take 4 statements, 3 rows 2, 5 events 3, none 1.
    const [run] = await audit.list({ action: RETENTION_AUDIT_ACTION, limit: 1, offset: 0 });
    expect(run.details).toMatchObject({
      deleted: first,
      statements: 4 + 2 + 3 + 2 + 2 + 2,
      days: { mail: 90, audit: 400, webhook: 30, jobs: 7 },
    });

    // Running again deletes nothing more.
    const second = await purge.purge();
    expect(Object.values(second ?? {})).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await mailsOf(open.surveyId)).toBe(4);
    expect(await count(`audit_event WHERE action = $1`, [RETENTION_AUDIT_ACTION])).toBe(2);
  });

  it('says on the audit page how long entries are kept, and what the last purge deleted', async () => {
    const admin = await signIn(t, 'admin');
    const page = async () =>
      (await t.request({ method: 'GET', url: '/admin/audit', headers: { cookie: admin.cookie } }))
        .body;
    expect(await page()).toContain('Entries are kept 400 days');
    const audit = t.get(AuditService);
    for (let i = 0; i < 3; i++) await audit.record({ action: 'retention_test.page' });
    await t.dataSource.query(
      `UPDATE audit_event SET at = now() - interval '500 days' WHERE action = 'retention_test.page'`,
    );
    await t.get(RetentionService).purge();
    expect(await page()).toMatch(/Last purge: [^<]+, 3 old rows deleted/);
  });

  it('is scheduled once a day at RETENTION_PURGE_HOUR by a worker instance, never by a web-only one', async () => {
    const schedule = () =>
      t.dataSource.query(`SELECT cron, timezone FROM pgboss.schedule WHERE name = $1`, [
        RETENTION_PURGE_QUEUE,
      ]);
    expect(await schedule()).toEqual([]); // this instance runs with JOB_WORKERS=false
    const worker = await startTestApp(
      { JOB_WORKERS: 'true', RETENTION_PURGE_HOUR: '5' },
      { database: t.db },
    );
    try {
      expect(await schedule()).toEqual([{ cron: '41 5 * * *', timezone: 'UTC' }]);
    } finally {
      await worker.close();
    }
  });

  it('refuses bad retention settings at boot, naming each', async () => {
    const app = startAppProcess({
      DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x',
      APP_SECRET: 's'.repeat(32),
      RETENTION_MAIL_DAYS: '0',
      RETENTION_AUDIT_DAYS: '-5',
      RETENTION_WEBHOOK_DAYS: '99999',
      RETENTION_JOBS_DAYS: 'a week',
      RETENTION_BATCH_SIZE: '0',
      RETENTION_RAW_ANSWERS_DAYS: '30',
    });
    expect((await app.exited).code).toBe(78);
    const output = app.output();
    expect(output).toContain('RETENTION_MAIL_DAYS must be a whole number from 7 to 3650 (got "0")');
    expect(output).toContain(
      'RETENTION_AUDIT_DAYS must be a whole number from 30 to 3650 (got "-5")',
    );
    expect(output).toContain(
      'RETENTION_WEBHOOK_DAYS must be a whole number from 7 to 3650 (got "99999")',
    );
    expect(output).toContain(
      'RETENTION_JOBS_DAYS must be a whole number from 1 to 365 (got "a week")',
    );
    expect(output).toContain(
      'RETENTION_BATCH_SIZE must be a whole number from 1 to 100000 (got "0")',
    );
    expect(output).toContain(
      'RETENTION_RAW_ANSWERS_DAYS must be a whole number from 400 to 3650 (got "30")',
    );
  });
});
