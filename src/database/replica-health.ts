import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Metrics } from '../common/metrics/metrics';
import type { ReplicaConfig } from '../config/replica-config';
import { REPLICA_APPLICATION_NAME } from './data-source';
import { DATABASE_REPLICA } from './database.tokens';
import { connectionErrorLabel } from './db-errors';

/** `healthy`: reads go to the replica; `lag` or `down`: to the primary; `none`: no replica set. */
export type ReplicaState = 'healthy' | 'lag' | 'down' | 'none';

/** How often the replica is checked, in the background (never per request). */
export const PROBE_INTERVAL_MS = 2_000;
/** A probe that takes longer counts as the replica being down. */
const PROBE_TIMEOUT_MS = 3_000;

export const METRIC = {
  reads: 'inpulse_replica_reads_total',
  fallbacks: 'inpulse_replica_fallback_total',
  lag: 'inpulse_replica_lag_seconds',
  healthy: 'inpulse_replica_healthy',
} as const;

/**
 * Whether the read replica may serve reads, decided every PROBE_INTERVAL_MS (docs/replicas.md).
 *
 * Lag is measured against the primary, not with `now() - pg_last_xact_replay_timestamp()` (which
 * grows while the primary is idle): each probe notes the primary's flushed WAL position and the
 * time it saw it, then asks the replica how far it has replayed. Positions the replica has
 * replayed are forgotten; the lag is the age of the oldest position seen on the primary that the
 * replica has not replayed yet (0 when none), a lower bound accurate to one probe interval. A
 * replica that cannot be reached, errs, answers too slowly or is no longer a standby is `down`.
 * Each change of state is logged once.
 */
@Injectable()
export class ReplicaHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaHealth');
  private current: ReplicaState;
  private lagSeconds = NaN;
  /** Primary WAL positions not yet replayed by the replica, oldest first. */
  private pending: { at: number; lsn: bigint }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<ReplicaState> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_REPLICA) private readonly replica: ReplicaConfig | undefined,
    private readonly metrics: Metrics,
  ) {
    // Until the first probe has answered, reads stay on the primary.
    this.current = replica ? 'down' : 'none';
    const targets = [{ target: 'replica' }, { target: 'primary' }];
    metrics.define(
      METRIC.reads,
      'counter',
      'Report and directory reads, by the server that answered them',
      targets,
    );
    metrics.define(
      METRIC.fallbacks,
      'counter',
      'Reads meant for the replica that went to the primary, by why (lag over the bound, or down)',
      [{ reason: 'lag' }, { reason: 'down' }],
    );
    metrics.define(
      METRIC.lag,
      'gauge',
      'How far the replica is behind the primary at the last probe (NaN: unknown)',
    );
    metrics.define(METRIC.healthy, 'gauge', '1 while reads go to the replica, else 0');
    metrics.set(METRIC.healthy, 0);
  }

  get state(): ReplicaState {
    return this.current;
  }

  /** The replica's pool while reads may go to it; undefined otherwise. */
  replicaPool(): Pool | undefined {
    return this.current === 'healthy' ? (this.driver.slaves[0] as Pool | undefined) : undefined;
  }

  primaryPool(): Pool {
    return this.driver.master as Pool;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.replica) return;
    await this.probe();
    this.timer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A read on the replica failed on its connection: leave it aside until a probe says otherwise. */
  readFailed(error: unknown): void {
    this.enter('down', `a read failed (${connectionErrorLabel(error) ?? 'error'})`);
  }

  /** Checks the replica once (the timer calls this; tests may too). Concurrent calls share one. */
  probe(): Promise<ReplicaState> {
    this.probing ??= this.check().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async check(): Promise<ReplicaState> {
    if (!this.replica) return 'none';
    try {
      const replica = await within(this.ensureReplicaPool(), 'connect');
      const primary = await within(
        this.primaryPool().query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn'),
        'primary',
      );
      const seenAt = Date.now();
      const { rows } = await within(
        replica.query<{ standby: boolean; replayed: string | null }>(
          'SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed',
        ),
        'replica',
      );
      if (!rows[0].standby || rows[0].replayed === null)
        throw new Error('it is not a standby in recovery');
      const replayed = parseLsn(rows[0].replayed);
      this.pending.push({ at: seenAt, lsn: parseLsn(primary.rows[0].lsn) });
      this.pending = this.pending.filter((p) => p.lsn > replayed);
      // A long outage: thin out, always keeping the oldest (it is the lag).
      if (this.pending.length > 1000) this.pending.splice(1, 1);
      this.lagSeconds = this.pending.length === 0 ? 0 : (Date.now() - this.pending[0].at) / 1000;
      this.metrics.set(METRIC.lag, this.lagSeconds);
      if (this.lagSeconds > this.replica.maxLagSeconds)
        this.enter(
          'lag',
          `it is ${this.lagSeconds.toFixed(1)} s behind (bound ${this.replica.maxLagSeconds} s)`,
        );
      else this.enter('healthy', `it is ${this.lagSeconds.toFixed(1)} s behind`);
    } catch (error) {
      this.lagSeconds = NaN;
      this.pending = [];
      this.metrics.set(METRIC.lag, NaN);
      this.enter('down', `it cannot be read (${reasonOf(error)})`);
    }
    return this.current;
  }

  private enter(next: ReplicaState, why: string): void {
    this.metrics.set(METRIC.healthy, next === 'healthy' ? 1 : 0);
    if (next === this.current) return;
    this.current = next;
    if (next === 'healthy') this.logger.log(`read replica in use: ${why}`);
    else this.logger.warn(`read replica left aside, reads go to the primary: ${why}`);
  }

  /**
   * The replica's pool. TypeORM opens it at start; when the replica was away then, the app
   * started on the primary alone (database.module.ts) and the pool is opened here once it answers.
   */
  private async ensureReplicaPool(): Promise<Pool> {
    const driver = this.driver;
    if (driver.slaves.length > 0) return driver.slaves[0] as Pool;
    // createPool is TypeORM's own (protected) way of opening a pool: the same options as the rest.
    const opener = driver as unknown as {
      createPool(
        options: unknown,
        credentials: { url: string; applicationName: string },
      ): Promise<Pool>;
    };
    const pool = await opener.createPool(driver.options, {
      url: this.replica!.url,
      applicationName: REPLICA_APPLICATION_NAME,
    });
    if (driver.slaves.length > 0) {
      await pool.end();
      return driver.slaves[0] as Pool;
    }
    driver.slaves.push(pool);
    return pool;
  }

  private get driver(): PostgresDriver {
    return this.dataSource.driver as PostgresDriver;
  }
}

/** '16/B374D848' → its 64-bit position. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

function reasonOf(error: unknown): string {
  return connectionErrorLabel(error) ?? (error instanceof Error ? error.message : String(error));
}

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer in ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
