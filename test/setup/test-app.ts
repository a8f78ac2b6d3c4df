import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { type AppConfig, loadConfig } from '../../src/config/app-config';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_API_KEY = 'test-admin-key-0123456789abcdef';
export const TEST_APP_SECRET = 'test-app-secret-0123456789abcdef0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  dataSource: DataSource;
  /** An HTTP request through Fastify's injector (no socket); `api` adds the admin key. */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  api(options: InjectOptions): Promise<LightMyRequestResponse>;
  get<T>(type: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** The real application on a database of its own. Job workers are off: tests call jobs directly. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    DEMO: 'false',
    ADMIN_API_KEY: TEST_API_KEY,
    APP_SECRET: TEST_APP_SECRET,
    JOB_WORKERS: 'false',
    LOG_LEVEL: 'error',
    BASE_URL: 'http://localhost:3000',
    ...env,
  }) as AppConfig;
  const app = await createApp(config, db.url);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    db,
    dataSource: app.get(DataSource),
    request: (options) => app.inject(options),
    api: (options) =>
      app.inject({
        ...options,
        headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(options.headers ?? {}) },
      }),
    get: (type) => app.get(type),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
