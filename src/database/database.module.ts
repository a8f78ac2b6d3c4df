import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { MetricsModule } from '../common/metrics/metrics.module';
import type { ReplicaConfig } from '../config/replica-config';
import { dataSourceOptions, type PoolOptions } from './data-source';
import { DATABASE_REPLICA, DATABASE_URL } from './database.tokens';
import { isConnectionError } from './db-errors';
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
            ...dataSourceOptions(url, { ...pool, replicaUrl: replica?.url }),
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
 * Opens the pools. TypeORM opens the replica's first and gives up when it cannot: a replica
 * that is away must not keep the app from starting, so the app then starts on the primary alone
 * and ReplicaHealth opens the replica's pool once it answers.
 */
async function initialize(options: PostgresDataSourceOptions): Promise<DataSource> {
  try {
    return await new DataSource(options).initialize();
  } catch (error) {
    if (!options.replication || !isConnectionError(error)) throw error;
    new Logger('ReplicaHealth').warn(
      'read replica away at start: starting on the primary alone, reads go to it',
    );
    const alone = { ...options, replication: { ...options.replication, slaves: [] } };
    return new DataSource(alone).initialize();
  }
}
