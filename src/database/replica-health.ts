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
import { APPLICATION_NAME, REPLICA_APPLICATION_NAME, withTimeouts } from './data-source';
import { DATABASE_REPLICA, DATABASE_URL } from './database.tokens';
import { connectionErrorLabel } from './db-errors';
import { ProbeClient } from './probe-client';

/** `healthy`: reads go to the replica; `lag` or `down`: to the primary; `none`: no replica set. */
export type ReplicaState = 'healthy' | 'lag' | 'down' | 'none';

/** How often the replica is checked, in the background (never per request). */
export const PROBE_INTERVAL_MS = 2_000;
/** A probe that takes longer counts as the replica being down. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Why a read meant for the replica went to the primary: `lag` (over the bound, or not known
 * yet), `down` (unreachable, erring, promoted), `mismatch` (another cluster or timeline than the
 * primary's), `conflict` (the standby cancelled it for a recovery conflict: run again).
 */
export const FALLBACK_REASONS = ['lag', 'down', 'mismatch', 'conflict'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** The primary's position and identity, then the replica's, on the probe's own connections. */
const PRIMARY_SQL = `SELECT pg_current_wal_flush_lsn()::text AS lsn,
  (SELECT system_identifier::text FROM pg_control_system()) AS system,
  (SELECT timeline_id FROM pg_control_checkpoint()) AS timeline`;
const REPLICA_SQL = `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed,
  (SELECT system_identifier::text FROM pg_control_system()) AS system,
  (SELECT timeline_id FROM pg_control_checkpoint()) AS timeline`;

interface ServerRow {
  lsn?: string;
  standby?: boolean;
  replayed?: string | null;
  system: string;
  timeline: number;
}

/** What the probe reads through: its own connection to each server (tests may put others). */
export interface ProbeConnections {
  primary: Pick<ProbeClient, 'query' | 'close'>;
  replica: Pick<ProbeClient, 'query' | 'close'>;
}

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
  /**
   * The first primary position noted since start or since the last `down`: until the replica
   * has replayed it, its lag is not known (it may be hours behind) and reads stay on the primary.
   */
  private firstNoted: bigint | undefined;
  private lagKnown = false;
  private downReason: 'down' | 'mismatch' = 'down';
  probes: ProbeConnections | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<ReplicaState> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(DATABASE_REPLICA) private readonly replica: ReplicaConfig | undefined,
    @Inject(DATABASE_URL) primaryUrl: string,
    private readonly metrics: Metrics,
  ) {
    // Until the first probe has answered, reads stay on the primary.
    this.current = replica ? 'down' : 'none';
    if (replica)
      this.probes = {
        primary: new ProbeClient(primaryUrl, `${APPLICATION_NAME}-probe`, PROBE_TIMEOUT_MS),
        replica: new ProbeClient(
          replica.url,
          `${REPLICA_APPLICATION_NAME}-probe`,
          PROBE_TIMEOUT_MS,
        ),
      };
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
      FALLBACK_REASONS.map((reason) => ({ reason })),
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

  /**
   * The replica's pool whatever the state, for the rest of a request or job that began on the
   * replica (ReadDatabase's pin); undefined when it was never opened.
   */
  openReplicaPool(): Pool | undefined {
    return this.driver.slaves[0] as Pool | undefined;
  }

  /** Why reads go to the primary now; undefined while the replica serves or when there is none. */
  fallbackReason(): Exclude<FallbackReason, 'conflict'> | undefined {
    if (this.current === 'lag') return 'lag';
    return this.current === 'down' ? this.downReason : undefined;
  }

  primaryPool(): Pool {
    return this.driver.master as Pool;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.replica) return;
    const opened = this.driver.slaves[0] as Pool | undefined;
    if (opened) this.bound(opened);
    await this.probe();
    this.timer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.probing?.catch(() => undefined);
    await Promise.all([this.probes?.primary.close(), this.probes?.replica.close()]);
  }

  /** A read on the replica failed on its connection: leave it aside until a probe says otherwise. */
  readFailed(error: unknown): void {
    this.forget('down');
    this.enter('down', `a read failed (${connectionErrorLabel(error) ?? 'error'})`);
  }

  /** Checks the replica once (the timer calls this; tests may too). Concurrent calls share one. */
  probe(): Promise<ReplicaState> {
    this.probing ??= this.check().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async check(): Promise<ReplicaState> {
    if (!this.replica || !this.probes) return 'none';
    try {
      const [primary] = await this.probes.primary.query<ServerRow>(PRIMARY_SQL);
      const seenAt = Date.now();
      const [replica] = await this.probes.replica.query<ServerRow>(REPLICA_SQL);
      if (!replica.standby || !replica.replayed) throw new Error('it is not a standby in recovery');
      const other =
        replica.system !== primary.system
          ? `it is a copy of another cluster (system identifier ${replica.system}, the primary's ${primary.system})`
          : Number(replica.timeline) !== Number(primary.timeline)
            ? `it is on timeline ${replica.timeline}, the primary on ${primary.timeline}`
            : undefined;
      if (other) return this.leave('mismatch', other);
      await this.ensureReplicaPool();
      this.measure(parseLsn(primary.lsn!), seenAt, parseLsn(replica.replayed));
    } catch (error) {
      this.leave('down', `it cannot be read (${reasonOf(error)})`);
    }
    return this.current;
  }

  private measure(noted: bigint, seenAt: number, replayed: bigint): void {
    const bound = this.replica!.maxLagSeconds;
    this.firstNoted ??= noted;
    if (replayed >= this.firstNoted) this.lagKnown = true;
    this.pending.push({ at: seenAt, lsn: noted });
    this.pending = this.pending.filter((p) => p.lsn > replayed);
    // A long outage: thin out, always keeping the oldest (it is the lag).
    if (this.pending.length > 1000) this.pending.splice(1, 1);
    const lag = this.pending.length === 0 ? 0 : (Date.now() - this.pending[0].at) / 1000;
    this.lagSeconds = this.lagKnown ? lag : NaN;
    this.metrics.set(METRIC.lag, this.lagSeconds);
    if (!this.lagKnown)
      this.enter(
        'lag',
        `its lag is not known yet (the primary's position noted ${lag.toFixed(1)} s ago is not replayed)`,
      );
    else if (lag > bound) this.enter('lag', `it is ${lag.toFixed(1)} s behind (bound ${bound} s)`);
    else this.enter('healthy', `it is ${lag.toFixed(1)} s behind`);
  }

  /** `down`: the lag is unknown again, until the replica replays a position noted after this. */
  private leave(reason: 'down' | 'mismatch', why: string): ReplicaState {
    this.forget(reason);
    this.metrics.set(METRIC.lag, NaN);
    this.enter('down', why);
    return this.current;
  }

  private forget(reason: 'down' | 'mismatch'): void {
    this.downReason = reason;
    this.lagSeconds = NaN;
    this.pending = [];
    this.firstNoted = undefined;
    this.lagKnown = false;
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
      url: withTimeouts(this.replica!.url, this.replica!.statementTimeoutSeconds * 1_000),
      applicationName: REPLICA_APPLICATION_NAME,
    });
    if (driver.slaves.length > 0) {
      await pool.end();
      return driver.slaves[0] as Pool;
    }
    driver.slaves.push(this.bound(pool));
    return pool;
  }

  /**
   * A replica read waits for a connection no longer than its statement may run: a replica that
   * accepts connections and then says nothing must not hold a report for the primary's longer
   * connect timeout. (statement_timeout and query_timeout come with its URL, withTimeouts.)
   */
  private bound(pool: Pool): Pool {
    const options = pool.options as { connectionTimeoutMillis?: number };
    const limit = this.replica!.statementTimeoutSeconds * 1_000;
    options.connectionTimeoutMillis = Math.min(options.connectionTimeoutMillis || limit, limit);
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
