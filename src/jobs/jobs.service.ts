import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DATABASE_URL } from '../database/database.tokens';
import { connectionErrorLabel } from '../database/db-errors';

export interface QueueDefinition<T extends object> {
  name: string;
  handler: (data: T) => Promise<void>;
  /** Cron expression (UTC) on which the job is enqueued, created idempotently by pg-boss. */
  cron?: string;
  retryLimit?: number;
  /** Seconds before the first retry; each next one waits about twice as long. */
  retryDelay?: number;
  /** The queue a job goes to once its retries are spent (register that queue first). */
  deadLetter?: string;
  batchSize?: number;
  /** How often an idle worker looks for jobs (default 2 s; pg-boss allows 0.5 s and more). */
  pollingIntervalSeconds?: number;
  /** Workers of this queue in each instance, each taking one job (or batch) at a time. */
  workers?: number;
}

/** Runs pg-boss's SQL on another connection, e.g. inside the caller's transaction. */
export type JobsExecutor = PgBoss.Db;

/**
 * pg-boss in the application's PostgreSQL (schema `pgboss`). Jobs are plain service methods;
 * features register them here in onModuleInit, and tests call those methods directly.
 * With JOB_WORKERS=false the instance only enqueues (useful in tests and for web-only nodes).
 */
@Injectable()
export class JobsService implements OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private started: Promise<void> | undefined;
  private outageLoggedAt = 0;

  constructor(
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 4,
      application_name: 'inpulse-jobs',
      supervise: config.jobWorkers,
      schedule: config.jobWorkers,
      // Passed on to its pg pool (not in pg-boss's types): fail, and poll again, rather than hang.
      ...{ connectionTimeoutMillis: config.database.connectTimeoutSeconds * 1000 },
    });
    // Without this listener, an error of pg-boss's pool or workers would end the process.
    this.boss.on('error', (error) => this.onError(error));
  }

  private onError(error: Error): void {
    const unreachable = connectionErrorLabel(error);
    if (unreachable === undefined) {
      this.logger.error(`pg-boss: ${error.message}`);
      return;
    }
    // While the database is away every worker's every poll fails: one line a minute is enough.
    if (Date.now() - this.outageLoggedAt < 60_000) return;
    this.outageLoggedAt = Date.now();
    this.logger.warn(
      `pg-boss: database unreachable (${unreachable}); jobs wait and workers keep polling`,
    );
  }

  private start(): Promise<void> {
    this.started ??= this.boss.start().then(() => undefined);
    return this.started;
  }

  async register<T extends object>(queue: QueueDefinition<T>): Promise<void> {
    await this.start();
    const options = {
      retryLimit: queue.retryLimit ?? 5,
      retryDelay: queue.retryDelay ?? 10,
      retryBackoff: true,
      ...(queue.deadLetter ? { deadLetter: queue.deadLetter } : {}),
    };
    await this.boss.createQueue(queue.name, { name: queue.name, ...options });
    // createQueue leaves an existing queue as it was: settings changed since take effect here.
    await this.boss.updateQueue(queue.name, { name: queue.name, ...options });
    if (!this.config.jobWorkers) return;
    if (queue.cron) await this.boss.schedule(queue.name, queue.cron, {}, { tz: 'UTC' });
    for (let i = 0; i < (queue.workers ?? 1); i++) {
      await this.boss.work<T>(
        queue.name,
        {
          batchSize: queue.batchSize ?? 1,
          pollingIntervalSeconds: queue.pollingIntervalSeconds ?? 2,
        },
        async (jobs) => {
          for (const job of jobs) await queue.handler(job.data);
        },
      );
    }
  }

  async send(name: string, data: object, options: PgBoss.SendOptions = {}): Promise<string | null> {
    await this.start();
    return this.boss.send(name, data, options);
  }

  /**
   * Inserts many jobs in one statement. With `db` (see JobsExecutor) they are written inside
   * the caller's transaction, so they exist exactly when what they work on was committed.
   */
  async insert(jobs: PgBoss.JobInsert[], db?: JobsExecutor): Promise<void> {
    await this.start();
    await this.boss.insert(jobs, db ? { db } : {});
  }

  /**
   * Deletes the jobs of these queues, done or waiting, whose data holds `key` = `value`, in the
   * caller's transaction (pg-boss keeps completed jobs for days, first in its job table, then in
   * its archive): once a job's work is decided, nothing should keep what it was about.
   */
  async deleteJobsAbout(
    manager: { query(sql: string, values: unknown[]): Promise<unknown> },
    queues: string[],
    key: string,
    value: string,
  ): Promise<void> {
    for (const table of ['pgboss.job', 'pgboss.archive'])
      await manager.query(
        `DELETE FROM ${table} WHERE name = ANY($1::text[]) AND data ->> $2 = $3`,
        [queues, key, value],
      );
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await this.boss.stop({ graceful: true, timeout: 10_000, wait: true });
  }
}
