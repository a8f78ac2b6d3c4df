import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { type AppConfig, loadConfig } from '../../src/config/app-config';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createTestDatabase, pooledUrl, type TestDatabase } from './test-database';

export const TEST_APP_SECRET = 'test-app-secret-0123456789abcdef0123456789';
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  /** The URL the app connects with: `db.url`, or the same through the run's PgBouncer. */
  appUrl: string;
  /** An admin-scoped API token, created for this app. */
  apiToken: string;
  /** An HTTP request through Fastify's injector (no socket); `api` adds the API token. */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  api(options: InjectOptions): Promise<LightMyRequestResponse>;
  get<T>(type: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/**
 * The real application on a database of its own. Job workers are off: tests call jobs directly.
 * `logStream` receives the JSON log lines (at LOG_LEVEL, 'error' unless given in `env`).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: {
    logStream?: NodeJS.WritableStream;
    /** Another instance's database (two instances against one database); not dropped here. */
    database?: TestDatabase;
    /**
     * Connect through the run's PgBouncer in transaction mode (TEST_POOLER), when it has one, or
     * through the one given. By default the e2e specs do (the whole e2e suite runs through it
     * once) and others do not.
     */
    pooler?: boolean | { through(url: string): string };
  } = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  const pooled =
    typeof options.pooler === 'object'
      ? options.pooler.through(db.url)
      : (options.pooler ?? /[\\/]test[\\/]e2e[\\/]/.test(expect.getState().testPath ?? ''))
        ? pooledUrl(db.url)
        : undefined;
  const config = loadConfig({
    DEMO: 'false',
    APP_SECRET: TEST_APP_SECRET,
    JOB_WORKERS: 'false',
    LOG_LEVEL: 'error',
    BASE_URL: 'http://localhost:3000',
    // A busy shared machine can keep a pool connection waiting past the 5 s default; tests check
    // what the app does, and test/process/database-faults.spec.ts checks this timeout itself.
    DATABASE_CONNECT_TIMEOUT_SECONDS: '60',
    // What an operator sets behind a transaction-mode PgBouncer (docs/pooler.md).
    ...(pooled
      ? { DATABASE_URL: pooled, DATABASE_DIRECT_URL: db.url, DATABASE_POOL_MODE: 'transaction' }
      : {}),
    ...env,
  }) as AppConfig;
  const marks = process.env.INPULSE_TEST_POOLER_MARKS;
  if (pooled && typeof options.pooler !== 'object' && marks)
    writeFileSync(join(marks, String(process.pid)), ''); // global-teardown.ts checks PgBouncer
  const appUrl = pooled ?? db.url;
  const app = await createApp(config, appUrl, { logStream: options.logStream });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const { value: apiToken } = await app
    .get(AccountsService)
    .createApiToken(undefined, { name: 'tests', scopes: ['admin'] });
  return {
    app,
    config,
    db,
    appUrl,
    apiToken,
    dataSource: app.get(DataSource),
    request: (options) => app.inject(options),
    api: (options) =>
      app.inject({
        ...options,
        headers: { authorization: `Bearer ${apiToken}`, ...(options.headers ?? {}) },
      }),
    get: (type) => app.get(type),
    async close() {
      await app.close();
      if (!options.database) await db.drop();
    },
  };
}
