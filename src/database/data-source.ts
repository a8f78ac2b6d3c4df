import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Options shared by the app, the migration CLI and the tests. Schema sync is never on. */
export function dataSourceOptions(
  url: string,
  extra: { poolSize?: number } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    uuidExtension: 'pgcrypto',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    // TypeORM would log failed queries with their parameters: answers and addresses. Errors
    // reach the error filter instead, which logs no data.
    logging: false,
    poolSize: extra.poolSize ?? 20,
    applicationName: 'inpulse',
  };
}

export function createDataSource(url: string, extra: { poolSize?: number } = {}): DataSource {
  return new DataSource(dataSourceOptions(url, extra));
}
