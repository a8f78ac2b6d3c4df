import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { AuditService, RETENTION_PURGED_ACTION } from '../audit/audit.service';
import { MailRetentionService } from '../mail/mail-retention.service';
import { RawAnswersRetentionService } from '../responses/raw-answers-retention.service';
import { TicketsRetentionService } from '../tickets/tickets-retention.service';
import { RetentionRepository } from './retention.repository';

export const RETENTION_PURGE_QUEUE = 'retention.purge';
export const RETENTION_AUDIT_ACTION = RETENTION_PURGED_ACTION;
/** How long a run may take before pg-boss counts it as failed: 23 hours (its maximum is 24). */
export const PURGE_EXPIRY_SECONDS = 23 * 3600;

/**
 * Rows deleted per table by one run (the responses only when RETENTION_RAW_ANSWERS_DAYS is set).
 * Of the raw answers, only `response` is counted: whole releases of at least m people. The
 * answers and segment rows that go with them are never counted (not here, not in the audit event,
 * not in the log line): the line moves one day per run, so a run can cover one release, and its
 * answers minus the answers its report shows would be the answers to questions it withheld
 * (below k or the comment threshold).
 */
export type PurgeCounts = Record<RetainedTable, number> & Partial<Record<'response', number>>;

/** The raw answers' tables (responses feature), purged only when a period is set. */
type RawTable = 'response' | 'answer' | 'response_segment';

type RetainedTable =
  | 'mail_message'
  | 'outbox_message'
  | 'audit_event'
  | 'ticket_event_receipt'
  | 'webhook_delivery'
  | 'pgboss.archive';

/**
 * Job `retention.purge`, once a day on worker instances (RETENTION_PURGE_HOUR, UTC): deletes by
 * age what the growing tables no longer need (docs/retention.md). Each table is emptied of its
 * old rows batch by batch — RETENTION_BATCH_SIZE rows per DELETE, each statement its own short
 * transaction, so no lock is held long and autovacuum keeps up — until a batch comes back short.
 * Idempotent: a second run finds nothing more. Every run leaves one audit event with its counts,
 * a failed one too (with the counts so far).
 *
 * Deletion is by age alone, never by anything about a person or an answer: when a row goes
 * follows from when it was written or last changed, which the row said itself until then.
 */
@Injectable()
export class RetentionService implements OnModuleInit {
  private readonly logger = new Logger('Retention');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly mail: MailRetentionService,
    private readonly tickets: TicketsRetentionService,
    private readonly rawAnswers: RawAnswersRetentionService,
    private readonly lock: RetentionRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: RETENTION_PURGE_QUEUE,
      cron: `41 ${this.config.retention.hourUtc} * * *`,
      handler: () => this.purge().then(() => undefined),
      retryLimit: 3,
      retryDelay: 300,
      // One run at a time, and at most one more waiting: a day's run never starts beside the
      // last one (the run's own lock covers a run that outlives its expiry, see purge()).
      policy: 'stately',
      // A big backlog in small batches may take hours; pg-boss allows less than a day.
      expireInSeconds: PURGE_EXPIRY_SECONDS,
    });
  }

  /**
   * One run: every table, batch by batch; answers the rows deleted per table, or undefined
   * when another run holds the purge lock (it does the work; this one does nothing).
   * Whatever happens, a run that deleted anything leaves its audit event: a run that fails
   * part-way records the counts so far and the error's code, then fails (pg-boss retries it).
   */
  async purge(): Promise<PurgeCounts | undefined> {
    const release = await this.lock.tryLock();
    if (!release) {
      this.logger.warn('another retention.purge run is under way: this one does nothing');
      return undefined;
    }
    try {
      return await this.run();
    } finally {
      await release();
    }
  }

  private async run(): Promise<PurgeCounts> {
    const r = this.config.retention;
    const steps: [RetainedTable, (limit: number) => Promise<number>][] = [
      ['mail_message', (limit) => this.mail.purgeMail(r.mailDays, limit)],
      ['outbox_message', (limit) => this.mail.purgeOutbox(r.mailDays, limit)],
      // Legal hold: the audit log is kept whole (its count stays 0).
      [
        'audit_event',
        (limit) =>
          r.auditHold ? Promise.resolve(0) : this.audit.purgeOlderThan(r.auditDays, limit),
      ],
      ['ticket_event_receipt', (limit) => this.tickets.purgeReceipts(r.webhookDays, limit)],
      ['webhook_delivery', (limit) => this.tickets.purgeDeliveryLog(r.webhookDays, limit)],
      ['pgboss.archive', (limit) => this.jobs.purgeArchive(r.jobsDays, limit)],
    ];
    const counts = {} as PurgeCounts;
    let statements = 0;
    // An object, not a variable: the step below (a closure) fills it.
    const stopped: { failure?: { table: RetainedTable | RawTable; code: string } } = {};
    let error: unknown;
    /** One statement of `table`'s step; a failure is recorded with the table it stopped at. */
    const attempt = async <T>(table: RetainedTable | RawTable, work: () => Promise<T>) => {
      try {
        const result = await work();
        statements++;
        return result;
      } catch (cause) {
        stopped.failure = { table, code: errorCode(cause) };
        throw cause;
      }
    };
    let rawLine: string | undefined;
    try {
      for (const [table, batch] of steps) {
        counts[table] = 0;
        for (;;) {
          const n = await attempt(table, () => batch(r.batchSize));
          counts[table] += n;
          if (n < r.batchSize) break;
        }
      }
      if (r.rawAnswerDays !== null) {
        counts.response = 0;
        rawLine = await this.purgeRawAnswers(r.rawAnswerDays, r.batchSize, counts, attempt);
      }
    } catch (cause) {
      error = cause;
    }
    await this.audit.record({
      action: RETENTION_AUDIT_ACTION,
      details: {
        deleted: counts,
        statements,
        days: {
          mail: r.mailDays,
          audit: r.auditDays,
          webhook: r.webhookDays,
          jobs: r.jobsDays,
          ...(r.rawAnswerDays !== null ? { rawAnswers: r.rawAnswerDays } : {}),
        },
        // The freeze line in force: raw answers released before it may be gone.
        ...(rawLine ? { rawBefore: rawLine } : {}),
        ...(r.auditHold ? { auditHold: true } : {}),
        // Only the table and the error's code: a message may quote data.
        ...(stopped.failure ? { failed: stopped.failure } : {}),
      },
    });
    const summary = Object.entries(counts)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ');
    if (error !== undefined) {
      this.logger.error(
        `purge stopped at ${stopped.failure?.table} (${stopped.failure?.code}) after ${summary} in ${statements} statements`,
      );
      throw error;
    }
    this.logger.log(`purged ${summary} in ${statements} statements`);
    return counts;
  }

  /**
   * The raw answers (RETENTION_RAW_ANSWERS_DAYS): the freeze line moves to today − days, then the
   * responses (their answers with them) and the segment rows no report reads, released before
   * it, go batch by batch — by the age of their release day alone — and the tables are vacuumed
   * when anything went, as the mixer vacuums what it deletes. Answers the line in force.
   */
  private async purgeRawAnswers(
    days: number,
    limit: number,
    counts: PurgeCounts,
    attempt: Attempt,
  ): Promise<string> {
    const line = await attempt('response', () => this.rawAnswers.advanceLine(days));
    // Whether anything went: counted apart from `counts`, which holds no segment count.
    let deleted = false;
    let failure: { cause: unknown } | undefined;
    try {
      for (;;) {
        const n = await attempt('response', () => this.rawAnswers.purgeResponses(line, limit));
        counts.response = (counts.response ?? 0) + n;
        if (n > 0) deleted = true;
        if (n < limit) break;
      }
      for (;;) {
        const n = await attempt('response_segment', () =>
          this.rawAnswers.purgeSegments(line, limit),
        );
        if (n > 0) deleted = true;
        if (n < limit) break;
      }
    } catch (cause) {
      failure = { cause };
    }
    // Even when a later batch failed: what went before it held answers.
    if (deleted) {
      if (!failure) await attempt('answer', () => this.rawAnswers.vacuum());
      else
        await this.rawAnswers.vacuum().catch(() => {
          // The batch's failure is the one reported; the next run vacuums again.
        });
    }
    if (failure) throw failure.cause;
    return line;
  }
}

/** Runs one statement of a step, counting it (see RetentionService.run). */
type Attempt = <T>(table: RetainedTable | RawTable, work: () => Promise<T>) => Promise<T>;

/** What an error is, without its message: PostgreSQL's SQLSTATE, Node's code, or its class. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}
