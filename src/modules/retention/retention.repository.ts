import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Arbitrary, fixed key of the advisory lock one `retention.purge` run holds from start to end. */
export const RETENTION_LOCK_KEY = 7_215_301_915;

/** Ends a run's hold on the purge lock. */
export type ReleasePurgeLock = () => Promise<void>;

/**
 * The one lock of `retention.purge`: a session-level advisory lock on a connection of its own,
 * held for the whole run (not per batch), so that two runs never overlap — not even a retry
 * pg-boss starts after a run outlived its expiry while the first still works. A run whose
 * connection dies loses the lock with it.
 */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The lock, or undefined when another run holds it. */
  async tryLock(): Promise<ReleasePurgeLock | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await runner.query(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [RETENTION_LOCK_KEY],
      );
      if (!locked) {
        await runner.release();
        return undefined;
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    return async () => {
      try {
        await runner.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
      } finally {
        await runner.release();
      }
    };
  }
}
