import { Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import type { MailStatus } from './entities/mail-message.entity';
import type { OutboxMessage } from './entities/outbox-message.entity';
import { MailKinds } from './mail-kinds';
import { MailQueueService } from './mail-queue.service';
import { MailRenderer } from './mail-renderer';
import { MailSenderService } from './mail-sender.service';
import {
  type MailBuilder,
  type MailMessage,
  type OneOffMail,
  type QueuedMails,
  type SendRunResult,
  SEND_QUEUE,
  SWEEP_QUEUE,
} from './mail-types';
import type { InvitationScope, MailProblem } from './mail.repository';

export type { ClaimedMail, InvitationScope } from './mail.repository';
export * from './mail-types';

/**
 * The mail pipeline. Every mail that must go out is a `mail_message` row, written before any
 * job runs, unique per (invitation, sequence) or per a one-off's dedupe key — so a retried or
 * re-run job never makes or sends the same mail twice. Rows are numbered into batches;
 * a `mail.send` job carries one batch (queue id + batch number).
 *
 * Sending a batch claims its due rows atomically (queued → sending, with a lease of
 * MAIL_LEASE_SECONDS and one more attempt), builds them (for invitations: a fresh link token, only
 * its hash kept), hands each to SMTP (nodemailer, pooled) or, with no SMTP_URL, to the outbox
 * table, and marks it sent right after the server accepted it. A temporary failure (no
 * connection, time-out, SMTP 4xx) puts the mail back with exponential back-off
 * (MAIL_RETRY_SECONDS, doubling) until MAIL_MAX_ATTEMPTS, then it is `dead`; a permanent one
 * (SMTP 5xx, an unusable address) is `failed` at once. Both keep their reason for HR, who may
 * retry them. `mail.sweep` (every minute, and at start) sends whatever is due that no job holds:
 * mails whose sender died while sending are taken again once their lease has run out.
 *
 * A sender never sends a mail whose lease it no longer holds: right before each mail goes to the
 * server, the lease is renewed in one conditional UPDATE (same attempt, still `sending`), and
 * while mails are in flight their leases are renewed every third of MAIL_LEASE_SECONDS; a mail
 * another sender took meanwhile is left to it. A stopping instance (SIGTERM) claims nothing
 * more, lets the mails already handed to the server finish, and gives back those it had claimed
 * and not started (queued again, due now, the attempt not counted).
 *
 * Delivery is exactly once except in one window no SMTP client can close: if the process dies
 * after the server accepted a mail and before the row says so, that mail goes again (with the
 * same Message-ID, so the receiving side can tell). Its link is the same in both copies: a
 * builder derives link tokens from the mail's id, not from the attempt.
 */
@Injectable()
export class MailService implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kinds: MailKinds,
    private readonly queue: MailQueueService,
    private readonly sender: MailSenderService,
    private readonly renderer: MailRenderer,
    private readonly jobs: JobsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ queueId: string; batch: number }>({
      name: SEND_QUEUE,
      handler: (data) => this.sendBatch({ queueId: data.queueId, batchNo: data.batch }).then(noop),
      retryLimit: 5,
      pollingIntervalSeconds: 0.5,
      workers: 2,
    });
    await this.jobs.register({
      name: SWEEP_QUEUE,
      handler: () => this.sendDue().then(noop),
      cron: '* * * * *',
      retryLimit: 1,
    });
  }

  /**
   * After a start (perhaps after a crash): look for due mail now, and again once the lease of
   * anything a dead process left `sending` has run out, rather than at the next minute.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobWorkers) return;
    await this.jobs.send(SWEEP_QUEUE, {});
    await this.jobs.send(SWEEP_QUEUE, {}, { startAfter: this.config.mail.leaseSeconds + 1 });
  }

  get usesOutbox(): boolean {
    return this.sender.usesOutbox;
  }

  // ---- the interface other features use ---------------------------------------------------

  /**
   * Lets a feature make the mails of `kind` at send time (call it from onModuleInit). The
   * invitations feature registers `invitation` and `reminder`; ticket surveys may register
   * theirs (naming the team, 0–10 buttons…) and queue one-off mails of that kind.
   */
  registerKind(kind: string, builder: MailBuilder): void {
    this.kinds.register(kind, builder);
  }

  /** Queues the mails of one sequence for invitations: see MailQueueService.queueInvitationMails. */
  queueInvitationMails(
    scope: InvitationScope,
    options: { sequence?: number; kind?: string; manager?: EntityManager } = {},
  ): Promise<QueuedMails> {
    return this.queue.queueInvitationMails(scope, options);
  }

  /** Queues one mail (see OneOffMail and MailQueueService.queueMail). */
  queueMail(
    mail: OneOffMail,
    options: { manager?: EntityManager } = {},
  ): Promise<{ id: string; created: boolean }> {
    return this.queue.queueMail(mail, options);
  }

  /** "Send me a test" (see MailQueueService.queueTest). */
  queueTest(
    to: string,
    sample: { locale?: string; name?: string; teamName?: string; k?: number } = {},
  ): Promise<{ id: string; created: boolean }> {
    return this.queue.queueTest(to, sample);
  }

  /** Queued mails of these invitations will not go (the person was deactivated…). */
  cancelInvitationMails(
    invitationIds: string[],
    reason: string,
    manager?: EntityManager,
  ): Promise<number> {
    return this.queue.cancelInvitationMails(invitationIds, reason, manager);
  }

  // ---- sending (job handlers; tests call them directly) ---------------------------------------

  /** Job `mail.send`: sends the due mails of one batch; the others are left for later. */
  sendBatch(batch: { queueId: string; batchNo: number }): Promise<SendRunResult> {
    return this.sender.sendBatch(batch);
  }

  /** Job `mail.sweep`: sends everything due that no job holds (retries, expired leases). */
  sendDue(): Promise<SendRunResult> {
    return this.sender.sendDue();
  }

  /** A direct send, not queued: see MailSenderService.send. */
  send(message: MailMessage): Promise<void> {
    return this.sender.send(message);
  }

  // ---- for HR ---------------------------------------------------------------------------------

  countByStatus(): Promise<Record<MailStatus, number>> {
    return this.queue.countByStatus();
  }

  problems(
    filter: { status?: 'failed' | 'dead'; limit?: number; offset?: number } = {},
  ): Promise<MailProblem[]> {
    return this.queue.problems(filter);
  }

  /** Tries a failed or dead mail again, from its first attempt, now. */
  retry(id: string): Promise<void> {
    return this.queue.retry(id);
  }

  /**
   * The outbox as its readers see it: an employee's sign-in link would let them sign in as that
   * employee, so its token is hidden (docs/employees.md); the row keeps the mail as written.
   */
  async listOutbox(limit: number): Promise<OutboxMessage[]> {
    const hide = (text: string) =>
      text.replace(/\/me\/sign-in\/[A-Za-z0-9_-]{20,100}/g, '/me/sign-in/[hidden]');
    return (await this.queue.listOutbox(limit)).map((m) => ({
      ...m,
      text: hide(m.text),
      html: hide(m.html),
    }));
  }

  formatDate(date: Date, locale: string): string {
    return this.renderer.formatDate(date, locale);
  }
}

function noop(): void {}
