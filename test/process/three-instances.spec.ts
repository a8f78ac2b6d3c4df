import { Client } from 'pg';
import { BACK_OFFS, RATE_LIMITS } from '../../src/common/rate-limit/rate-limit.service';
import { JobsService } from '../../src/jobs/jobs.service';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { SCHEDULE_QUEUE } from '../../src/modules/campaigns/waves.service';
import { MIX_QUEUE } from '../../src/modules/responses/responses.service';
import { TICKET_INVITE_QUEUE } from '../../src/modules/tickets/ticket-surveys.service';
import { createCampaign, createEmployees, createTeam } from '../factories';
import { createIntegration, signedHeaders, type TestIntegration } from '../factories/webhooks';
import { type AppProcess, freePort, startAppProcess, until } from '../setup/app-process';
import { HttpBrowser } from '../setup/http-browser';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * The reference deployment in small: three processes of the built app against one database —
 * two web-only (JOB_WORKERS=false), one running the jobs — behind what would be a load balancer
 * (here the test spreads its requests over them). Waves, mails, mixing and ticket surveys each
 * happen exactly once, counted at the SMTP server started here and in the database; a session
 * works on every instance; rate limits count across them.
 */
const PEOPLE = 12;
const ANSWERING = 8;

describe('three instances (two web-only, one with the jobs) against one database', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let pg: Client;
  let web: [AppProcess, AppProcess];
  let worker: AppProcess;
  const url = new Map<AppProcess, string>();
  const all = () => [web[0], web[1], worker];
  const base = (app: AppProcess) => url.get(app)!;

  const one = async <T>(sql: string, values: unknown[] = []): Promise<T> =>
    (await pg.query(sql, values)).rows[0] as T;
  /** Enqueues a job as pg-boss's cron would (the test cannot wait for the minute). */
  const fire = (queue: string) => t.get(JobsService).send(queue, {});
  /**
   * No job of these queues is due, running or waiting to be retried (a retry's start_after is
   * seconds ahead: a double it sends would land after the counts): what was fired has been done.
   */
  const quiet = (queues: string[]) =>
    until(`${queues.join(', ')} to be done`, async () => {
      const { n } = await one<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job
          WHERE name = ANY($1)
            AND (state = 'retry' OR (state IN ('created', 'active') AND start_after <= now()))`,
        [queues],
      );
      return n === 0;
    });
  /**
   * The mails at the SMTP server once these queues are quiet, and the same again after a pause
   * and another quiet: nothing more arrives once the jobs are done (a late double would).
   */
  const settledMails = async (queues: string[]) => {
    await quiet(queues);
    const count = smtp.mails.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await quiet(queues);
    expect(smtp.mails.length).toBe(count);
  };

  let campaign: { id: string; questionnaireId: string };
  let opening: Date;
  /** Moves the campaign's (single) opening, as the clock cannot be; and its wave's, if open. */
  const openingAt = async (at: Date) => {
    opening = at;
    await pg.query('UPDATE campaign SET start_local = $2 WHERE id = $1', [
      campaign.id,
      at.toISOString().slice(0, 16),
    ]);
    await pg.query('UPDATE wave SET opens_at = $2 WHERE campaign_id = $1', [campaign.id, at]);
  };
  let people: { id: string; email: string }[];
  let integration: TestIntegration;
  let requesters: { email: string }[];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const settings = {
      SMTP_URL: smtp.url,
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '4',
      // Decided tickets are invited at the next batch, however few.
      TICKET_INVITE_MAX_WAIT_HOURS: '0',
    };
    t = await startTestApp(settings);
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();

    // The data, through the app's own services.
    const desk = await createTeam(t, 'Desk');
    people = await createEmployees(t, PEOPLE, { department: 'Three' });
    requesters = await createEmployees(t, 4, { department: 'Tickets' });
    campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Three'] },
      cadence: { kind: 'once', start: '2027-01-04T10:00', timeZone: 'UTC' },
      reminderDays: [1],
    });
    // Its opening moved to a minute ago (the clock cannot be): due as soon as the worker starts.
    await openingAt(new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000));
    integration = await createIntegration(t, 'generic', {
      defaultTeam: desk.slug,
      delayMinutes: 0,
    });

    const env = {
      ...settings,
      DATABASE_URL: t.db.url,
      APP_SECRET: TEST_APP_SECRET,
      DEMO: 'false',
      // Every instance is reached at one public address, through a proxy that says who asked.
      BASE_URL: 'http://localhost:3000',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'log',
    };
    const start = async (jobWorkers: boolean) => {
      const port = await freePort();
      const app = startAppProcess({ ...env, PORT: String(port), JOB_WORKERS: String(jobWorkers) });
      url.set(app, `http://127.0.0.1:${port}`);
      return app;
    };
    web = [await start(false), await start(false)];
    worker = await start(true);
    for (const app of all())
      await until('an instance to listen', () => app.output().includes('inpulse listening'), app);
  }, 240_000);

  afterAll(async () => {
    for (const app of url.keys()) {
      if (!app.alive()) continue;
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await pg?.end();
    await t?.close();
    await smtp?.close();
  });

  const mailsTo = (email: string, subject?: RegExp) =>
    smtp.mails.filter(
      (m) =>
        JSON.stringify(m.to).toLowerCase().includes(email.toLowerCase()) &&
        (!subject || subject.test(m.subject ?? '')),
    );
  const tokenOf = (email: string) =>
    mailsTo(email)[0]?.text?.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1] as string;
  const wave = () =>
    one<{ id: string; survey_id: string; status: string; reminders_sent: number }>(
      'SELECT id, survey_id, status, reminders_sent FROM wave WHERE campaign_id = $1',
      [campaign.id],
    );

  it('opens the wave once: one invitation mail per person', async () => {
    // The scheduler fires again and again (as its cron would on a busy minute).
    for (let i = 0; i < 3; i++) await fire(SCHEDULE_QUEUE);
    await until('the wave’s invitations to be sent', async () => {
      const { sent } = await one<{ sent: number }>(
        `SELECT count(*)::int AS sent FROM wave w JOIN invitation i ON i.survey_id = w.survey_id
          WHERE w.campaign_id = $1 AND i.sent_at IS NOT NULL`,
        [campaign.id],
      );
      return sent === PEOPLE;
    });
    await settledMails([SCHEDULE_QUEUE, 'wave.open', 'mail.send', 'mail.sweep']);
    const { waves } = await one<{ waves: number }>(
      'SELECT count(*)::int AS waves FROM wave WHERE campaign_id = $1',
      [campaign.id],
    );
    expect(waves).toBe(1);
    expect((await wave()).status).toBe('open');
    expect(people.map((p) => mailsTo(p.email).length)).toEqual(Array(PEOPLE).fill(1));
  }, 240_000);

  it('takes answers on both web instances; reminds the others once; mixes once, on the worker', async () => {
    const [{ id: nps }] = (
      await pg.query(`SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'nps'`, [
        campaign.questionnaireId,
      ])
    ).rows;
    // Each answer's page from one web instance, its post to the other: nothing is kept between.
    const answered = people.slice(0, ANSWERING);
    const statuses = await Promise.all(
      answered.map(async (person, i) => {
        const browser = new HttpBrowser();
        const token = tokenOf(person.email);
        const page = await browser.get(base(web[i % 2]), `/s/${token}`);
        expect(page.status).toBe(200);
        const done = await browser.post(
          base(web[(i + 1) % 2]),
          `/s/${token}`,
          { [`t0_q_${nps}`]: String(i % 11) },
          page,
        );
        return done.status;
      }),
    );
    expect(statuses).toEqual(Array(ANSWERING).fill(200));

    // Two days later (the opening moved back): the reminder is due; fired three times.
    const { id: waveId, survey_id: surveyId } = await wave();
    await openingAt(new Date(opening.getTime() - 2 * 86_400_000));
    for (let i = 0; i < 3; i++) await fire(SCHEDULE_QUEUE);
    await until('the reminder to be recorded', async () => (await wave()).reminders_sent === 1);
    await pg.query(
      `UPDATE mail_message SET due_at = now() WHERE status = 'queued'
          AND invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
      [surveyId],
    );
    await fire('mail.sweep');
    await until('the reminders to be sent', async () => {
      const { waiting } = await one<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM mail_message
          WHERE status IN ('queued', 'sending')
            AND invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
        [surveyId],
      );
      return waiting === 0;
    });
    await settledMails([SCHEDULE_QUEUE, 'wave.remind', 'mail.send', 'mail.sweep']);
    expect((await wave()).reminders_sent).toBe(1);
    // Who answered got the invitation only; the others it and one reminder.
    expect(people.map((p) => mailsTo(p.email).length)).toEqual([
      ...Array(ANSWERING).fill(1),
      ...Array(PEOPLE - ANSWERING).fill(2),
    ]);

    // The window ends (moved, as above); the wave closes and the mixer runs, fired three times.
    await pg.query(`UPDATE wave SET closes_at = now() - interval '2 minutes' WHERE id = $1`, [
      waveId,
    ]);
    await pg.query(`UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`, [
      surveyId,
    ]);
    await fire(SCHEDULE_QUEUE);
    await until('the wave to close', async () => (await wave()).status === 'closed');
    for (let i = 0; i < 3; i++) await fire(MIX_QUEUE);
    await quiet([MIX_QUEUE]);
    const released = await one<{ responses: number; pending: number; released: boolean }>(
      `SELECT (SELECT count(*) FROM response WHERE survey_id = $1)::int AS responses,
              (SELECT count(*) FROM pending_response WHERE survey_id = $1)::int AS pending,
              (SELECT released FROM survey WHERE id = $1) AS released`,
      [surveyId],
    );
    expect(released).toEqual({ responses: ANSWERING, pending: 0, released: true });
    expect(
      (await pg.query('SELECT 1 FROM wave WHERE campaign_id = $1', [campaign.id])).rowCount,
    ).toBe(1);
    const { answered: marked } = await one<{ answered: number }>(
      `SELECT count(*)::int AS answered FROM invitation WHERE survey_id = $1 AND answered`,
      [surveyId],
    );
    expect(marked).toBe(ANSWERING);
    // The release ran on the worker, once; the web instances mix nothing.
    expect(worker.output().match(/released \d+ response/g)).toEqual([
      `released ${ANSWERING} response`,
    ]);
    for (const app of web) expect(app.output()).not.toMatch(/released \d+ response/);
  }, 300_000);

  it('gives each ticket one event and one survey mail, wherever its webhooks land', async () => {
    const at = Date.now() - 60_000;
    const delivery = (person: { email: string }, ticket: string) => {
      const body = JSON.stringify({
        type: 'ticket.resolved',
        occurredAt: new Date(at).toISOString(),
        ticket: {
          id: ticket,
          requester: { email: person.email },
          createdAt: new Date(at - 3_600_000).toISOString(),
          resolvedAt: new Date(at).toISOString(),
        },
      });
      const headers = signedHeaders('generic', integration.secret, body, { id: `msg_${ticket}` });
      return (app: AppProcess) =>
        fetch(`${base(app)}/webhooks/${integration.id}`, { method: 'POST', headers, body }).then(
          (res) => res.status,
        );
    };
    const sends = requesters.map((person, i) => delivery(person, `THREE-${i}`));
    // One each on an instance of its own…
    expect([await sends[0](web[0]), await sends[1](web[1]), await sends[2](worker)]).toEqual([
      202, 202, 202,
    ]);
    // …one delivered to two instances at the same time, and a retry of the first to another.
    const both = await Promise.all([sends[3](web[0]), sends[3](web[1])]);
    expect(both.sort()).toEqual([200, 202]);
    expect(await sends[0](web[1])).toBe(200);

    const { events, receipts } = await one<{ events: number; receipts: number }>(
      `SELECT (SELECT count(*) FROM ticket_event WHERE integration_id = $1)::int AS events,
              (SELECT count(*) FROM ticket_event_receipt)::int AS receipts`,
      [integration.id],
    );
    expect({ events, receipts }).toEqual({ events: 4, receipts: 4 });
    await until('every ticket’s survey to be decided', async () => {
      const { pending } = await one<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM ticket_event
          WHERE integration_id = $1 AND survey_state IS DISTINCT FROM 'sent'`,
        [integration.id],
      );
      return pending === 0;
    });
    // The invitation batch (every ten minutes on its cron), fired three times.
    for (let i = 0; i < 3; i++) await fire(TICKET_INVITE_QUEUE);
    await until('a survey mail to each requester', () =>
      requesters.every((p) => mailsTo(p.email).length >= 1),
    );
    await fire(TICKET_INVITE_QUEUE);
    await settledMails(['ticket.survey', TICKET_INVITE_QUEUE, 'mail.send', 'mail.sweep']);
    expect(requesters.map((p) => mailsTo(p.email).length)).toEqual([1, 1, 1, 1]);
  }, 240_000);

  it('keeps a session on every instance; signing out on one ends it on all', async () => {
    const accounts = t.get(AccountsService);
    const email = 'hr.three@example.com';
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'HR',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    const browser = new HttpBrowser({ 'x-forwarded-for': '10.3.0.1' });
    const form = await browser.get(base(web[0]), '/login');
    const signedIn = await browser.post(
      base(web[0]),
      '/login',
      { email, password: TEST_PASSWORD },
      form,
    );
    expect(signedIn.status).toBe(303);
    for (const app of all())
      expect((await browser.get(base(app), '/account/password')).status).toBe(200);

    const page = await browser.get(base(web[1]), '/account/password');
    const signedOut = await browser.post(base(web[1]), '/logout', {}, page);
    expect(signedOut.status).toBe(303);
    // The old cookie, sent again to the first instance: the session is over there too.
    const again = new HttpBrowser({ cookie: `inpulse_session=${sessionOf(signedIn)}` });
    const refused = await again.get(base(web[0]), '/account/password');
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toMatch(/^\/login/);
  });

  it('holds rate limits counted across the three instances', async () => {
    // Unknown survey links from one address, spread over the instances: the limit is shared.
    const { limit } = RATE_LIMITS.linkMissPerIp;
    const guesser = new HttpBrowser({ 'x-forwarded-for': '10.3.0.2' });
    const guess = () => 'x'.repeat(20) + Math.random().toString(36).slice(2, 25).padEnd(23, 'y');
    for (let i = 0; i < limit; i++)
      expect((await guesser.get(base(all()[i % 3]), `/s/${guess()}`)).status).toBe(404);
    for (const app of all())
      expect((await guesser.get(base(app), `/s/${guess()}`)).status).toBe(429);

    // Wrong passwords for one account from one address: the free tries are shared too.
    const { free } = BACK_OFFS.login;
    const attacker = new HttpBrowser({ 'x-forwarded-for': '10.3.0.3' });
    const attempt = async (app: AppProcess) => {
      const form = await attacker.get(base(app), '/login');
      return (
        await attacker.post(
          base(app),
          '/login',
          { email: 'hr.three@example.com', password: 'no' },
          form,
        )
      ).status;
    };
    for (let i = 0; i < free; i++) expect(await attempt(all()[i % 3])).toBe(401);
    for (const app of all()) expect(await attempt(app)).toBe(429);
  });
});

/** The session id a sign-in answer set. */
function sessionOf(page: { headers: Headers }): string {
  const line = page.headers.getSetCookie().find((c) => c.startsWith('inpulse_session='));
  return line!.split(';')[0].slice('inpulse_session='.length);
}
