import { Client } from 'pg';
import { freePort, startAppProcess, until } from '../setup/app-process';
import { TEST_APP_SECRET } from '../setup/test-app';
import { createTestDatabase, type TestDatabase } from '../setup/test-database';

/**
 * Two fresh instances of the built app started at the same moment against one empty database,
 * as a deployment of two replicas starts: both serve, neither trips over the other's first
 * administrator or demo seed (they take turns under the start-up lock), and the database holds
 * one of each.
 */
describe('two instances starting at once on an empty database', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('both start; one first administrator, one demo organisation, the same banner', async () => {
    db = await createTestDatabase({ empty: true });
    const env = {
      DATABASE_URL: db.url,
      DEMO: 'true',
      APP_SECRET: TEST_APP_SECRET,
      JOB_WORKERS: 'false',
      INITIAL_ADMIN_EMAIL: 'first.admin@example.com',
      INITIAL_ADMIN_PASSWORD: 'a long enough password',
    };
    const apps = [
      startAppProcess({ ...env, PORT: String(await freePort()) }),
      startAppProcess({ ...env, PORT: String(await freePort()) }),
    ];
    try {
      for (const app of apps)
        await until('the demo banner', () => app.output().includes('inpulse demo is ready'), app);
      const tokens = apps.map((app) => app.output().match(/API token: +(\S+)/)![1]);
      expect(tokens[1]).toBe(tokens[0]);
      const created = apps.filter((app) =>
        app.output().includes('created the first administrator'),
      );
      expect(created).toHaveLength(1);
      const seeded = apps.filter((app) => app.output().includes('seeding demo data'));
      expect(seeded).toHaveLength(1);

      const pg = new Client({ connectionString: db.url });
      await pg.connect();
      try {
        const {
          rows: [counts],
        } = await pg.query(
          `SELECT (SELECT count(*) FROM service_team)::int AS teams,
                  (SELECT count(*) FROM employee)::int AS employees,
                  (SELECT count(*) FROM campaign)::int AS campaigns,
                  (SELECT count(*) FROM app_user WHERE role = 'admin')::int AS admins`,
        );
        // 8 demo teams, 300 people, one campaign; the first administrator and the demo's.
        expect(counts).toEqual({ teams: 8, employees: 300, campaigns: 1, admins: 2 });
      } finally {
        await pg.end();
      }
    } finally {
      for (const app of apps) {
        if (app.alive()) app.child.kill('SIGTERM');
        await app.exited;
      }
    }
  }, 600_000);
});
