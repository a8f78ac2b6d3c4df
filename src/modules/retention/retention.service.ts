import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { AuditService, RETENTION_PURGED_ACTION } from '../audit/audit.service';
import { MailRetentionService } from '../mail/mail-retention.service';
import { TicketsRetentionService } from '../tickets/tickets-retention.service';

export const RETENTION_PURGE_QUEUE = 'retention.purge';
export const RETENTION_AUDIT_ACTION = RETENTION_PURGED_ACTION;

/** Rows deleted per table by one run. */
export type PurgeCounts = Record<RetainedTable, number>;

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
 * Idempotent: a second run finds nothing more. Every run leaves one audit event with its counts.
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
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: RETENTION_PURGE_QUEUE,
      cron: `41 ${this.config.retention.hourUtc} * * *`,
      handler: () => this.purge().then(() => undefined),
      retryLimit: 3,
      retryDelay: 300,
    });
  }

  /** One run: every table, batch by batch; answers the rows deleted per table. */
  async purge(): Promise<PurgeCounts> {
    const r = this.config.retention;
    const steps: [RetainedTable, (limit: number) => Promise<number>][] = [
      ['mail_message', (limit) => this.mail.purgeMail(r.mailDays, limit)],
      ['outbox_message', (limit) => this.mail.purgeOutbox(r.mailDays, limit)],
      ['audit_event', (limit) => this.audit.purgeOlderThan(r.auditDays, limit)],
      ['ticket_event_receipt', (limit) => this.tickets.purgeReceipts(r.webhookDays, limit)],
      ['webhook_delivery', (limit) => this.tickets.purgeDeliveryLog(r.webhookDays, limit)],
      ['pgboss.archive', (limit) => this.jobs.purgeArchive(r.jobsDays, limit)],
    ];
    const counts = {} as PurgeCounts;
    let statements = 0;
    for (const [table, batch] of steps) {
      counts[table] = 0;
      for (;;) {
        const n = await batch(r.batchSize);
        statements++;
        counts[table] += n;
        if (n < r.batchSize) break;
      }
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
        },
      },
    });
    this.logger.log(
      `purged ${Object.entries(counts)
        .map(([table, n]) => `${table} ${n}`)
        .join(', ')} in ${statements} statements`,
    );
    return counts;
  }
}
