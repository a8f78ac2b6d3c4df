import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { provisionAppDatabase } from '../../src/database/app-role';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { migrateWithLock } from '../../src/database/migrate';
import { freePort } from './free-port';
import { PGBOUNCER, pgbouncerInstalled, startPgbouncer } from './pgbouncer';

/**
 * TEST_POOLER: `pgbouncer` starts PgBouncer in transaction mode in front of the test server, and
 * the apps of the e2e specs connect through it (test-app.ts); `off` does not. Unset: `pgbouncer`
 * when /usr/sbin/pgbouncer is installed, so that `npm test` runs the e2e suite through it once.
 */
export function wantedPooler(env: NodeJS.ProcessEnv = process.env): 'pgbouncer' | 'off' {
  const given = env.TEST_POOLER?.trim().toLowerCase();
  if (given === undefined || given === '') return pgbouncerInstalled() ? 'pgbouncer' : 'off';
  if (given === 'pgbouncer' || given === 'off') return given;
  throw new Error(`TEST_POOLER must be pgbouncer or off (got "${env.TEST_POOLER}")`);
}

/**
 * Starts one real PostgreSQL for the whole run (embedded, unless TEST_DATABASE_URL names a
 * server where we may create databases and roles), migrates a template database once as the
 * app's own role (inpulse_app, not a superuser), and leaves its name in the environment; each
 * test file clones it (test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'inpulse-test-'));
    chmodSync(dir, 0o755); // PostgreSQL may run as another user when we are root
    const db = await startEmbeddedPostgres({
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      database: 'postgres',
    });
    (globalThis as Record<string, unknown>).__INPULSE_TEST_PG__ = { db, dir };
    adminUrl = db.adminUrl;
  }
  const template = `inpulse_tpl_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.end();

  // The app's own role (no superuser) owns the template and everything in it, as in production.
  const templateUrl = await provisionAppDatabase(adminUrl, template);
  const dataSource = createDataSource(templateUrl, { poolSize: 2 });
  await dataSource.initialize();
  await migrateWithLock(dataSource);
  await dataSource.destroy();
  const boss = new PgBoss({
    connectionString: templateUrl,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });

  process.env.INPULSE_TEST_ADMIN_URL = adminUrl;
  process.env.INPULSE_TEST_TEMPLATE = template;
  if (wantedPooler() === 'pgbouncer') {
    // Creating and cloning databases stays direct; only the apps go through it.
    const pooler = await startPgbouncer(adminUrl);
    (globalThis as Record<string, unknown>).__INPULSE_TEST_POOLER__ = pooler;
    process.env.INPULSE_TEST_POOLER_PORT = String(pooler.port);
    // Each test process whose app went through it leaves a file here (test-app.ts); the
    // teardown then checks that transactions did go through PgBouncer.
    process.env.INPULSE_TEST_POOLER_MARKS = mkdtempSync(join(tmpdir(), 'inpulse-pooled-'));
    process.stdout.write(
      `\ne2e apps connect through PgBouncer (transaction mode, port ${pooler.port})\n`,
    );
  } else
    process.stdout.write(
      `\ne2e apps connect to PostgreSQL directly, not through PgBouncer (${process.env.TEST_POOLER ? 'TEST_POOLER=off' : `${PGBOUNCER} is not installed`})\n`,
    );
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
