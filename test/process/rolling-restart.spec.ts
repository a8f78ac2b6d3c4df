import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey } from '../factories';
import { type AppProcess, freePort, startAppProcess, until } from '../setup/app-process';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * A rolling restart during a wave: three instances of the built app (job workers on) share one
 * database and a slow SMTP server; while they send a survey to hundreds of people, each is given
 * SIGTERM in turn and replaced by a new one. Each stopping instance finishes the mails at the
 * server, gives back the ones it had claimed and not started, and exits 0. At the end the SMTP
 * server counts what it accepted per person: exactly one invitation each, none lost.
 */
const PEOPLE = 240;
const INSTANCES = 3;

describe('a rolling restart of three instances during a wave, with a slow mail server', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  const running: AppProcess[] = [];
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    for (const app of running) if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await t.close();
    await smtp.close();
  });

  it('delivers exactly one invitation to each person; every instance stops cleanly', async () => {
    const env = {
      DATABASE_URL: t.db.url,
      APP_SECRET: TEST_APP_SECRET,
      DEMO: 'false',
      SMTP_URL: smtp.url,
      JOB_WORKERS: 'true',
      MAIL_BATCH_SIZE: '20',
      MAIL_CONNECTIONS: '1',
      LOG_LEVEL: 'log',
    };
    const start = async (): Promise<AppProcess> => {
      const app = startAppProcess({ ...env, PORT: String(await freePort()) });
      running.push(app);
      await until('an instance to listen', () => app.output().includes('inpulse listening'), app);
      return app;
    };
    const sent = async (): Promise<number> => {
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM mail_message WHERE status = 'sent'`,
      );
      return n;
    };

    // A second a mail, one connection an instance: the wave lasts minutes, however slowly the
    // instances start on a busy machine, so every stop falls in its middle.
    smtp.slow(1000);
    const instances: AppProcess[] = [];
    for (let i = 0; i < INSTANCES; i++) instances.push(await start());
    const { survey } = await createSurvey(t);
    const people = await createEmployees(t, PEOPLE);
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });

    const exits: (number | null)[] = [];
    let gaveBack = 0;
    for (let i = 0; i < INSTANCES; i++) {
      // In the middle of the wave, with mails at the server: stop one, start its replacement.
      const target = Math.round(((i + 1) * PEOPLE) / (INSTANCES + 2));
      await until(`${target} mails sent`, async () => (await sent()) >= target);
      await until('mails at the server', () => smtp.inFlight() > 0);
      instances[i].child.kill('SIGTERM');
      exits.push((await instances[i].exited).code);
      expect(instances[i].output()).toContain('stopped');
      if (instances[i].output().includes('gave back')) gaveBack += 1;
      instances[i] = await start();
    }
    // The deadline only ends a hung test: on a machine busy with the rest of the suite, the last
    // third of the wave (and the replacements' start) can take minutes.
    await until('every invitation sent', async () => (await sent()) === PEOPLE, undefined, 300_000);
    for (const app of instances) {
      app.child.kill('SIGTERM');
      exits.push((await app.exited).code);
    }

    expect(exits).toEqual(Array(INSTANCES * 2).fill(0));
    // The stops did fall in the middle of batches: claimed mails were given back, not left to
    // wait for their lease.
    expect(gaveBack).toBeGreaterThan(0);
    const twice = people.filter((p) => smtp.countTo(p.email) !== 1).map((p) => p.email);
    expect(twice).toEqual([]);
    expect(smtp.mails).toHaveLength(PEOPLE);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1 AND sent_at IS NOT NULL`,
      [survey.id],
    );
    expect(n).toBe(PEOPLE);
    const [{ over }] = await t.dataSource.query(
      `SELECT count(*)::int AS over FROM mail_message WHERE attempts <> 1`,
    );
    expect(over).toBe(0); // nothing went twice to the server, nothing waited for a lease
  }, 600_000);
});
