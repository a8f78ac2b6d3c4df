import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Metrics } from '../common/metrics/metrics';
import { isConnectionError } from './db-errors';
import { preparedQuery } from './prepared-query';
import { METRIC, ReplicaHealth } from './replica-health';

/**
 * The one way for a repository to say "this read may come from the replica" (docs/replicas.md):
 * report pages, the overview, exports and the directory. Such a read runs on the replica while it
 * is healthy (ReplicaHealth), else on the primary; so it may be up to DATABASE_REPLICA_MAX_LAG_SECONDS
 * old. Never use it for a write, nor for a read that must see a write the same request or the
 * one before it made (a page after a POST redirect, sessions, CSRF, rate limits, links, the mixer):
 * those use the DataSource, which is always the primary.
 *
 * A replica read that fails on its connection (the replica went away between two probes) or is
 * cancelled by a recovery conflict runs again on the primary: the request never sees it.
 */
@Injectable()
export class ReadDatabase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: ReplicaHealth,
    private readonly metrics: Metrics,
  ) {}

  /** A read-only statement as a named prepared statement (preparedQuery), on the chosen server. */
  prepared<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return this.run((pool) => preparedQuery<T>(this.dataSource, name, text, values, pool));
  }

  /** A read-only statement, unnamed, through TypeORM's query runner of the chosen server. */
  query<T>(text: string, values: unknown[]): Promise<T[]> {
    return this.run(async (_pool, mode) => {
      const runner = this.dataSource.createQueryRunner(mode);
      try {
        return (await runner.query(text, values)) as T[];
      } finally {
        await runner.release();
      }
    });
  }

  private async run<T>(work: (pool: Pool, mode: 'slave' | 'master') => Promise<T>): Promise<T> {
    const replica = this.health.replicaPool();
    if (replica) {
      try {
        const result = await work(replica, 'slave');
        this.metrics.increment(METRIC.reads, { target: 'replica' });
        return result;
      } catch (error) {
        if (isConnectionError(error)) this.health.readFailed(error);
        else if (!isRecoveryConflict(error)) throw error;
        this.metrics.increment(METRIC.fallbacks, { reason: 'down' });
      }
    } else if (this.health.state === 'lag' || this.health.state === 'down') {
      this.metrics.increment(METRIC.fallbacks, { reason: this.health.state });
    }
    const result = await work(this.health.primaryPool(), 'master');
    this.metrics.increment(METRIC.reads, { target: 'primary' });
    return result;
  }
}

/**
 * A hot standby cancels a query that conflicts with the WAL it replays ("canceling statement
 * due to conflict with recovery": SQLSTATE 40001, or 40P01 for a lock); the primary has none.
 */
function isRecoveryConflict(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return (
    (code === '40001' || code === '40P01') && /recovery/i.test(String((error as Error).message))
  );
}
