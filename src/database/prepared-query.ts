import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Whether statements keep their name (DATABASE_PREPARED_STATEMENTS, set on the data source by
 * data-source.ts). A named statement lives on the server connection that parsed it; behind a
 * transaction-mode pooler older than PgBouncer 1.21 the next call may land on another one
 * ("prepared statement … does not exist", or "… already exists"), so there they go unnamed.
 */
function named(dataSource: DataSource): boolean {
  return (
    (dataSource.options.extra as { preparedStatements?: string })?.preparedStatements !== 'unnamed'
  );
}

/**
 * Runs a statement as a named prepared statement on the pg pool behind TypeORM. For the few
 * hot statements (the survey link lookup and the submit): TypeORM sends statements unnamed, and
 * PostgreSQL then plans them on every call, which costs more than executing them here.
 */
export async function preparedQuery<T>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
  /** Another pool of TypeORM's: the read replica's (read-database.ts); the primary's by default. */
  pool: Pool = (dataSource.driver as PostgresDriver).master as Pool,
): Promise<T[]> {
  const result = await pool.query(named(dataSource) ? { name, text, values } : { text, values });
  return result.rows as T[];
}

/** What `preparedTransaction`'s work may do with its client: run statements (named or not). */
export interface StatementClient {
  query(statement: { name: string; text: string; values: unknown[] }): Promise<QueryResult>;
}

/**
 * Runs `work` in a transaction on one client of TypeORM's pool, for a hot path whose statements
 * run as named prepared statements (`client.query({ name, text, values })`, unnamed when
 * `named` says so): BEGIN, then COMMIT
 * when `work` resolves (unless it answers `rollback`), ROLLBACK when it throws.
 *
 * While the client is checked out, nobody else listens to it: when its connection breaks (reset,
 * failover, the server going away), `pg` emits 'error' on it, and an 'error' event without a
 * listener ends the process. So the client has a listener of its own until it is given back, and
 * a broken client is given back as broken: the pool destroys it instead of lending it again.
 * The statement in flight fails with the same error, which reaches the caller (503, see
 * db-errors.ts); the server rolls back what the transaction had written.
 */
export async function preparedTransaction<T>(
  dataSource: DataSource,
  work: (client: StatementClient) => Promise<{ value: T; rollback?: boolean }>,
): Promise<T> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const client: PoolClient = await pool.connect();
  const statements: StatementClient = named(dataSource)
    ? client
    : { query: ({ text, values }) => client.query({ text, values }) };
  let broken: Error | undefined;
  const onError = (error: Error) => (broken ??= error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const { value, rollback } = await work(statements);
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
    throw error;
  } finally {
    client.release(broken);
    // After release: the pool has put its own listener on it by now, so it is never without one.
    client.removeListener('error', onError);
  }
}
