import { AuditService } from '../../src/modules/audit/audit.service';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { MailRetentionService } from '../../src/modules/mail/mail-retention.service';
import {
  RETENTION_LOCK,
  RetentionRepository,
} from '../../src/modules/retention/retention.repository';
import {
  PURGE_EXPIRY_SECONDS,
  RETENTION_AUDIT_ACTION,
  RETENTION_PURGE_QUEUE,
  RetentionService,
} from '../../src/modules/retention/retention.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, sendQueuedMail, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * `retention.purge` against the attacks of its review: a mail HR re-queues while the purge runs,
 * a deactivation that would tell an answer apart by when mails go, a run that fails part-way, a
 * legal hold, two runs at once, and the outbox copy of a link that still works.
 */
describe('retention.purge under attack', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RETENTION_MAIL_DAYS: '7',
      RETENTION_BATCH_SIZE: '2',
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
  });
  afterAll(() => t.close());

  const count = async (sql: string, values: unknown[] = []): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${sql}`, values))[0].n;

  /** A survey sent to three people (the smallest audience here), its mails sent (to the outbox). */
  async function sentSurvey() {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 3);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    const invitations: { id: string; employee_id: string }[] = await t.dataSource.query(
      'SELECT id, employee_id FROM invitation WHERE survey_id = $1 ORDER BY id',
      [survey.id],
    );
    return { surveyId: survey.id, invitations };
  }
  const ageMails = (surveyId: string) =>
    t.dataSource.query(
      `UPDATE mail_message SET updated_at = now() - interval '30 days'
        WHERE invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
      [surveyId],
    );
  /** The survey closes, and its invitations expire with it. */
  const closeSurvey = async (surveyId: string) => {
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '1 minute' WHERE id = $1`,
      [surveyId],
    );
    await t.dataSource.query(
      `UPDATE invitation SET expires_at = least(expires_at, now() - interval '1 minute')
        WHERE survey_id = $1`,
      [surveyId],
    );
  };
  const mailsOf = (invitationId: string) =>
    count('mail_message WHERE invitation_id = $1', [invitationId]);

  it('never deletes a mail HR re-queues while the purge runs', async () => {
    const { surveyId, invitations } = await sentSurvey();
    await closeSurvey(surveyId);
    const [{ id: mailId }]: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM mail_message WHERE invitation_id = $1',
      [invitations[0].id],
    );
    await t.dataSource.query(
      `UPDATE mail_message SET status = 'failed', updated_at = now() - interval '30 days'
        WHERE id = $1`,
      [mailId],
    );
    // HR's retry (MailRepository.requeue's UPDATE), in a transaction still open.
    const hr = t.dataSource.createQueryRunner();
    await hr.connect();
    try {
      await hr.startTransaction();
      const requeued = await hr.query(
        `UPDATE mail_message SET status = 'queued', attempts = 0, due_at = now(), updated_at = now()
          WHERE id = $1 AND status IN ('failed', 'dead')`,
        [mailId],
      );
      expect(requeued[1]).toBe(1);
      let settled = false;
      const purge = t
        .get(MailRetentionService)
        .purgeMail(7, 100)
        .finally(() => (settled = true));
      // Until the purge is done or waits for HR's row lock.
      for (;;) {
        if (settled) break;
        const waiting = await count(
          `pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%DELETE FROM mail_message%'`,
        );
        if (waiting > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await hr.commitTransaction();
      await purge;
    } finally {
      await hr.release();
    }
    const rows = await t.dataSource.query('SELECT status FROM mail_message WHERE id = $1', [
      mailId,
    ]);
    expect(rows).toEqual([{ status: 'queued' }]);
  });

  it('deletes the mails of two people deactivated mid-survey in the same run, answered or not', async () => {
    const { surveyId, invitations } = await sentSurvey();
    const [answered, unanswered] = invitations;
    await t.dataSource.query('UPDATE invitation SET answered = true WHERE id = $1', [answered.id]);
    const directory = t.get(DirectoryService);
    for (const i of [answered, unanswered])
      await directory.setActive(i.employee_id, false, undefined);
    await ageMails(surveyId);
    const purge = t.get(RetentionService);

    await purge.purge();
    expect([await mailsOf(answered.id), await mailsOf(unanswered.id)]).toEqual([1, 1]);
    await closeSurvey(surveyId);
    await purge.purge();
    expect([await mailsOf(answered.id), await mailsOf(unanswered.id)]).toEqual([0, 0]);
  });

  it("keeps the outbox copy of an invitation's mail until its survey closes", async () => {
    const { surveyId, invitations } = await sentSurvey();
    const copies = () => count('outbox_message WHERE invitation_id = $1', [invitations[0].id]);
    expect(await copies()).toBe(1);
    await t.dataSource.query(
      `UPDATE outbox_message SET created_at = now() - interval '8 days' WHERE invitation_id = $1`,
      [invitations[0].id],
    );
    await t.get(RetentionService).purge();
    expect(await copies()).toBe(1);
    await closeSurvey(surveyId);
    await t.get(RetentionService).purge();
    expect(await copies()).toBe(0);
  });

  it('leaves an audit entry with the counts so far when a run fails part-way', async () => {
    const { surveyId } = await sentSurvey();
    await closeSurvey(surveyId);
    await ageMails(surveyId);
    // A real failure of the fourth step: its table is away for a moment.
    await t.dataSource.query(
      'ALTER TABLE ticket_event_receipt RENAME TO ticket_event_receipt_away',
    );
    try {
      await expect(t.get(RetentionService).purge()).rejects.toThrow();
    } finally {
      await t.dataSource.query(
        'ALTER TABLE ticket_event_receipt_away RENAME TO ticket_event_receipt',
      );
    }
    const [run] = await t.get(AuditService).list({
      action: RETENTION_AUDIT_ACTION,
      limit: 1,
      offset: 0,
    });
    expect(run.details).toMatchObject({
      deleted: { mail_message: 3, outbox_message: 0, audit_event: 0, ticket_event_receipt: 0 },
      failed: { table: 'ticket_event_receipt', code: '42P01' },
    });
    expect(JSON.stringify(run.details)).not.toMatch(/does not exist|ticket_event_receipt_away/);
  });

  it('keeps the whole audit log under RETENTION_AUDIT_HOLD', async () => {
    const audit = t.get(AuditService);
    await audit.record({ action: 'retention_hold.old' });
    await t.dataSource.query(
      `UPDATE audit_event SET at = now() - interval '5000 days' WHERE action = 'retention_hold.old'`,
    );
    const held = await startTestApp({ RETENTION_AUDIT_HOLD: 'true' }, { database: t.db });
    try {
      expect((await held.get(RetentionService).purge())?.audit_event).toBe(0);
      const admin = await signIn(held, 'admin');
      const page = await held.request({
        method: 'GET',
        url: '/admin/audit',
        headers: { cookie: admin.cookie },
      });
      expect(page.body).toContain('a legal hold is on (RETENTION_AUDIT_HOLD)');
    } finally {
      await held.close();
    }
    expect(await count(`audit_event WHERE action = 'retention_hold.old'`)).toBe(1);
    const [run] = await audit.list({ action: RETENTION_AUDIT_ACTION, limit: 1, offset: 0 });
    expect(run.details).toMatchObject({ auditHold: true });
    await t.get(RetentionService).purge();
    expect(await count(`audit_event WHERE action = 'retention_hold.old'`)).toBe(0);
  });

  it('runs once at a time, and its job may run for hours', async () => {
    const { surveyId } = await sentSurvey();
    await closeSurvey(surveyId);
    await ageMails(surveyId);
    const mails = () =>
      count(
        'mail_message WHERE invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)',
        [surveyId],
      );
    // Another instance's run holds the purge lock: this one does nothing.
    const other = t.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1, hashtext($2))', [
        RETENTION_LOCK.classId,
        RETENTION_LOCK.name,
      ]);
      expect(await t.get(RetentionService).purge()).toBeUndefined();
      expect(await mails()).toBe(3);
      await other.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
        RETENTION_LOCK.classId,
        RETENTION_LOCK.name,
      ]);
    } finally {
      await other.release();
    }
    expect((await t.get(RetentionService).purge())?.mail_message).toBe(3);
    expect(await mails()).toBe(0);
    // A run's lock is held by a session idle outside any transaction (no idle-in-transaction
    // timeout can end it, no snapshot is pinned), which a second run cannot take.
    const release = await t.get(RetentionRepository).tryLock();
    expect(release).toBeDefined();
    try {
      const holders: { state: string; xact: boolean }[] = await t.dataSource.query(
        `SELECT a.state, a.xact_start IS NOT NULL AS xact
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1
            AND l.objid = hashtext($2)::oid AND l.objsubid = 2`,
        [RETENTION_LOCK.classId, RETENTION_LOCK.name],
      );
      expect(holders).toEqual([{ state: 'idle', xact: false }]);
      expect(await t.get(RetentionService).purge()).toBeUndefined();
    } finally {
      await release?.();
    }
    // pg-boss: one job active and one waiting at most, and a run expires after 23 hours.
    const [queue] = await t.dataSource.query(
      'SELECT policy, expire_seconds FROM pgboss.queue WHERE name = $1',
      [RETENTION_PURGE_QUEUE],
    );
    expect(queue).toEqual({ policy: 'stately', expire_seconds: PURGE_EXPIRY_SECONDS });
  });
});
