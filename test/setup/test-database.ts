import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_ROLE, APP_ROLE_PASSWORD } from '../../src/database/app-role';
import { dataSourceOptions } from '../../src/database/data-source';
import { MIGRATIONS } from '../../src/database/migrations';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.INPULSE_TEST_ADMIN_URL;
  if (!url) throw new Error('the test database was not set up (run the tests with npm test)');
  return url;
}

/** A superuser's connection to `database` (the adversary of the anonymity tests, set-up). */
export function urlFor(database: string): string {
  const parsed = new URL(adminUrl());
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The app's connection to `database`: its own role, not a superuser. */
export function appUrlFor(database: string): string {
  const parsed = new URL(urlFor(database));
  parsed.username = APP_ROLE;
  parsed.password = APP_ROLE_PASSWORD;
  return parsed.toString();
}

/**
 * `url` through the test run's PgBouncer (transaction mode; global-setup.ts, TEST_POOLER), or
 * undefined when the run has none.
 */
export function pooledUrl(url: string): string | undefined {
  const port = process.env.INPULSE_TEST_POOLER_PORT;
  if (!port) return undefined;
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = port;
  return parsed.toString();
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of this test file's own, cloned from the migrated template. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const template = process.env.INPULSE_TEST_TEMPLATE as string;
  const name = `${template}_${randomBytes(5).toString('hex')}`;
  await withAdmin((c) =>
    c.query(
      options.empty
        ? `CREATE DATABASE ${name} OWNER ${APP_ROLE}`
        : `CREATE DATABASE ${name} TEMPLATE ${template} OWNER ${APP_ROLE}`,
    ),
  );
  return {
    url: appUrlFor(name),
    name,
    drop: () =>
      withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * Applies the first `count` migrations to the database at `url` (an empty one): the schema as it
 * was before a migration, to seed data the old way and then upgrade it.
 */
export async function migrateUpTo(url: string, count: number): Promise<void> {
  const dataSource = new DataSource({
    ...dataSourceOptions(url, { poolSize: 2 }),
    migrations: MIGRATIONS.slice(0, count),
  });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
