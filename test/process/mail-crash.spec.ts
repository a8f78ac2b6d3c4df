import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey } from '../factories';
import { type AppProcess, freePort, startAppProcess, until } from '../setup/app-process';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * The built app (dist/, as `npm start` runs it) sends a wave of mail with its job workers on;
 * it is killed (SIGKILL, no goodbye) in the middle of a batch, while the SMTP server holds the
 * mails in flight without answering; a new process delivers the rest. The SMTP server counts
 * what it accepted per recipient: every person gets exactly one mail.
 */
const PEOPLE = 40;
const BEFORE_KILL = 12;
const LEASE_SECONDS = 3;

describe('the mail sender killed in the middle of a batch', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  const apps: AppProcess[] = [];
  beforeAll(async () => {
    smtp = await startSmtpSink();
    // An instance without workers (this test's) and, below, the real process with them: one
    // database, as two instances of a deployment.
    t = await startTestApp({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    for (const app of apps) if (app.alive()) app.child.kill('SIGKILL');
    await t.close();
    await smtp.close();
  });

  it('restarted, delivers the rest: every recipient gets exactly one mail', async () => {
    const env = {
      DATABASE_URL: t.db.url,
      PORT: String(await freePort()),
      APP_SECRET: TEST_APP_SECRET,
      DEMO: 'false',
      SMTP_URL: smtp.url,
      JOB_WORKERS: 'true',
      MAIL_BATCH_SIZE: '10',
      MAIL_CONNECTIONS: '3',
      MAIL_LEASE_SECONDS: String(LEASE_SECONDS),
      LOG_LEVEL: 'log',
    };
    const status = async () => {
      const rows: { status: string; n: number }[] = await t.dataSource.query(
        'SELECT status, count(*)::int AS n FROM mail_message GROUP BY status',
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
    };

    // The SMTP server accepts BEFORE_KILL mails, then stalls on every further one.
    smtp.holdAfter(BEFORE_KILL);
    const first = startAppProcess(env);
    apps.push(first);
    await until(
      'the app to listen',
      async () => first.output().includes('inpulse listening'),
      first,
    );

    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, PEOPLE);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });

    // In the middle of a batch: some mails accepted and marked sent, others in flight.
    await until(
      'mails accepted and in flight',
      async () => smtp.mails.length === BEFORE_KILL && smtp.held() > 0,
      first,
    );
    await until(
      'the accepted mails to be marked sent',
      async () => (await status()).sent === BEFORE_KILL,
      first,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    smtp.discardHeld(); // never answered: not delivered
    const atKill = await status();
    expect(atKill.sent).toBe(BEFORE_KILL);
    expect(atKill.sending).toBeGreaterThan(0); // claimed by the dead process
    expect(smtp.mails).toHaveLength(BEFORE_KILL);

    const second = startAppProcess(env);
    apps.push(second);
    await until('every mail to be sent', async () => (await status()).sent === PEOPLE, second);
    second.child.kill('SIGTERM');
    await second.exited;

    expect(smtp.mails).toHaveLength(PEOPLE);
    for (const person of people) expect(smtp.countTo(person.email)).toBe(1);
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1 AND sent_at IS NOT NULL',
      [survey.id],
    );
    expect(n).toBe(PEOPLE);
  }, 240_000);
});
