import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `work` in a transaction on a connection of its own that first takes the advisory lock
 * `key` (pg_advisory_xact_lock): two callers with the same key take turns, and the lock ends
 * with the transaction — committed when `work` resolves, rolled back when it throws. A
 * session-level lock (pg_advisory_lock, then pg_advisory_unlock) would break behind a
 * transaction-mode pooler: the lock would stay on whichever server connection ran the first
 * statement, and the unlock might run on another (docs/pooler.md). `work` may use other
 * connections meanwhile (what it creates commits there; this transaction only holds the lock and
 * what `work` runs on `runner`).
 */
export async function underTransactionLock<T>(
  dataSource: DataSource,
  key: number,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      await runner.query('SELECT pg_advisory_xact_lock($1)', [key]);
      const value = await work(runner);
      await runner.commitTransaction();
      return value;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}
