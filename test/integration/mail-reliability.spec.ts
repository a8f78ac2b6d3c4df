import { MailService } from '../../src/modules/mail/mail.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, formBody, sendQueuedMail, signIn } from '../factories';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * What happens when mail cannot go: the SMTP server away for a while, addresses it refuses,
 * a sender that dies holding mails. The test calls the job handlers itself, as the workers
 * would; where a retry must wait for its back-off, it calls them again until nothing is left
 * (a loop with a generous deadline, never a timing assertion).
 */
const RETRY_SECONDS = 1;
const MAX_ATTEMPTS = 3;
const LEASE_SECONDS = 2;

async function statuses(t: TestApp, surveyId: string): Promise<Record<string, string>> {
  const rows: { email: string; status: string }[] = await t.dataSource.query(
    `SELECT m.to_address AS email, m.status FROM mail_message m
       JOIN invitation i ON i.id = m.invitation_id WHERE i.survey_id = $1`,
    [surveyId],
  );
  return Object.fromEntries(rows.map((r) => [r.email, r.status]));
}

/** Runs the sweep until no mail of the survey is queued or being sent any more. */
async function sendUntilSettled(t: TestApp, surveyId: string, deadlineMs = 60_000) {
  await until(
    'no mail queued or being sent',
    async () => {
      await sendQueuedMail(t);
      const open = Object.values(await statuses(t, surveyId)).filter(
        (s) => s === 'queued' || s === 'sending',
      );
      return open.length === 0;
    },
    undefined,
    deadlineMs,
    200,
  );
}

describe('mail when things go wrong', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_RETRY_SECONDS: String(RETRY_SECONDS),
      MAIL_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      MAIL_LEASE_SECONDS: String(LEASE_SECONDS),
      MAIL_BATCH_SIZE: '4',
      // A survey goes to at least m people (MIX_BATCH_SIZE); m as small as it may be (k = 3), so
      // that the few people a case needs make a survey.
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('SMTP down for a while: mails wait with their reason, then go out once each', async () => {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 10);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await smtp.stop();
    const down = await sendQueuedMail(t);
    expect(down).toMatchObject({ sent: 0, retrying: 10 });
    const waiting: { status: string; attempts: number; last_error: string; later: boolean }[] =
      await t.dataSource.query(
        `SELECT m.status, m.attempts, m.last_error, m.due_at > now() AS later
           FROM mail_message m JOIN invitation i ON i.id = m.invitation_id WHERE i.survey_id = $1`,
        [survey.id],
      );
    for (const row of waiting) {
      expect(row).toMatchObject({ status: 'queued', attempts: 1 });
      expect(row.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
    }
    const [{ n: unsent }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1 AND sent_at IS NOT NULL',
      [survey.id],
    );
    expect(unsent).toBe(0);

    await smtp.start();
    await sendUntilSettled(t, survey.id);
    await sendQueuedMail(t);
    for (const person of people) expect(smtp.countTo(person.email)).toBe(1);
    expect(Object.values(await statuses(t, survey.id))).toEqual(Array(10).fill('sent'));
  });

  it('a refused address fails, one that never gets through ends dead, both with their reason, while the rest flow', async () => {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 8);
    const [unknown, busy] = people;
    smtp.reject(unknown.email, 550, '5.1.1 mailbox unknown <b>here</b>');
    smtp.reject(busy.email, 451, '4.3.0 mailbox busy');
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendUntilSettled(t, survey.id);

    const after = await statuses(t, survey.id);
    expect(after[unknown.email]).toBe('failed');
    expect(after[busy.email]).toBe('dead');
    for (const person of people.slice(2)) {
      expect(after[person.email]).toBe('sent');
      expect(smtp.countTo(person.email)).toBe(1);
    }
    expect(smtp.countTo(unknown.email)).toBe(0);
    expect(smtp.countTo(busy.email)).toBe(0);

    // HR sees them, with the reason, by API and on the page.
    const problems = await t.api({ method: 'GET', url: '/api/v1/mail/problems' });
    expect(problems.statusCode).toBe(200);
    const items = problems.json().items as {
      id: string;
      toAddress: string;
      status: string;
      attempts: number;
      lastError: string;
    }[];
    const failed = items.find((i) => i.toAddress === unknown.email)!;
    const dead = items.find((i) => i.toAddress === busy.email)!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toContain('550 5.1.1 mailbox unknown');
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    expect(dead.lastError).toMatch(/gave up after 3 attempts: SMTP 451 4.3.0 mailbox busy/);
    const onlyDead = await t.api({ method: 'GET', url: '/api/v1/mail/problems?status=dead' });
    expect(onlyDead.json().items.map((i: { status: string }) => i.status)).not.toContain('failed');
    const counts = (await t.api({ method: 'GET', url: '/api/v1/mail' })).json().counts;
    expect(counts).toMatchObject({ failed: 1, dead: 1, queued: 0, sending: 0 });
    expect(counts.sent).toBeGreaterThanOrEqual(6);

    const admin = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: '/admin/mail',
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('mailbox unknown &lt;b&gt;here&lt;/b&gt;');
    expect(page.body).not.toContain('<b>here</b>');
    expect(page.body).toContain(`<td data-status="dead">${counts.dead}</td>`);

    // Once the mailbox is free again, HR retries the dead letter: it goes, once.
    smtp.clearRejects();
    const retried = await t.api({ method: 'POST', url: `/api/v1/mail/${dead.id}/retry` });
    expect(retried.statusCode).toBe(202);
    await sendQueuedMail(t);
    expect(smtp.countTo(busy.email)).toBe(1);
    expect((await statuses(t, survey.id))[busy.email]).toBe('sent');
    // The failed one, retried from the page.
    const fromPage = await t.request({
      method: 'POST',
      url: `/admin/mail/${failed.id}/retry`,
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(fromPage.statusCode).toBe(303);
    await sendQueuedMail(t);
    expect(smtp.countTo(unknown.email)).toBe(1);

    // What cannot be retried says why.
    const again = await t.api({ method: 'POST', url: `/api/v1/mail/${dead.id}/retry` });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/is sent: only failed or dead mail can be retried/);
    const missing = await t.api({
      method: 'POST',
      url: '/api/v1/mail/00000000-0000-4000-8000-000000000000/retry',
    });
    expect(missing.statusCode).toBe(404);
    expect((await t.api({ method: 'POST', url: '/api/v1/mail/nope/retry' })).statusCode).toBe(400);
    const pageAgain = await t.request({
      method: 'POST',
      url: `/admin/mail/${dead.id}/retry`,
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(pageAgain.statusCode).toBe(409);
    expect(pageAgain.body).toContain('only failed or dead mail can be retried');
  });

  it('an address that cannot be used fails at once, without asking the server', async () => {
    const mail = t.get(MailService);
    const { id } = await mail.queueTest('not-an-address');
    const before = smtp.mails.length;
    expect(await sendQueuedMail(t)).toMatchObject({ failed: 1, sent: 0 });
    expect(smtp.mails).toHaveLength(before);
    const [row] = await t.dataSource.query(
      'SELECT status, attempts, last_error FROM mail_message WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ status: 'failed', attempts: 1, last_error: 'invalid address' });
  });

  it('a sender that dies holding mails: they are taken again once its lease has run out, and go once', async () => {
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, 4);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    // A sender claims every mail (lease of an hour) and dies before sending any.
    const [{ n: claimed }] = await t.dataSource.query(
      `WITH c AS (UPDATE mail_message SET status = 'sending', attempts = attempts + 1,
                         due_at = now() + interval '1 hour'
                   WHERE status = 'queued' RETURNING 1)
       SELECT count(*)::int AS n FROM c`,
    );
    expect(claimed).toBe(4);
    // While the lease holds, nobody else takes them.
    expect(await t.get(MailService).sendDue()).toMatchObject({ sent: 0 });
    expect(Object.values(await statuses(t, survey.id))).toEqual(Array(4).fill('sending'));
    // The lease runs out (the clock moves on).
    await t.dataSource.query(`UPDATE mail_message SET due_at = now() WHERE status = 'sending'`);
    await sendUntilSettled(t, survey.id);
    for (const person of people) expect(smtp.countTo(person.email)).toBe(1);
    const rows: { attempts: number }[] = await t.dataSource.query(
      `SELECT m.attempts FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE i.survey_id = $1`,
      [survey.id],
    );
    expect(rows.map((r) => r.attempts)).toEqual([2, 2, 2, 2]);
  });
});
