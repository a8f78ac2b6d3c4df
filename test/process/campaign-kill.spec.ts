import { Client } from 'pg';
import { createCampaign, createEmployees, createTeam } from '../factories';
import { type AppProcess, freePort, startAppProcess, until } from '../setup/app-process';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_APP_SECRET } from '../setup/test-app';
import { createTestDatabase, type TestDatabase } from '../setup/test-database';

/**
 * The built app as a real process, killed with SIGKILL in the middle of opening a wave — its
 * invitations inserted, its mail being queued — then started again: the rest is delivered and
 * nobody gets the invitation twice, counted at the SMTP server started here. To stop the opening
 * at that exact point (and not by timing), the test holds a lock on the mail table that the
 * opening transaction waits for, and kills the process while it waits.
 */
const PEOPLE = 150;

describe('a wave survives its process being killed while it opens', () => {
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let pg: Client;
  let app: AppProcess | undefined;

  const start = async () => {
    const port = await freePort();
    app = startAppProcess({
      DATABASE_URL: db.url,
      DEMO: 'false',
      APP_SECRET: TEST_APP_SECRET,
      SMTP_URL: smtp.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      JOB_WORKERS: 'true',
      REPORTING_THRESHOLD: '3',
      LOG_LEVEL: 'warn',
    });
    return app;
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    if (app?.alive()) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await pg?.end();
    await db?.drop();
    await smtp?.close();
  });

  it('delivers every invitation exactly once after a SIGKILL and a restart', async () => {
    // The data, through the app's own services (an instance without workers, then closed).
    const setup = await startTestApp({ REPORTING_THRESHOLD: '3' }, { database: db });
    const desk = await createTeam(setup, 'Desk');
    const people = await createEmployees(setup, PEOPLE, { department: 'Killed' });
    const campaign = await createCampaign(setup, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Killed'] },
      cadence: { kind: 'once', start: '2027-01-04T10:00', timeZone: 'UTC' },
    });
    await setup.close();
    // The opening moved to a minute ago, so the wave is due as soon as the app starts.
    const opening = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await pg.query('UPDATE campaign SET start_local = $2 WHERE id = $1', [
      campaign.id,
      opening.toISOString().slice(0, 16),
    ]);

    // Whoever queues mail now waits for this lock: the opening stops after its invitations.
    await pg.query('BEGIN');
    await pg.query('LOCK TABLE mail_message IN SHARE ROW EXCLUSIVE MODE');
    const first = await start();
    await until(
      'the opening to wait on the mail table',
      async () => {
        // A transaction that has written invitations and waits for the mail table: the opening.
        const { rows } = await pg.query(
          `SELECT 1 FROM pg_locks w JOIN pg_locks h ON h.pid = w.pid
          WHERE NOT w.granted AND w.relation = 'mail_message'::regclass
            AND h.granted AND h.relation = 'invitation'::regclass AND h.mode = 'RowExclusiveLock'`,
        );
        return rows.length > 0;
      },
      first,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await pg.query('ROLLBACK');
    // The killed transaction is rolled back: no wave opened, no invitation, no mail.
    await until('the killed transaction to end', async () => {
      const { rows } = await pg.query(
        // This database's only: other test files' apps share the server.
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = 'inpulse' AND datname = current_database()`,
      );
      return rows[0].n === 0;
    });
    const { rows: before } = await pg.query(
      `SELECT w.status, (SELECT count(*) FROM invitation)::int AS invitations,
              (SELECT count(*) FROM mail_message WHERE invitation_id IS NOT NULL)::int AS mails
         FROM wave w WHERE w.campaign_id = $1`,
      [campaign.id],
    );
    expect(before).toEqual([{ status: 'scheduled', invitations: 0, mails: 0 }]);
    expect(smtp.mails.filter((m) => JSON.stringify(m.to).includes('person'))).toHaveLength(0);

    // Started again: it opens the wave and delivers everything, once.
    await start();
    await until(
      'every invitation mail to be sent',
      async () => {
        const { rows } = await pg.query(
          `SELECT count(*) FILTER (WHERE i.sent_at IS NOT NULL)::int AS sent, count(*)::int AS total
             FROM wave w JOIN invitation i ON i.survey_id = w.survey_id WHERE w.campaign_id = $1`,
          [campaign.id],
        );
        return rows[0].total === PEOPLE && rows[0].sent === PEOPLE;
      },
      app,
    );
    const recipients = smtp.mails
      .map((m) => (m.to as { text: string }).text.toLowerCase())
      .filter((r) => r.startsWith('person'));
    expect(recipients.sort()).toEqual(people.map((p) => p.email).sort());
  }, 240_000);
});
