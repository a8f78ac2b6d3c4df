import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Arbitrary, fixed key of the advisory lock one `retention.purge` run holds from start to end. */
export const RETENTION_LOCK_KEY = 7_215_301_915;

/** Ends a run's hold on the purge lock. */
export type ReleasePurgeLock = () => Promise<void>;

/**
 * The one lock of `retention.purge`, held for the whole run (not per batch), so that two runs
 * never overlap — not even a retry pg-boss starts after a run outlived its expiry while the first
 * still works. It is a transaction-scoped lock (pg_try_advisory_xact_lock) in a transaction of its
 * own that stays open, doing nothing else, until the run ends: a session-level lock would break
 * behind a transaction-mode pooler (docs/pooler.md), where the unlock could reach another server
 * connection. The transaction writes nothing and holds no snapshot between statements, so it
 * keeps no xid and does not hold back vacuum. A run whose connection dies loses the lock with it.
 */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The lock, or undefined when another run holds it. */
  async tryLock(): Promise<ReleasePurgeLock | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }]: { locked: boolean }[] = await runner.query(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [RETENTION_LOCK_KEY],
      );
      if (!locked) {
        await runner.rollbackTransaction();
        await runner.release();
        return undefined;
      }
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw error;
    }
    return async () => {
      try {
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
    };
  }
}
