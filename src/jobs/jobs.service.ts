import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
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
  /**
   * Jobs a worker fetches at once (default 1). With more, each job of the batch still succeeds
   * or fails on its own (a failed one is retried alone), and `concurrency` of them run at a time.
   */
  batchSize?: number;
  concurrency?: number;
  /**
   * Handles a whole batch at once (instead of `handler` per job): answers, per job in order, its
   * error or undefined. The jobs with an error fail on their own (retries, dead letter).
   */
  batchHandler?: (data: T[]) => Promise<(Error | undefined)[]>;
  /** How often an idle worker looks for jobs (default 2 s; pg-boss allows 0.5 s and more). */
  pollingIntervalSeconds?: number;
  /** Workers of this queue in each instance, each taking one job (or batch) at a time. */
  workers?: number;
  /** pg-boss's queue policy (default `standard`); `stately`: one job active, one waiting. */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
  /** How long a job may run before pg-boss counts it as failed (default 15 minutes). */
  expireInSeconds?: number;
}

/** Runs pg-boss's SQL on another connection, e.g. inside the caller's transaction. */
export type JobsExecutor = PgBoss.Db;

/**
 * pg-boss in the application's PostgreSQL (schema `pgboss`). Jobs are plain service methods;
 * features register them here in onModuleInit, and tests call those methods directly.
 * With JOB_WORKERS=false the instance only enqueues (useful in tests and for web-only nodes).
 */
@Injectable()
export class JobsService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private started: Promise<void> | undefined;
  /** Workers stopped (the instance is stopping); the connection stays for the last inserts. */
  private drained = false;
  private outageLoggedAt = 0;
  /** Set at onApplicationBootstrap: workers registered before then wait for it. */
  private bootstrapped = false;
  private readonly waitingWorkers: (() => Promise<void>)[] = [];

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
      // Its maintenance (on worker instances, every few minutes) drops archived jobs this old.
      deleteAfterDays: config.retention.jobsDays,
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
      ...(queue.policy ? { policy: queue.policy } : {}),
      ...(queue.expireInSeconds ? { expireInSeconds: queue.expireInSeconds } : {}),
    };
    await this.boss.createQueue(queue.name, { name: queue.name, ...options });
    // createQueue leaves an existing queue as it was: settings changed since take effect here.
    await this.boss.updateQueue(queue.name, { name: queue.name, ...options });
    if (!this.config.jobWorkers) return;
    if (queue.cron) await this.boss.schedule(queue.name, queue.cron, {}, { tz: 'UTC' });
    // Workers start once every module is initialised (onApplicationBootstrap): a job left by a
    // crashed process must not run before the features it needs have registered themselves
    // (e.g. a mail whose kind's builder a later module registers would fail for good).
    if (this.bootstrapped) await this.startWorkers(queue);
    else this.waitingWorkers.push(() => this.startWorkers(queue));
  }

  /** Starts the workers of the queues registered during start-up, now that all modules are. */
  async onApplicationBootstrap(): Promise<void> {
    this.bootstrapped = true;
    for (const start of this.waitingWorkers.splice(0)) await start();
  }

  private async startWorkers<T extends object>(queue: QueueDefinition<T>): Promise<void> {
    for (let i = 0; i < (queue.workers ?? 1); i++) {
      await this.boss.work<T>(
        queue.name,
        {
          batchSize: queue.batchSize ?? 1,
          pollingIntervalSeconds: queue.pollingIntervalSeconds ?? 2,
        },
        async (jobs) => {
          if (queue.batchHandler) {
            const errors = await queue.batchHandler(jobs.map((job) => job.data));
            for (const [i, error] of errors.entries())
              if (error) await this.boss.fail(queue.name, jobs[i].id, { message: error.message });
            return;
          }
          if (jobs.length === 1) return queue.handler(jobs[0].data);
          const failed: { id: string; message: string }[] = [];
          let next = 0;
          const lanes = Array.from({ length: Math.min(queue.concurrency ?? 1, jobs.length) }, () =>
            (async () => {
              while (next < jobs.length) {
                const job = jobs[next++];
                try {
                  await queue.handler(job.data);
                } catch (error) {
                  failed.push({ id: job.id, message: (error as Error).message ?? String(error) });
                }
              }
            })(),
          );
          await Promise.all(lanes);
          // The others complete when this returns; these go to their retries (or dead letter).
          for (const { id, message } of failed) await this.boss.fail(queue.name, id, { message });
        },
      );
    }
  }

  /**
   * A schedule whose cron comes from settings (e.g. the HRIS sync): set, or replaced, in
   * pg-boss's schedule table, which its timekeeper reads on every instance that runs workers.
   */
  async schedule(name: string, cron: string, tz: string): Promise<void> {
    await this.start();
    await this.boss.schedule(name, cron, {}, { tz });
  }

  async unschedule(name: string): Promise<void> {
    await this.start();
    await this.boss.unschedule(name);
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
   * Deletes jobs of `queue` by id, done or waiting (and, with `archive`, from pg-boss's archive),
   * in the caller's transaction: index lookups, whatever the size of the queue.
   */
  async deleteJobs(
    db: JobsExecutor,
    queue: string,
    ids: string[],
    options: { archive: boolean },
  ): Promise<void> {
    for (const table of options.archive ? ['pgboss.job', 'pgboss.archive'] : ['pgboss.job'])
      await db.executeSql(`DELETE FROM ${table} WHERE name = $1 AND id = ANY($2::uuid[])`, [
        queue,
        ids,
      ]);
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
    value: string | string[],
  ): Promise<void> {
    for (const table of ['pgboss.job', 'pgboss.archive'])
      await manager.query(
        `DELETE FROM ${table} WHERE name = ANY($1::text[]) AND data ->> $2 = ANY($3::text[])`,
        [queues, key, Array.isArray(value) ? value : [value]],
      );
  }

  /**
   * Job `retention.purge`: one batch (at most `limit`) of archived jobs older than `days` days;
   * answers how many went. pg-boss's own maintenance drops them too (deleteAfterDays): this
   * catches what it left, e.g. while no worker instance ran.
   */
  async purgeArchive(days: number, limit: number): Promise<number> {
    await this.start();
    const result = (await this.boss.getDb().executeSql(
      `WITH old AS (SELECT name, id FROM pgboss.archive
                     WHERE archived_on < now() - make_interval(days => $1) LIMIT $2)
       DELETE FROM pgboss.archive a USING old WHERE a.name = old.name AND a.id = old.id`,
      [days, limit],
    )) as unknown as { rowCount: number | null };
    return result.rowCount ?? 0;
  }

  /**
   * The instance is stopping: take no new job, and wait (up to SHUTDOWN_TIMEOUT_SECONDS) for the
   * running ones to finish — a `mail.send` job finishes the mails at the server and gives back
   * the rest. A job still running after that is marked failed and retried by another instance.
   * Runs before the HTTP server closes and before the database goes, so that what the running
   * jobs still write (and the jobs they enqueue) gets through.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    const since = Date.now();
    await this.boss.stop({
      graceful: true,
      wait: true,
      close: false,
      timeout: this.config.shutdownTimeoutSeconds * 1000,
    });
    this.drained = true;
    this.logger.log(`jobs stopped (running ones finished in ${Date.now() - since} ms)`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    if (!this.drained) {
      await this.boss.stop({ graceful: true, timeout: 10_000, wait: true });
      return;
    }
    // pg-boss made this connection itself (connectionString): it has close().
    const db = this.boss.getDb() as unknown as { opened?: boolean; close(): Promise<void> };
    if (db.opened) await db.close();
  }
}
