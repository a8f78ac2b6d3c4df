import { Client } from 'pg';
import { JobsService } from '../../src/jobs/jobs.service';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import {
  OPEN_QUEUE,
  REMIND_QUEUE,
  SCHEDULE_QUEUE,
} from '../../src/modules/campaigns/waves.service';
import { DIGEST_QUEUE, DigestService } from '../../src/modules/digest/digest.service';
import { SEND_QUEUE, SWEEP_QUEUE } from '../../src/modules/mail/mail-types';
import { MIX_QUEUE } from '../../src/modules/responses/responses.service';
import { TICKET_INVITE_QUEUE } from '../../src/modules/tickets/ticket-surveys.service';
import { SURVEY_QUEUE } from '../../src/modules/tickets/ticket-webhooks.service';
import { createCampaign, createEmployees, createTeam } from '../factories';
import { createIntegration, signedHeaders, type TestIntegration } from '../factories/webhooks';
import { type AppProcess, freePort, seam, startAppProcess, until } from '../setup/app-process';
import { HttpBrowser } from '../setup/http-browser';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * What docs/deployment.md promises of a second worker instance: two instances with
 * JOB_WORKERS=true (and one web-only) on one database and one SMTP server, both polling the same
 * queues. Nothing is done twice — counted at the SMTP server and in the database.
 *
 * Both workers are made to race, not left to chance: while the test holds a lock the jobs' work
 * waits on (a table or a row, in a transaction of its own), it fires several jobs of a queue and
 * lets go only once each worker has started one of them (a seam, test/setup/seams/job-ledger.cjs,
 * writes a line when a worker starts and ends a job: pg-boss records no worker). Mails are held
 * at the SMTP server until each worker has one in flight; each mail says which worker sent it
 * (its EHLO name, from SMTP_URL's `?name=`).
 */
const PEOPLE = 20;
const ANSWERING = 10;
const REQUESTERS = 6;
const ADMINS = 4;
const WORKERS = ['worker-a', 'worker-b'] as const;

describe('two worker instances (and one web-only) against one database', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let pg: Client;
  let web: AppProcess;
  const workers = new Map<(typeof WORKERS)[number], AppProcess>();
  const url = new Map<AppProcess, string>();
  const all = () => [web, ...workers.values()];
  const base = (app: AppProcess) => url.get(app)!;

  const one = async <T>(sql: string, values: unknown[] = []): Promise<T> =>
    (await pg.query(sql, values)).rows[0] as T;
  /** Enqueues a job as pg-boss's cron would (the test cannot wait for the minute). */
  const fire = async (queue: string, data: object = {}) =>
    (await t.get(JobsService).send(queue, data))!;

  /** The ids of the jobs of `queue` an instance's workers started (`start`) or finished. */
  const ledger = (app: AppProcess, what: 'start' | 'done', queue: string) =>
    [...app.output().matchAll(/^job-ledger (start|done) (\S+) (\S+)$/gm)]
      .filter((m) => m[1] === what && m[2] === queue)
      .map((m) => m[3]);

  /** The jobs of `queue` a worker has started and not finished. */
  const running = (app: AppProcess, queue: string) => {
    const done = new Set(ledger(app, 'done', queue));
    return ledger(app, 'start', queue).filter((id) => !done.has(id));
  };
  /**
   * Holds `lock` (statements in a transaction of the test's own, taking what the work of `queue`
   * waits on), runs `fire`, and lets go only once each worker has a job of `queue` running
   * (waiting on the lock): both then do that work at the same moment. Answers the jobs that
   * were running on both at that moment.
   */
  const holding = async (
    queue: string,
    lock: string[],
    fire: () => Promise<unknown>,
  ): Promise<string[]> => {
    const holder = new Client({ connectionString: t.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      for (const statement of lock) await holder.query(statement);
      await fire();
      await until(`each worker to be running a ${queue} job`, () =>
        [...workers.values()].every((w) => running(w, queue).length > 0),
      );
      const raced = [...workers.values()].flatMap((w) => running(w, queue));
      await holder.query('COMMIT');
      return raced;
    } finally {
      await holder.end();
    }
  };
  /** As `holding`, firing `count` jobs of `queue` (with `data`); answers all they are. */
  const race = async (queue: string, count: number, lock: string[], data: object = {}) => {
    let ids: string[] = [];
    const raced = await holding(queue, lock, async () => {
      ids = await Promise.all(Array.from({ length: count }, () => fire(queue, data)));
    });
    return [...ids, ...raced];
  };
  /**
   * Every one of `ids` finished, each by one worker only, and each worker finished some (those
   * running on both during the race are among them).
   */
  const ranOnBoth = async (queue: string, ids: string[]) => {
    const finishedBy = (id: string) =>
      [...workers.values()].filter((w) => ledger(w, 'done', queue).includes(id)).length;
    await until(`the ${queue} jobs to finish`, () => ids.every((id) => finishedBy(id) > 0));
    expect(ids.filter((id) => finishedBy(id) > 1)).toEqual([]);
    for (const w of workers.values())
      expect(ledger(w, 'done', queue).filter((id) => ids.includes(id)).length).toBeGreaterThan(0);
  };
  /**
   * Holds every mail at the SMTP server while `start` runs and until each worker has one in
   * flight there, then accepts them all: both workers were sending at the same moment.
   */
  const bothSending = async (start: () => Promise<unknown>) => {
    smtp.holdAfter(0);
    try {
      await start();
      await until('each worker to have a mail in flight', () =>
        WORKERS.every((name) => smtp.inFlightFrom().includes(name)),
      );
    } finally {
      smtp.release();
    }
  };

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
  /** The mails once these queues are quiet, and nothing more after a pause and another quiet. */
  const settledMails = async (queues: string[]) => {
    await quiet(queues);
    const count = smtp.mails.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await quiet(queues);
    expect(smtp.mails.length).toBe(count);
  };
  const mailsTo = (email: string) =>
    smtp.mails.filter((m) => JSON.stringify(m.to).toLowerCase().includes(email.toLowerCase()));
  const tokenOf = (email: string) =>
    mailsTo(email)[0]?.text?.match(/\/s\/([A-Za-z0-9_-]{43})/)?.[1] as string;
  /** Which workers sent these mails (EHLO names), each once. */
  const sendersOf = (mails: typeof smtp.mails) =>
    [...new Set(mails.map((m) => smtp.senderOf(m)))].sort();

  let campaign: { id: string; questionnaireId: string };
  let opening: Date;
  const openingAt = async (at: Date) => {
    opening = at;
    await pg.query('UPDATE campaign SET start_local = $2 WHERE id = $1', [
      campaign.id,
      at.toISOString().slice(0, 16),
    ]);
    await pg.query('UPDATE wave SET opens_at = $2 WHERE campaign_id = $1', [campaign.id, at]);
  };
  const wave = () =>
    one<{ id: string; survey_id: string; status: string; reminders_sent: number }>(
      'SELECT id, survey_id, status, reminders_sent FROM wave WHERE campaign_id = $1',
      [campaign.id],
    );
  let people: { id: string; email: string }[];
  let requesters: { email: string }[];
  let integration: TestIntegration;
  const admins = Array.from({ length: ADMINS }, (_, i) => `hr.two.${i}@example.com`);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const settings = {
      SMTP_URL: smtp.url,
      REPORTING_THRESHOLD: '3',
      MIX_BATCH_SIZE: '4',
      TICKET_INVITE_MAX_WAIT_HOURS: '0',
      // Many small mail jobs, one connection each: the two workers share them out.
      MAIL_BATCH_SIZE: '2',
      MAIL_CONNECTIONS: '1',
      // A refused mail is retried an hour later: only the sweep the test fires sends it sooner.
      MAIL_RETRY_SECONDS: '3600',
    };
    t = await startTestApp(settings);
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();

    const desk = await createTeam(t, 'Desk');
    people = await createEmployees(t, PEOPLE, { department: 'Two' });
    requesters = await createEmployees(t, REQUESTERS, { department: 'Tickets' });
    // Its schedule starts in the future: nothing is due until both workers are up.
    campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Two'] },
      cadence: { kind: 'once', start: '2027-01-04T10:00', timeZone: 'UTC' },
      reminderDays: [1],
    });
    integration = await createIntegration(t, 'generic', {
      defaultTeam: desk.slug,
      delayMinutes: 0,
    });
    // The digest's readers (their account invitations are mailed before the digest test).
    for (const email of admins)
      await t
        .get(AccountsService)
        .invite(undefined, { email, name: 'HR', role: 'admin', teamSlugs: [] });

    const env = {
      ...settings,
      DATABASE_URL: t.db.url,
      APP_SECRET: TEST_APP_SECRET,
      DEMO: 'false',
      BASE_URL: 'http://localhost:3000',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'log',
    };
    const start = async (extra: Record<string, string>, args: string[] = []) => {
      const port = await freePort();
      const app = startAppProcess({ ...env, ...extra, PORT: String(port) }, args);
      url.set(app, `http://127.0.0.1:${port}`);
      return app;
    };
    web = await start({ JOB_WORKERS: 'false' });
    for (const name of WORKERS)
      workers.set(
        name,
        await start(
          { JOB_WORKERS: 'true', SMTP_URL: `${smtp.url}/?name=${name}` },
          seam('job-ledger'),
        ),
      );
    for (const app of all())
      await until('an instance to listen', () => app.output().includes('inpulse listening'), app);
  }, 240_000);

  afterAll(async () => {
    smtp?.release();
    for (const app of url.keys()) {
      if (!app.alive()) continue;
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await pg?.end();
    await t?.close();
    await smtp?.close();
  });

  it('opens the wave once, on both workers at once: one invitation mail per person', async () => {
    // Opening due a minute ago (the clock cannot be moved).
    await openingAt(new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000));
    // Invitations wait (a lock on their table) while both workers try to open the wave.
    const opener = new Client({ connectionString: t.db.url });
    await opener.connect();
    await opener.query('BEGIN');
    await opener.query('LOCK TABLE invitation IN ACCESS EXCLUSIVE MODE');
    let opens: string[];
    try {
      // The scheduler on both workers at once (campaigns held meanwhile).
      const ticks = await race(SCHEDULE_QUEUE, 4, ['LOCK TABLE campaign IN ACCESS EXCLUSIVE MODE']);
      await until('the wave to be created', async () =>
        Boolean(
          (await pg.query('SELECT 1 FROM wave WHERE campaign_id = $1', [campaign.id])).rowCount,
        ),
      );
      await ranOnBoth(SCHEDULE_QUEUE, ticks);
      const { id } = await wave();
      // The opening job fired again and again (and the scheduler's own): each worker starts
      // one, which waits for the invitations.
      opens = await holding(OPEN_QUEUE, [], () =>
        Promise.all(Array.from({ length: 4 }, () => fire(OPEN_QUEUE, { waveId: id }))),
      );
      // The mails are held at the server until each worker has one in flight.
      await bothSending(() => opener.query('COMMIT'));
    } finally {
      await opener.end();
    }
    await ranOnBoth(OPEN_QUEUE, opens);
    await until('the wave’s invitations to be sent', async () => {
      const { sent } = await one<{ sent: number }>(
        `SELECT count(*)::int AS sent FROM wave w JOIN invitation i ON i.survey_id = w.survey_id
          WHERE w.campaign_id = $1 AND i.sent_at IS NOT NULL`,
        [campaign.id],
      );
      return sent >= PEOPLE;
    });
    await settledMails([SCHEDULE_QUEUE, OPEN_QUEUE, SEND_QUEUE, SWEEP_QUEUE]);

    const { waves, invitations } = await one<{ waves: number; invitations: number }>(
      `SELECT (SELECT count(*) FROM wave WHERE campaign_id = $1)::int AS waves,
              (SELECT count(*) FROM invitation i JOIN wave w ON w.survey_id = i.survey_id
                WHERE w.campaign_id = $1)::int AS invitations`,
      [campaign.id],
    );
    expect({ waves, invitations }).toEqual({ waves: 1, invitations: PEOPLE });
    expect((await wave()).status).toBe('open');
    expect(people.map((p) => mailsTo(p.email).length)).toEqual(Array(PEOPLE).fill(1));
    expect(sendersOf(people.flatMap((p) => mailsTo(p.email)))).toEqual([...WORKERS]);
    const opened = [...workers.values()].flatMap(
      (w) => w.output().match(/wave \S+ opened: \d+ invited/g) ?? [],
    );
    expect(opened).toEqual([`wave ${(await wave()).id} opened: ${PEOPLE} invited`]);
  }, 240_000);

  it('reminds once and releases the answers once, both workers racing', async () => {
    const [{ id: nps }] = (
      await pg.query(`SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'nps'`, [
        campaign.questionnaireId,
      ])
    ).rows;
    // Answers taken on all three instances: each page from one, its post to another.
    const answered = people.slice(0, ANSWERING);
    const statuses = await Promise.all(
      answered.map(async (person, i) => {
        const browser = new HttpBrowser();
        const token = tokenOf(person.email);
        const page = await browser.get(base(all()[i % 3]), `/s/${token}`);
        const done = await browser.post(
          base(all()[(i + 1) % 3]),
          `/s/${token}`,
          { [`t0_q_${nps}`]: String(i % 11) },
          page,
        );
        return done.status;
      }),
    );
    expect(statuses).toEqual(Array(ANSWERING).fill(200));

    // Two days later (the opening moved back): the reminder is due; both workers on it at once.
    const { id: waveId, survey_id: surveyId } = await wave();
    await openingAt(new Date(opening.getTime() - 2 * 86_400_000));
    // The reminders are refused for now (451): each goes back to the queue for a retry an hour
    // later (MAIL_RETRY_SECONDS), which the sweep will find due.
    const reminded = people.slice(ANSWERING);
    for (const person of reminded) smtp.reject(person.email, 451);
    const reminds = await race(
      REMIND_QUEUE,
      4,
      [`SELECT 1 FROM wave WHERE id = '${waveId}' FOR UPDATE`],
      { waveId },
    );
    await ranOnBoth(REMIND_QUEUE, reminds);
    expect((await wave()).reminders_sent).toBe(1);
    const retrying = async () =>
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM mail_message
            WHERE status = 'queued' AND attempts > 0 AND due_at > now()
              AND invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
          [surveyId],
        )
      ).n;
    await until(
      'each reminder to wait for its retry',
      async () => (await retrying()) === reminded.length,
    );
    smtp.clearRejects();
    // Their retries due now; the sweep on both workers at once, the mail table held until each
    // runs one (two senders claiming the same due mails), the mails held at the server until
    // each has one in flight.
    await pg.query(
      `UPDATE mail_message SET due_at = now() WHERE status = 'queued'
          AND invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
      [surveyId],
    );
    const sentBefore = smtp.mails.length;
    let sweeps: string[] = [];
    await bothSending(async () => {
      sweeps = await race(SWEEP_QUEUE, 2, ['LOCK TABLE mail_message IN ACCESS EXCLUSIVE MODE']);
    });
    await ranOnBoth(SWEEP_QUEUE, sweeps);
    await until('the reminders to be sent', async () => {
      const { waiting } = await one<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM mail_message
          WHERE status IN ('queued', 'sending')
            AND invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
        [surveyId],
      );
      return waiting === 0;
    });
    await settledMails([SCHEDULE_QUEUE, REMIND_QUEUE, SEND_QUEUE, SWEEP_QUEUE]);
    expect((await wave()).reminders_sent).toBe(1);
    expect(people.map((p) => mailsTo(p.email).length)).toEqual([
      ...Array(ANSWERING).fill(1),
      ...Array(PEOPLE - ANSWERING).fill(2),
    ]);
    expect(sendersOf(smtp.mails.slice(sentBefore))).toEqual([...WORKERS]);

    // The window ends (moved); the wave closes; the mixer on both workers at once, the survey
    // table held until each has started.
    await pg.query(`UPDATE wave SET closes_at = now() - interval '2 minutes' WHERE id = $1`, [
      waveId,
    ]);
    await pg.query(`UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`, [
      surveyId,
    ]);
    await fire(SCHEDULE_QUEUE);
    await until('the wave to close', async () => (await wave()).status === 'closed');
    const mixes = await race(MIX_QUEUE, 4, ['LOCK TABLE survey IN ACCESS EXCLUSIVE MODE']);
    await ranOnBoth(MIX_QUEUE, mixes);
    await quiet([MIX_QUEUE]);
    const released = await one<{ responses: number; pending: number; released: boolean }>(
      `SELECT (SELECT count(*) FROM response WHERE survey_id = $1)::int AS responses,
              (SELECT count(*) FROM pending_response WHERE survey_id = $1)::int AS pending,
              (SELECT released FROM survey WHERE id = $1) AS released`,
      [surveyId],
    );
    expect(released).toEqual({ responses: ANSWERING, pending: 0, released: true });
    // One release in all, of every answer (the report counts what the release wrote).
    const releases = [...workers.values()].flatMap(
      (w) => w.output().match(/released \d+ response/g) ?? [],
    );
    expect(releases).toEqual([`released ${ANSWERING} response`]);
    expect(web.output()).not.toMatch(/released \d+ response/);
    const { nps: scored } = await one<{ nps: number }>(
      `SELECT count(*)::int AS nps FROM answer ra JOIN response r ON r.id = ra.response_id
        WHERE r.survey_id = $1 AND ra.question_id = $2`,
      [surveyId, nps],
    );
    expect(scored).toBe(ANSWERING);
  }, 300_000);

  it('gives each ticket of a burst of webhooks one survey mail', async () => {
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
    // Every ticket's delivery sent to all three instances at the same moment.
    const statuses = await Promise.all(
      requesters.flatMap((person, i) => all().map(delivery(person, `TWO-${i}`))),
    );
    expect(statuses.filter((s) => s === 202)).toHaveLength(REQUESTERS);
    expect(statuses.every((s) => s === 200 || s === 202)).toBe(true);
    const { events } = await one<{ events: number }>(
      'SELECT count(*)::int AS events FROM ticket_event WHERE integration_id = $1',
      [integration.id],
    );
    expect(events).toBe(REQUESTERS);
    await until('every ticket’s survey to be decided', async () => {
      const { pending } = await one<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM ticket_event
          WHERE integration_id = $1 AND survey_state IS DISTINCT FROM 'sent'`,
        [integration.id],
      );
      return pending === 0;
    });
    // The invitation batch on both workers at once, its hand-overs held until each started.
    const sentBefore = smtp.mails.length;
    let invites: string[] = [];
    await bothSending(async () => {
      invites = await race(TICKET_INVITE_QUEUE, 4, [
        'LOCK TABLE pending_ticket_invitation IN ACCESS EXCLUSIVE MODE',
      ]);
    });
    await ranOnBoth(TICKET_INVITE_QUEUE, invites);
    await until('a survey mail to each requester', () =>
      requesters.every((p) => mailsTo(p.email).length >= 1),
    );
    await settledMails([SURVEY_QUEUE, TICKET_INVITE_QUEUE, SEND_QUEUE, SWEEP_QUEUE]);
    expect(requesters.map((p) => mailsTo(p.email).length)).toEqual(Array(REQUESTERS).fill(1));
    expect(sendersOf(smtp.mails.slice(sentBefore))).toEqual([...WORKERS]);
    const { invitations } = await one<{ invitations: number }>(
      `SELECT count(*)::int AS invitations FROM invitation i JOIN survey s ON s.id = i.survey_id
        WHERE s.source = 'ticket'`,
    );
    expect(invitations).toBe(REQUESTERS);
  }, 240_000);

  it('sends the weekly digest once to each reader, both workers ticking at once', async () => {
    await settledMails([SEND_QUEUE, SWEEP_QUEUE]);
    // Due today from midnight (UTC), whatever the day the test runs.
    const weekday = ((new Date().getUTCDay() + 6) % 7) + 1;
    await t.get(DigestService).saveSettings({
      enabled: 'true',
      weekday: String(weekday),
      hour: '0',
      grain: 'week',
      locale: 'en',
      timeZone: 'UTC',
    });
    const sentBefore = smtp.mails.length;
    let ticks: string[] = [];
    await bothSending(async () => {
      ticks = await race(DIGEST_QUEUE, 4, ['LOCK TABLE digest_sent IN ACCESS EXCLUSIVE MODE']);
    });
    await ranOnBoth(DIGEST_QUEUE, ticks);
    const digests = () => smtp.mails.slice(sentBefore);
    const digestsTo = (email: string) =>
      digests().filter((m) => JSON.stringify(m.to).toLowerCase().includes(email));
    await until('a digest to each admin', () => admins.every((a) => digestsTo(a).length >= 1));
    await settledMails([DIGEST_QUEUE, SEND_QUEUE, SWEEP_QUEUE]);
    expect(admins.map((a) => digestsTo(a).length)).toEqual(Array(ADMINS).fill(1));
    expect(digests()).toHaveLength(ADMINS);
    expect(sendersOf(digests())).toEqual([...WORKERS]);
    const { claimed } = await one<{ claimed: number }>(
      'SELECT count(*)::int AS claimed FROM digest_sent',
    );
    expect(claimed).toBe(ADMINS);
  }, 240_000);
});
