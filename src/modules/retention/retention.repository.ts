import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  type AdvisoryKey,
  type ReleaseSessionLock,
  trySessionLock,
} from '../../database/session-lock';

/** The advisory lock one `retention.purge` run holds from start to end. */
export const RETENTION_LOCK: AdvisoryKey = { classId: 721_530_191, name: 'retention.purge' };

/**
 * The one lock of `retention.purge`, held for the whole run (not per batch), so that two runs
 * never overlap — not even a retry pg-boss starts after a run outlived its expiry while the first
 * still works. It is a session-level lock on a session of its own to the server itself
 * (DATABASE_DIRECT_URL; session-lock.ts): no pooled connection is tied up for hours, no
 * transaction stays open (so no idle-in-transaction timeout of PostgreSQL or PgBouncer ends it,
 * and it pins no snapshot), and a transaction-mode pooler never sees it (docs/pooler.md). A run
 * whose session dies loses the lock with it.
 */
@Injectable()
export class RetentionRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The lock, or undefined when another run holds it. */
  tryLock(): Promise<ReleaseSessionLock | undefined> {
    return trySessionLock(this.config.database.directUrl ?? this.dataSource, RETENTION_LOCK);
  }
}
