/* Administration from the command line:
 *   npm run cli -- create-admin <email> [name]
 * The password is read from INPULSE_ADMIN_PASSWORD, or generated and printed once.
 * Uses DATABASE_URL, or the embedded PostgreSQL of `npm start` (stop the app first). */
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { type AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createDataSource } from './database/data-source';
import type { EmbeddedDatabase } from './database/embedded-postgres';
import { demoSecret } from './database/instance-secrets';
import { migrateWithLock } from './database/migrate';
import { DomainError } from './common/errors/domain-error';
import { AccountsService } from './modules/accounts/accounts.service';
import { randomPassword } from './modules/accounts/passwords';

async function main(): Promise<number> {
  const [command, email, ...nameParts] = process.argv.slice(2);
  if (command !== 'create-admin' || !email) {
    console.error('usage: npm run cli -- create-admin <email> [name]');
    return 2;
  }
  Logger.overrideLogger(['error']);
  const env = loadConfig({ ...process.env, JOB_WORKERS: 'false', LOG_LEVEL: 'error' });
  let embedded: EmbeddedDatabase | undefined;
  let url = env.databaseUrl;
  if (!url) {
    // Loaded only without DATABASE_URL: the production image carries no embedded PostgreSQL.
    const { startEmbeddedPostgres } = await import('./database/embedded-postgres.js');
    embedded = await startEmbeddedPostgres({ ...env.embeddedPostgres, database: 'inpulse' });
    url = embedded.url;
  }
  try {
    // Migrations bypass a transaction-mode pooler (docs/pooler.md); the app may go through it.
    const dataSource = createDataSource(env.database.directUrl ?? url, { poolSize: 2 });
    await dataSource.initialize();
    await migrateWithLock(dataSource);
    const config: AppConfig = {
      ...env,
      appSecret: env.appSecret ?? (await demoSecret(dataSource, 'app_secret')),
    };
    await dataSource.destroy();
    const app = await createApp(config, url);
    await app.init();
    try {
      const given = process.env.INPULSE_ADMIN_PASSWORD;
      const password = given ?? randomPassword();
      await app
        .get(AccountsService)
        .createAdmin(email, nameParts.join(' ') || 'Administrator', password);
      process.stdout.write(
        `Created administrator ${email.toLowerCase()}${given ? '.' : ` with password ${password} (change it after signing in).`}\n`,
      );
      return 0;
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    const message =
      error instanceof ConfigError || error instanceof DomainError ? error.message : String(error);
    console.error(`inpulse cli: ${message}`);
    process.exit(1);
  });
