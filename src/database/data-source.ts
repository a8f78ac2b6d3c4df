import { DataSource, DataSourceOptions } from 'typeorm';
import type { PreparedStatementMode } from '../config/database-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface PoolOptions {
  poolSize?: number;
  /**
   * How long getting a connection may take — a new one, or a free one from a full pool —
   * before it fails (and the request with it: 503) instead of waiting for ever.
   */
  connectTimeoutMs?: number;
  /**
   * A hot standby (DATABASE_REPLICA_URL): TypeORM's replication then keeps a second pool on it.
   * Every statement still runs on the primary unless it asks for the replica (read-database.ts).
   */
  replicaUrl?: string;
  /** How prepared-query.ts sends the hot statements (DATABASE_PREPARED_STATEMENTS); `named` if unset. */
  preparedStatements?: PreparedStatementMode;
  /** statement_timeout of the replica's connections (query_timeout one second later). */
  replicaStatementTimeoutMs?: number;
}

/** `application_name` of each pool, so that pg_stat_activity tells them apart. */
export const APPLICATION_NAME = 'inpulse';
export const REPLICA_APPLICATION_NAME = 'inpulse-replica';

/** Options shared by the app, the migration CLI and the tests. Schema sync is never on. */
export function dataSourceOptions(url: string, extra: PoolOptions = {}): DataSourceOptions {
  return {
    type: 'postgres',
    uuidExtension: 'pgcrypto',
    ...(extra.replicaUrl === undefined
      ? { url, applicationName: APPLICATION_NAME }
      : {
          replication: {
            master: { url, applicationName: APPLICATION_NAME },
            slaves: [
              {
                url: withTimeouts(extra.replicaUrl, extra.replicaStatementTimeoutMs),
                applicationName: REPLICA_APPLICATION_NAME,
              },
            ],
            // TypeORM would send every SELECT to the replica; only the reads that say so go.
            defaultMode: 'master',
          },
        }),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    // TypeORM would log failed queries with their parameters: answers and addresses. Errors
    // reach the error filter instead, which logs no data.
    logging: false,
    poolSize: extra.poolSize ?? 20,
    connectTimeoutMS: extra.connectTimeoutMs ?? 5_000,
    // An idle connection that breaks (a reset, a failover) is dropped by the pool and the next
    // query opens a new one; without a listener its 'error' event would end the process.
    poolErrorHandler: () => undefined,
    // Read back by prepared-query.ts (pg ignores what it does not know).
    extra: { preparedStatements: extra.preparedStatements ?? 'named' },
  };
}

/**
 * The replica's URL with its timeouts, which `pg` reads from the URL: the server cancels a
 * statement after `statement_timeout`, and the client gives up one second later (a replica that
 * no longer answers at all, packets dropped), so that the read falls back to the primary.
 */
export function withTimeouts(url: string, statementTimeoutMs: number | undefined): string {
  if (statementTimeoutMs === undefined) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('statement_timeout', String(statementTimeoutMs));
  parsed.searchParams.set('query_timeout', String(statementTimeoutMs + 1_000));
  return parsed.toString();
}

export function createDataSource(url: string, extra: PoolOptions = {}): DataSource {
  return new DataSource(dataSourceOptions(url, extra));
}
