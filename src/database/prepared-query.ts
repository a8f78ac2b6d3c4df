import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

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
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}

/**
 * Runs `work` in a transaction on one client of TypeORM's pool, for a hot path whose statements
 * run as named prepared statements (`client.query({ name, text, values })`): BEGIN, then COMMIT
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
  work: (client: PoolClient) => Promise<{ value: T; rollback?: boolean }>,
): Promise<T> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => (broken ??= error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const { value, rollback } = await work(client);
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
