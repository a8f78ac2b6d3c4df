import type { ParsedMail } from 'mailparser';
import { MailService } from '../../src/modules/mail/mail.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, openSurvey } from '../factories';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * Exactly one mail per person when the mail server is slower than the lease, when a sender
 * stops in the middle of a batch, and — the one duplicate no SMTP client can rule out — the
 * link of a mail that went twice works in both copies. Two instances share one database, as in
 * a deployment; the tests run the job handlers themselves (or the instance's own workers) and
 * wait for conditions, never for a time.
 */
const LEASE_SECONDS = 2;

const env = {
  MAIL_LEASE_SECONDS: String(LEASE_SECONDS),
  MAIL_CONNECTIONS: '1',
  MAIL_BATCH_SIZE: '10',
  REPORTING_THRESHOLD: '3',
  MIX_BATCH_SIZE: '3',
};

function linkOf(mail: ParsedMail): string {
  const match = /\/s\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '');
  if (!match) throw new Error(`no survey link in the mail:\n${mail.text}`);
  return match[1];
}

async function mailStatuses(t: TestApp, surveyId: string): Promise<Record<string, number>> {
  const rows: { status: string; n: number }[] = await t.dataSource.query(
    `SELECT m.status, count(*)::int AS n FROM mail_message m
       JOIN invitation i ON i.id = m.invitation_id
      WHERE i.survey_id = $1 GROUP BY m.status`,
    [surveyId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('mail exactly once', () => {
  let smtp: SmtpSink;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    a = await startTestApp({ ...env, SMTP_URL: smtp.url });
    b = await startTestApp({ ...env, SMTP_URL: smtp.url }, { database: a.db });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await smtp.close();
  });
  afterEach(() => smtp.slow(0));

  it('a server slower than the lease: a sender keeps its claim, a second sender never takes a mail the first will send', async () => {
    const { survey } = await createSurvey(a);
    const people = await createEmployees(a, 6);
    await a.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    // 1.2 s a mail, one connection: the first sender claims five mails and needs 6 s for them,
    // three times its lease of 2 s. A second instance sweeps all the while.
    smtp.slow(1200);
    const before = smtp.mails.length;
    let firstDone = false;
    const first = a
      .get(MailService)
      .sendDue()
      .finally(() => (firstDone = true));
    const second = (async () => {
      const totals = { sent: 0, lost: 0 };
      while (!firstDone) {
        const run = await b.get(MailService).sendDue();
        totals.sent += run.sent;
        totals.lost += run.lost;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return totals;
    })();
    const [one, two] = await Promise.all([first, second]);
    smtp.slow(0);
    await until('every mail to be sent', async () => {
      await a.get(MailService).sendDue();
      return (await mailStatuses(a, survey.id)).sent === people.length;
    });
    for (const person of people) expect(smtp.countTo(person.email)).toBe(1);
    expect(smtp.mails.length - before).toBe(people.length);
    expect(one.sent + two.sent).toBeLessThanOrEqual(people.length);
    expect(one.lost + two.lost).toBe(0);
  }, 120_000);

  it('a mail whose lease another sender took while it waited is not sent by the first', async () => {
    const { survey } = await createSurvey(a);
    const people = await createEmployees(a, 3);
    await a.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    // The first sender claims the three mails; the first one is slow at the server. Meanwhile
    // the database says the lease of the third ran out and another sender took it (attempt 2).
    smtp.slow(1500);
    const first = a.get(MailService).sendDue();
    await until('the first mail at the server', () => smtp.inFlight() === 1);
    const [atServer] = smtp.inFlightTo();
    const [taken] = await a.dataSource.query(
      `UPDATE mail_message SET attempts = attempts + 1, due_at = now() + interval '1 hour'
        WHERE id = (SELECT m.id FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
                     WHERE i.survey_id = $1 AND m.status = 'sending' AND m.to_address <> $2
                     ORDER BY m.id LIMIT 1)
       RETURNING to_address`,
      [survey.id, atServer],
    );
    const result = await first;
    expect(result.lost).toBe(1);
    expect(smtp.countTo(taken[0].to_address)).toBe(0);
    expect(result.sent).toBe(2);
  }, 60_000);

  it('an instance that stops in the middle of a batch finishes the mails at the server, gives back the rest, and another sends them once', async () => {
    const workers = await startTestApp(
      { ...env, SMTP_URL: smtp.url, JOB_WORKERS: 'true', MAIL_CONNECTIONS: '2' },
      { database: a.db },
    );
    const { survey } = await createSurvey(a);
    const people = await createEmployees(a, 12);
    smtp.slow(700);
    const before = smtp.mails.length;
    await a.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await until('a few mails sent and two at the server', async () => {
      return smtp.mails.length - before >= 2 && smtp.inFlight() === 2;
    });
    await workers.close(); // SIGTERM does this: the jobs stop, then the rest of the app
    const atStop = smtp.mails.length - before;
    const statuses = await mailStatuses(a, survey.id);
    // Nothing is left claimed: what went to the server is marked sent, the rest is queued
    // again (its attempt not counted), for any instance to take at once.
    expect(statuses.sending ?? 0).toBe(0);
    expect(statuses.sent).toBe(atStop);
    expect(statuses.queued).toBe(people.length - atStop);
    const [{ attempts }] = await a.dataSource.query(
      `SELECT max(m.attempts)::int AS attempts FROM mail_message m
         JOIN invitation i ON i.id = m.invitation_id
        WHERE i.survey_id = $1 AND m.status = 'queued'`,
      [survey.id],
    );
    expect(attempts).toBe(0);
    smtp.slow(0);
    await b.get(MailService).sendDue();
    expect((await mailStatuses(a, survey.id)).sent).toBe(people.length);
    for (const person of people) expect(smtp.countTo(person.email)).toBe(1);
  }, 120_000);

  it('the crash window: a mail the server accepted but that was not marked sent goes again, with the same working link', async () => {
    const { survey } = await createSurvey(a);
    const people = await createEmployees(a, 3);
    await a.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    const before = smtp.mails.length;
    await a.get(MailService).sendDue();
    expect(smtp.mails.length - before).toBe(3);
    // As if the sender had died between the server's 250 and its UPDATE: the rows still say
    // `sending` (lease run out), the invitations not sent.
    await a.dataSource.query(
      `UPDATE mail_message m SET status = 'sending', sent_at = NULL, due_at = now()
         FROM invitation i WHERE i.id = m.invitation_id AND i.survey_id = $1`,
      [survey.id],
    );
    await a.dataSource.query('UPDATE invitation SET sent_at = NULL WHERE survey_id = $1', [
      survey.id,
    ]);
    await b.get(MailService).sendDue();
    const copies = smtp.mails.slice(before);
    expect(copies).toHaveLength(6);
    for (const person of people) {
      const theirs = copies.filter((m) => hasRecipient(m, person.email));
      expect(theirs).toHaveLength(2);
      expect(theirs[0].messageId).toBe(theirs[1].messageId);
      const [firstLink, secondLink] = theirs.map(linkOf);
      expect(secondLink).toBe(firstLink);
      expect((await openSurvey(a, firstLink)).page.statusCode).toBe(200);
    }
  }, 60_000);

  it('a reminder carries a link of its own; the newest mail’s link is the one that works', async () => {
    const { survey } = await createSurvey(a);
    const people = await createEmployees(a, 3);
    await a.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    const before = smtp.mails.length;
    await a.get(MailService).sendDue();
    const [invitationMail] = smtp.mails
      .slice(before)
      .filter((m) => hasRecipient(m, people[0].email));
    await a.get(MailService).queueInvitationMails({ surveyId: survey.id }, { sequence: 1 });
    await a.get(MailService).sendDue();
    const reminder = smtp.mails
      .slice(before)
      .filter((m) => hasRecipient(m, people[0].email))
      .find((m) => m !== invitationMail) as ParsedMail;
    expect(linkOf(reminder)).not.toBe(linkOf(invitationMail));
    expect((await openSurvey(a, linkOf(reminder))).page.statusCode).toBe(200);
  }, 60_000);
});

function hasRecipient(mail: ParsedMail, address: string): boolean {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.some((a) => a.value.some((v) => v.address?.toLowerCase() === address.toLowerCase()));
}
