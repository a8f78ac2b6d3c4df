import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConfigError, EnvConfig, loadConfig, redactUrl } from './config/app-config';
import { createApp } from './app.factory';
import { logUnhandledRejections } from './common/errors/unhandled-rejections';
import { createLogger } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { isSuperuser } from './database/app-role';
import { probeDatabase, untilDatabaseAnswers } from './database/database-wait';
import { createDataSource } from './database/data-source';
import type { EmbeddedDatabase } from './database/embedded-postgres';
import { demoSecret } from './database/instance-secrets';
import { migrateWithLock, underStartupLock } from './database/migrate';
import { AccountsService } from './modules/accounts/accounts.service';
import { listenWhileStarting, type StartUpListener } from './modules/health/start-up-listener';

const logger = new Logger('inpulse');

/** Start-up: config, database (embedded unless DATABASE_URL), migrations, demo data, HTTP. */
async function bootstrap(): Promise<void> {
  let env: EnvConfig;
  try {
    // Readable lines on a terminal, JSON lines otherwise (LOG_FORMAT overrides).
    env = loadConfig(process.env, { terminal: process.stdout.isTTY === true });
    // Start-up messages go out in the same format as everything the app logs later.
    Logger.overrideLogger(new PinoNestLogger(createLogger(env.logLevel, undefined, env.logFormat)));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`inpulse cannot start.\n${error.message}\nSee README.md, "Configuration".`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  logUnhandledRejections();

  // DEMO_OIDC=true: a local identity provider with the demo's people, and inpulse pointed at it.
  let demoProvider: { issuer: string; close(): Promise<void> } | undefined;
  if (env.demoOidc) {
    const { startDemoProvider } = await import('./modules/sso/demo-provider.js');
    const started = await startDemoProvider(env);
    demoProvider = started.provider;
    env = { ...env, oidc: started.oidc };
    logger.log(`demo identity provider listening on ${started.provider.issuer}`);
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.databaseUrl;
  if (databaseUrl === undefined) {
    logger.log(`starting embedded PostgreSQL in ${env.embeddedPostgres.dataDir}`);
    // Loaded only here: with DATABASE_URL the package is never needed (the production image
    // leaves it out), nor are its exit hooks installed.
    const { startEmbeddedPostgres } = await import('./database/embedded-postgres.js');
    embedded = await startEmbeddedPostgres({
      dataDir: env.embeddedPostgres.dataDir,
      port: env.embeddedPostgres.port,
      database: 'inpulse',
      onLog: (line) => (line ? logger.debug(line) : undefined),
      onWarn: (message) => logger.warn(message),
    });
    databaseUrl = embedded.url;
  }
  // Migrations and the start-up lock bypass a transaction-mode pooler (docs/pooler.md).
  const directUrl = env.database.directUrl ?? databaseUrl;
  const stopEmbedded = async () => {
    if (embedded) await embedded.stop();
  };

  let starting: StartUpListener | undefined;
  try {
    // Until the app can serve, a bare listener holds its port: /healthz 200, /readyz 503 and why.
    starting = await listenWhileStarting({
      port: env.port,
      host: env.host,
      https: env.baseUrl.startsWith('https:'),
      reason: 'starting',
    });
    const listener = starting;
    const { app, config } = await untilDatabaseAnswers(
      () => prepareApp(env, databaseUrl, directUrl),
      {
        ...env.database,
        onRetry: ({ attempt, reason, pauseMs }) => {
          listener.setReason(`database unreachable (${reason})`);
          logger.warn(
            `database unreachable (${reason}): try ${attempt + 1} in ${(pauseMs / 1000).toFixed(1)} s`,
          );
        },
      },
    );
    await starting.close();
    starting = undefined;
    await app.listen({ port: config.port, host: config.host });
    logger.log(`inpulse listening on ${config.baseUrl} (database: ${redactUrl(databaseUrl)})`);

    if (config.demo) process.stdout.write(await demoBanner(app, config, directUrl, demoProvider));

    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      // Graceful: jobs stop taking work and finish what runs (mails at the server go out, the
      // ones not started are given back), in-flight requests finish, then the database goes.
      // All within SHUTDOWN_TIMEOUT_SECONDS (and a margin to close); past that, exit anyway.
      logger.log(`${signal} received: stopping (at most ${config.shutdownTimeoutSeconds} s)`);
      const deadline = setTimeout(
        () => {
          logger.error('stopping took too long: exiting with work unfinished');
          process.exit(1);
        },
        (config.shutdownTimeoutSeconds + 10) * 1000,
      );
      deadline.unref();
      try {
        await app.close();
      } catch (error) {
        logger.error(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
      await stopEmbedded();
      await demoProvider?.close();
      logger.log('stopped');
      process.exit(0);
    };
    // embedded-postgres installs its own signal hooks that stop PostgreSQL at once, under the
    // feet of requests and jobs still finishing; we stop it ourselves, after the app.
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (error) {
    await starting?.close();
    await stopEmbedded();
    throw error;
  }
}

/**
 * One try at everything that needs the database before the app may serve: migrations, the demo
 * secret, the app and its first administrator. Tried again while the database is unreachable.
 * Migrations and the start-up lock use `directUrl` (the server itself), the app `databaseUrl`.
 */
async function prepareApp(
  env: EnvConfig,
  databaseUrl: string,
  directUrl: string,
): Promise<{ app: NestFastifyApplication; config: AppConfig }> {
  const connectTimeoutMs = env.database.connectTimeoutSeconds * 1000;
  await probeDatabase(directUrl, connectTimeoutMs);
  if (databaseUrl !== directUrl) await probeDatabase(databaseUrl, connectTimeoutMs);
  const dataSource = createDataSource(directUrl, { poolSize: 2, connectTimeoutMs });
  await dataSource.initialize();
  let config: AppConfig;
  try {
    const applied = await migrateWithLock(dataSource);
    if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
    if (await isSuperuser((sql) => dataSource.query(sql)))
      logger.warn(
        'the database role is a superuser: run inpulse as a role of its own without superuser rights, owner of its database (README, "Security")',
      );
    config = {
      ...env,
      appSecret: env.appSecret ?? (await demoSecret(dataSource, 'app_secret')),
    };
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
  const app = await createApp(config, databaseUrl);
  try {
    // The first administrator exists before the first request is answered. Instances starting
    // at once take turns: one sets up the job queues and creates it, the others find them.
    await underStartupLock(directUrl, async () => {
      await app.init();
      await app.get(AccountsService).bootstrapAdmin();
    });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return { app, config };
}

/**
 * Demo mode only: seeds the demo organisation on an empty database and returns the banner (demo
 * accounts, API token, fresh survey links). Under the start-up lock, so that instances starting
 * together seed once and print the same accounts. The demo's code is loaded here, never in
 * production.
 */
async function demoBanner(
  app: NestFastifyApplication,
  config: AppConfig,
  directUrl: string,
  provider: { issuer: string } | undefined,
): Promise<string> {
  const { DemoService } = await import('./modules/demo/demo.service.js');
  const demo = app.get(DemoService);
  const { accounts, apiToken, links } = await underStartupLock(directUrl, async () => {
    await demo.seedIfEmpty();
    return { ...(await demo.demoAccounts()), links: await demo.liveLinks(3) };
  });
  let sso: string[] = [];
  if (provider) {
    const { demoProviderBanner } = await import('./modules/sso/demo-provider.js');
    sso = await underStartupLock(directUrl, () =>
      demoProviderBanner(app, provider, config.baseUrl),
    );
  }
  return (
    [
      '',
      '  inpulse demo is ready',
      `  sign in:        ${config.baseUrl}/login`,
      ...accounts.map(
        (a) => `    ${a.role.padEnd(7)} ${a.email.padEnd(22)} ${a.password}   (sees ${a.sees})`,
      ),
      `  API token:      ${apiToken}   (scope admin; Authorization: Bearer …)`,
      `  API docs:       ${config.baseUrl}/api/docs`,
      `  outbox:         ${config.baseUrl}/outbox  (as admin)`,
      `  for employees:  ${config.baseUrl}/services  (the service directory; SERVICES_ACCESS=${config.servicesAccess})`,
      '  survey links (one person each, single use):',
      ...links.map((l) => `    [${l.locale}] ${l.url}`),
      ...sso,
      '',
    ].join('\n') + '\n'
  );
}

bootstrap().catch((error: unknown) => {
  console.error('inpulse failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
