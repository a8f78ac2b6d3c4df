import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { MetricsModule } from '../common/metrics/metrics.module';
import type { ReplicaConfig } from '../config/replica-config';
import { dataSourceOptions, type PoolOptions } from './data-source';
import { DATABASE_REPLICA, DATABASE_URL } from './database.tokens';
import { connectionErrorLabel, isConnectionError } from './db-errors';
import { ReadDatabase } from './read-database';
import { ReplicaHealth } from './replica-health';

@Global()
@Module({})
export class DatabaseModule {
  /** `replica`: DATABASE_REPLICA_URL and its lag bound (docs/replicas.md); undefined: none. */
  static forRoot(url: string, pool: PoolOptions = {}, replica?: ReplicaConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MetricsModule,
        // No retries of its own at start: main.ts waits for the database (database-wait.ts).
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(url, {
              ...pool,
              replicaUrl: replica?.url,
              replicaStatementTimeoutMs:
                replica === undefined ? undefined : replica.statementTimeoutSeconds * 1_000,
            }),
            toRetry: () => false,
          }),
          dataSourceFactory: (options) => initialize(options as PostgresDataSourceOptions),
        }),
      ],
      providers: [
        { provide: DATABASE_URL, useValue: url },
        { provide: DATABASE_REPLICA, useValue: replica },
        ReplicaHealth,
        ReadDatabase,
      ],
      exports: [DATABASE_URL, ReadDatabase, ReplicaHealth],
    };
  }
}

/**
 * Opens the pools. TypeORM opens the replica's first, then the primary's, and gives up when one
 * cannot be opened. A replica that is away must not keep the app from starting: the app then
 * starts on the primary alone, and ReplicaHealth opens the replica's pool once it answers. A
 * primary that is away fails the start as before (main.ts waits for it).
 */
async function initialize(options: PostgresDataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  try {
    return await dataSource.initialize();
  } catch (error) {
    const opened = (dataSource.driver as PostgresDriver).slaves as Pool[];
    await Promise.all(opened.map((pool) => pool.end().catch(() => undefined)));
    if (!options.replication || opened.length > 0 || !isConnectionError(error)) throw error;
    new Logger('ReplicaHealth').warn(
      `read replica away at start (${connectionErrorLabel(error)}): starting on the primary alone, reads go to it`,
    );
    const alone = { ...options, replication: { ...options.replication, slaves: [] } };
    return new DataSource(alone).initialize();
  }
}
