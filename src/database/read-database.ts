import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Metrics } from '../common/metrics/metrics';
import { isConnectionError } from './db-errors';
import { preparedQuery } from './prepared-query';
import { METRIC, ReplicaHealth, type FallbackReason } from './replica-health';

/** The server a request or job reads from, chosen at its first read (ReadDatabase.pinned). */
interface Pin {
  target?: 'replica' | 'primary';
}

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
 *
 * Within a scope (`pinned`: each HTTP request through `requestHooks`, each job run), the first
 * read chooses the server and every later read of the scope uses the same one, whatever the
 * probe says meanwhile: one page or one digest never joins figures from two servers (which could
 * differ by fewer than k people). A read that fails on the replica re-pins the rest to the primary.
 */
@Injectable()
export class ReadDatabase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: ReplicaHealth,
    private readonly metrics: Metrics,
  ) {}

  private readonly scope = new AsyncLocalStorage<Pin>();

  /** Runs `work` with one server for all its reads (a job run, one digest); nested: the outer one. */
  pinned<T>(work: () => Promise<T>): Promise<T> {
    return this.scope.getStore() ? work() : this.scope.run({}, work);
  }

  /** The server the current scope reads from, once its first read chose it. */
  pinnedTo(): 'replica' | 'primary' | undefined {
    return this.scope.getStore()?.target;
  }

  /**
   * The rest of the current scope reads from the primary (e.g. a slug the replica does not know
   * yet, just renamed: ask the primary before answering 404). Outside a scope: nothing to do.
   */
  pinToPrimary(): void {
    const pin = this.scope.getStore();
    if (pin) pin.target = 'primary';
  }

  /**
   * Fastify hooks that give each request its own scope: `onRequest` opens it, `preValidation`
   * enters it again (a body parsed from the socket may have left the async context).
   */
  requestHooks() {
    const pins = new WeakMap<object, Pin>();
    return {
      onRequest: (request: object, _reply: unknown, done: () => void) => {
        const pin: Pin = {};
        pins.set(request, pin);
        this.scope.run(pin, done);
      },
      preValidation: (request: object, _reply: unknown, done: () => void) => {
        const pin = pins.get(request);
        if (pin) this.scope.run(pin, done);
        else done();
      },
    };
  }

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
    const pin = this.scope.getStore();
    const replica = this.replicaFor(pin);
    if (replica) {
      if (pin) pin.target = 'replica';
      try {
        const result = await work(replica, 'slave');
        this.metrics.increment(METRIC.reads, { target: 'replica' });
        return result;
      } catch (error) {
        const conflict = isRecoveryConflict(error);
        // A replica that lets a read run past its statement_timeout is as good as away.
        if (isConnectionError(error) || isStatementTimeout(error)) this.health.readFailed(error);
        else if (!conflict) throw error;
        if (pin) pin.target = 'primary';
        this.fellBack(conflict ? 'conflict' : 'down');
      }
    } else {
      if (pin) pin.target = 'primary';
      const reason = this.health.fallbackReason();
      if (reason) this.fellBack(reason);
    }
    const result = await work(this.health.primaryPool(), 'master');
    this.metrics.increment(METRIC.reads, { target: 'primary' });
    return result;
  }

  /** The replica's pool when this read goes there: as pinned, else as the probe says. */
  private replicaFor(pin: Pin | undefined): Pool | undefined {
    if (pin?.target === 'primary') return undefined;
    if (pin?.target === 'replica') return this.health.openReplicaPool();
    return this.health.replicaPool();
  }

  private fellBack(reason: FallbackReason): void {
    this.metrics.increment(METRIC.fallbacks, { reason });
  }
}

/** The replica's statement_timeout (DATABASE_REPLICA_STATEMENT_TIMEOUT_SECONDS) cancelled it. */
function isStatementTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return (e?.code ?? e?.driverError?.code) === '57014';
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
