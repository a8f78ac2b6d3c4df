import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { MIGRATIONS } from '../../src/database/migrations';
import { preparedQuery } from '../../src/database/prepared-query';
import { ReviewsRepository } from '../../src/modules/reviews/reviews.repository';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TicketSurveysRepository } from '../../src/modules/tickets/ticket-surveys.repository';
import {
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  openSurvey,
  submitSurvey,
} from '../factories';
import { call, freePort, startAppProcess, until } from '../setup/app-process';
import { type Pooler, pgbouncerInstalled, startPgbouncer } from '../setup/pgbouncer';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';
import { createTestDatabase, type TestDatabase, urlFor } from '../setup/test-database';

/**
 * inpulse behind PgBouncer 1.18 in transaction mode (docs/pooler.md): each transaction may run on
 * another server connection, so nothing may rely on session state. Skipped only where PgBouncer
 * is missing and TEST_POOLER=off says so; elsewhere a missing PgBouncer fails here.
 */
const run = pgbouncerInstalled() || process.env.TEST_POOLER !== 'off' ? describe : describe.skip;

/** The start-up lock's key (src/database/migrate.ts). */
const STARTUP_LOCK_KEY = 7_215_301_914;

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

run('through PgBouncer in transaction mode', () => {
  let pooler: Pooler;
  let t: TestApp;
  beforeAll(async () => {
    // Fewer server connections than the app's pool has clients: they are shared, as in production.
    pooler = await startPgbouncer(process.env.INPULSE_TEST_ADMIN_URL as string, { poolSize: 5 });
    t = await startTestApp({}, { pooler });
  });
  afterAll(async () => {
    await t?.close();
    await pooler?.stop();
  });

  it('named statements collide on 1.18, so they go unnamed in transaction mode', async () => {
    // One server connection for two of the app's clients: what the first one prepares is there
    // when the second prepares the same name ("already exists"), and what one client prepared on
    // one server connection is missing on another ("does not exist").
    const narrow = await startPgbouncer(process.env.INPULSE_TEST_ADMIN_URL as string, {
      poolSize: 1,
    });
    const attempt = async (preparedStatements: 'named' | 'unnamed') => {
      const dataSource = createDataSource(narrow.through(t.db.url), {
        poolSize: 2,
        preparedStatements,
      });
      await dataSource.initialize();
      try {
        return await Promise.allSettled(
          [1, 2, 3, 4].map((n) =>
            preparedQuery<{ n: number }>(dataSource, 'pooler_probe', 'SELECT $1::int AS n', [n]),
          ),
        );
      } finally {
        await dataSource.destroy();
      }
    };
    try {
      const named = await attempt('named');
      const failures = named.filter((r) => r.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      expect(String((failures[0] as PromiseRejectedResult).reason)).toMatch(
        /prepared statement "pooler_probe" (already exists|does not exist)/,
      );
      const unnamed = await attempt('unnamed');
      expect(unnamed.map((r) => (r.status === 'fulfilled' ? r.value[0].n : r.reason))).toEqual([
        1, 2, 3, 4,
      ]);
    } finally {
      await narrow.stop();
    }
  });

  it('serves the hot prepared paths (link lookup, submit) to many people at once', async () => {
    expect(t.config.database.poolMode).toBe('transaction');
    expect(t.config.database.preparedStatements).toBe('unnamed');
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, 12);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const [nps] = questions;
    const answers = await Promise.all(
      tokens.map(async (token, i) => {
        const session = await openSurvey(t, token);
        expect(session.page.statusCode).toBe(200);
        return submitSurvey(t, token, { [`q_${nps.id}`]: String(i % 11) }, session);
      }),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(tokens.map(() => 200));
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM pending_response WHERE survey_id = $1',
      [survey.id],
    );
    expect(n).toBe(12);
    // The app's connections were PgBouncer's clients.
    const clients = await pooler.show('CLIENTS');
    expect(clients.filter((c) => c.database === t.db.name).length).toBeGreaterThan(0);
  });

  /** Runs `once` twice at the same moment: one creates, the other waits and finds it. */
  async function twiceAtOnce(
    once: (create: () => Promise<string>) => Promise<string>,
  ): Promise<{ ids: string[]; created: number }> {
    let created = 0;
    const waiting = () =>
      withClient(urlFor(t.db.name), async (admin) => {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
          [t.db.name],
        );
        return rows[0].n > 0;
      });
    const create = async () => {
      created++;
      // The other caller reaches the lock and waits there before this one goes on (or, were the
      // lock not held, makes its own: then `created` says so).
      await until('the other caller to wait for the lock', waiting, undefined, 20_000).catch(
        () => undefined,
      );
      return (await createSurvey(t)).survey.id;
    };
    const ids = await Promise.all([once(create), once(create)]);
    return { ids, created };
  }

  it('two ticket survey runs at once still make one monthly survey (a lock of that team and month)', async () => {
    const team = await createTeam(t);
    const repository = t.get(TicketSurveysRepository);
    const { ids, created } = await twiceAtOnce((create) =>
      repository.ticketSurvey(team.id, '2026-11', create),
    );
    expect(created).toBe(1);
    expect(ids[1]).toBe(ids[0]);
    // Nothing stays locked behind the pooler once both are done.
    const { rows } = await withClient(urlFor(t.db.name), (admin) =>
      admin.query(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
        [t.db.name],
      ),
    );
    expect(rows[0].n).toBe(0);
  });

  it('two review requests at once still make one review survey (a lock of that team and month)', async () => {
    const team = await createTeam(t);
    const repository = t.get(ReviewsRepository);
    const { ids, created } = await twiceAtOnce((create) =>
      repository.reviewSurvey(team.id, '2026-11', create),
    );
    expect(created).toBe(1);
    expect(ids[1]).toBe(ids[0]);
  });
});

run('creating monthly surveys behind a small PgBouncer pool', () => {
  it("three teams' first review and ticket requests at once all finish on 2 server connections", async () => {
    // Waiting for another's creation must not hold a pooled connection the creator needs: with a
    // lock held in a pooled transaction, two waiters fill the pool and the holder's create()
    // queues in PgBouncer for ever (well, query_wait_timeout).
    const narrow = await startPgbouncer(process.env.INPULSE_TEST_ADMIN_URL as string, {
      poolSize: 2,
    });
    const t = await startTestApp({}, { pooler: narrow });
    try {
      const teams = [await createTeam(t), await createTeam(t), await createTeam(t)];
      // Each team's creation starts before any ends: teams do not wait for one another.
      let creating = 0;
      const create = async () => {
        creating++;
        await until('the three teams to be creating at once', () => creating % 3 === 0);
        return (await createSurvey(t)).survey.id;
      };
      const reviews = t.get(ReviewsRepository);
      const reviewIds = await Promise.all(
        teams.map((team) => reviews.reviewSurvey(team.id, '2026-12', create)),
      );
      expect(new Set(reviewIds).size).toBe(3);
      const tickets = t.get(TicketSurveysRepository);
      const ticketIds = await Promise.all(
        teams.map((team) => tickets.ticketSurvey(team.id, '2026-12', create)),
      );
      expect(new Set(ticketIds).size).toBe(3);
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM review_survey WHERE period = '2026-12'`,
      );
      expect(n).toBe(3);
    } finally {
      await t.close();
      await narrow.stop();
    }
  }, 180_000);
});

run('starting behind PgBouncer in transaction mode', () => {
  let pooler: Pooler;
  let db: TestDatabase;
  afterAll(async () => {
    await pooler?.stop();
    await db?.drop();
  });

  it('migrates and takes the start-up lock on DATABASE_DIRECT_URL, then serves through the pooler', async () => {
    pooler = await startPgbouncer(process.env.INPULSE_TEST_ADMIN_URL as string, { poolSize: 5 });
    db = await createTestDatabase({ empty: true });
    const admin = new Client({ connectionString: urlFor(db.name) });
    await admin.connect();
    const port = await freePort();
    const app = startAppProcess({
      PORT: String(port),
      DATABASE_URL: pooler.through(db.url),
      DATABASE_DIRECT_URL: db.url,
      DATABASE_POOL_MODE: 'transaction',
      DEMO: 'false',
      APP_SECRET: TEST_APP_SECRET,
      JOB_WORKERS: 'false',
      INITIAL_ADMIN_EMAIL: 'first.admin@example.com',
      INITIAL_ADMIN_PASSWORD: 'a long enough password',
    });
    try {
      // Another instance holds the start-up lock: this one waits, polling on a session of its own.
      await admin.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
      let poller: number | undefined;
      await until(
        'the instance to poll for the start-up lock',
        async () => {
          const { rows } = await admin.query(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = $1 AND query LIKE '%pg_try_advisory_lock%' AND pid <> pg_backend_pid()`,
            [db.name],
          );
          poller = rows[0]?.pid;
          return poller !== undefined;
        },
        app,
      );
      // That session is the server's own, not one of PgBouncer's server connections.
      const servers = await pooler.show('SERVERS');
      expect(servers.map((s) => Number(s.remote_pid))).not.toContain(poller);
      expect((await call(`http://127.0.0.1:${port}/readyz`))?.status).toBe(503);
      const { rows: before } = await admin.query(
        `SELECT to_regclass('typeorm_migrations') IS NOT NULL AS migrated`,
      );
      expect(before[0].migrated).toBe(false);

      await admin.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
      await until(
        'the instance to serve',
        async () => (await call(`http://127.0.0.1:${port}/readyz`))?.status === 200,
        app,
      );
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM typeorm_migrations');
      expect(rows[0].n).toBe(MIGRATIONS.length);
      const clients = await pooler.show('CLIENTS');
      expect(clients.filter((c) => c.database === db.name).length).toBeGreaterThan(0);
      const { rows: locks } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_locks
          WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)`,
        [db.name],
      );
      expect(locks[0].n).toBe(0);
    } finally {
      await admin.end();
      if (app.alive()) app.child.kill('SIGTERM');
      await app.exited;
    }
  }, 300_000);
});

run('job workers behind PgBouncer in transaction mode', () => {
  it('pg-boss takes and runs the jobs through the pooler: invitations go out with no direct call', async () => {
    const pooler = await startPgbouncer(process.env.INPULSE_TEST_ADMIN_URL as string, {
      poolSize: 5,
    });
    const t = await startTestApp({ JOB_WORKERS: 'true' }, { pooler });
    try {
      const { survey } = await createSurvey(t);
      const people = await createEmployees(t, t.config.mixBatchSize);
      await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
      // Sent by the `mail.send` workers (pg-boss polling and completing through PgBouncer).
      await until('the invitations in the outbox', async () => {
        const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM outbox_message');
        return n === people.length;
      });
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM mail_message WHERE status <> 'sent'`,
      );
      expect(n).toBe(0);
    } finally {
      await t.close();
      await pooler.stop();
    }
  });
});
