import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type Handlebars from 'handlebars';
import nodemailer, { Transporter } from 'nodemailer';
import type PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { HANDLEBARS } from '../../common/views/handlebars.provider';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { DomainError } from '../../common/errors/domain-error';
import type { MailStatus } from './entities/mail-message.entity';
import { OutboxMessage } from './entities/outbox-message.entity';
import {
  classifySendError,
  isDeliverableAddress,
  retryDelaySeconds,
  scrubReason,
} from './mail-errors';
import {
  type ClaimedMail,
  type InvitationScope,
  type MailProblem,
  MailRepository,
  type QueuedBatch,
} from './mail.repository';
import { OutboxRepository } from './outbox.repository';

export type { ClaimedMail, InvitationScope } from './mail.repository';

export const SEND_QUEUE = 'mail.send';
export const SWEEP_QUEUE = 'mail.sweep';

/** A mail as handed to SMTP (or the outbox). */
export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  kind: string;
}

/** A subject: literal text, or a key of views/locales translated in the mail's language. */
export type MailSubject = string | { key: string; params?: Record<string, string | number> };

/**
 * A mail's content, made at send time: a template of views/emails (`<template>.html.hbs` and
 * `.text.hbs`), its subject and its context. The context gets `locale` and `dir` (rtl for
 * Persian) added, and every Date in it (or mailDate() value) is written as a long date in the
 * mail's language.
 */
export interface BuiltMail {
  template: string;
  subject: MailSubject;
  context: Record<string, unknown>;
}

/** The mail must not go any more (answered, expired, person deactivated…): it is cancelled. */
export interface CancelledMail {
  cancel: string;
}

/**
 * How another feature makes the mails of its kind when they are sent (see registerKind).
 * `build` gets the claimed mails of the kind (up to a few dozen at a time) and answers, for each
 * id, its content or why it must not go; an id it leaves out fails permanently. Do the work for
 * all of them at once (one statement), e.g. issue every link token of the batch together —
 * tokens are made here, at send time, never stored in the mail row. `sent`, if given, runs in
 * the transaction that marks the mail sent (record "invitation sent" there).
 */
export interface MailBuilder {
  build(mails: readonly ClaimedMail[]): Promise<Map<string, BuiltMail | CancelledMail>>;
  sent?(mail: ClaimedMail, manager: EntityManager): Promise<void>;
}

/** A one-off mail: to one address, made from a template and a context, or by its kind's builder. */
export interface OneOffMail {
  /** Decides the builder (registerKind); without one, `template` + `context` are rendered. */
  kind: string;
  to: string;
  locale: string;
  /** Same key, same mail: queueing it again creates nothing (e.g. `ticket-survey:<id>`). */
  dedupeKey: string;
  template?: string;
  subject?: MailSubject;
  /** Stored with the mail as JSON: never a secret or a link token. */
  context?: Record<string, unknown>;
  /** Not before this time (default now). */
  dueAt?: Date;
}

export interface QueuedMails {
  /** Mails created by this call (those that existed already are not counted). */
  queued: number;
  /** `mail.send` jobs enqueued for them. */
  jobs: number;
}

export interface SendRunResult {
  sent: number;
  retrying: number;
  failed: number;
  dead: number;
  cancelled: number;
  /** Not sent by this run: another sender took it after the lease ran out. */
  lost: number;
  /** Given back unstarted because this instance is stopping. */
  released: number;
}

/** Mail kinds of invitations: the first mail, and the reminders (sequence 1–3). */
export const INVITATION_KIND = 'invitation';
export const REMINDER_KIND = 'reminder';
export const TEST_KIND = 'test';
const MAX_SEQUENCE = 3;
/** pg-boss rows per insert when enqueueing many batches. */
const JOB_INSERT_CHUNK = 1000;
/** The sweep stops claiming after this long, to stay well inside a minute. */
const SWEEP_BUDGET_MS = 45_000;

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
export class MailService
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter | undefined;
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();
  private readonly builders = new Map<string, MailBuilder>();
  private readonly messageIdDomain: string;
  /** Set when the instance stops: claim nothing more, start no new send. */
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(HANDLEBARS) private readonly hbs: typeof Handlebars,
    private readonly outbox: OutboxRepository,
    private readonly mails: MailRepository,
    private readonly jobs: JobsService,
  ) {
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          pool: true,
          maxConnections: config.mail.connections,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        } as never)
      : undefined;
    this.messageIdDomain = /@([^@\s<>]+)>?\s*$/.exec(config.mailFrom)?.[1] ?? 'inpulse.local';
  }

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
    return this.transport === undefined;
  }

  // ---- the interface other features use ---------------------------------------------------

  /**
   * Lets a feature make the mails of `kind` at send time (call it from onModuleInit). The
   * invitations feature registers `invitation` and `reminder`; ticket surveys may register
   * theirs (naming the team, 0–10 buttons…) and queue one-off mails of that kind.
   */
  registerKind(kind: string, builder: MailBuilder): void {
    this.builders.set(kind, builder);
  }

  /**
   * Queues the mail of `sequence` (0: the invitation, 1–3: reminders) for every invitation of
   * a survey (a wave is a survey with invitations), or of a list of invitation ids — set-based:
   * one INSERT … SELECT, recipients never loaded into memory. Skipped: invitations answered,
   * expired, cancelled, of an inactive person, already holding that mail, and — for reminders —
   * whose invitation mail has not gone yet. Each mail waits until its invitation's `send_after`
   * (null: now). `mail.send` jobs are enqueued one per batch of MAIL_BATCH_SIZE mails, each
   * starting when its batch is due. `kind` (default `invitation`, or `reminder` for a sequence
   * above 0) picks the content: see InvitationsService.registerInvitationMail.
   *
   * With `manager`, the mails and their jobs are written in the caller's transaction: they
   * exist exactly when it commits. Calling it again creates nothing more.
   */
  async queueInvitationMails(
    scope: InvitationScope,
    options: { sequence?: number; kind?: string; manager?: EntityManager } = {},
  ): Promise<QueuedMails> {
    const sequence = options.sequence ?? 0;
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > MAX_SEQUENCE)
      throw new Error(`mail sequence must be 0 to ${MAX_SEQUENCE}, not ${sequence}`);
    const kind = options.kind ?? (sequence === 0 ? INVITATION_KIND : REMINDER_KIND);
    if (!this.builders.has(kind))
      throw new Error(`no builder for invitation mails of kind ${kind} (registerInvitationMail)`);
    if ('invitationIds' in scope && scope.invitationIds.length === 0) return { queued: 0, jobs: 0 };
    const work = async (manager: EntityManager) => {
      const queueId = randomUUID();
      const batches = await this.mails.insertForInvitations(
        scope,
        {
          sequence,
          kind,
          queueId,
          batchSize: this.config.mail.batchSize,
        },
        manager,
      );
      await this.enqueue(queueId, batches, manager, 0);
      return {
        queued: batches.reduce((sum, b) => sum + b.mails, 0),
        jobs: batches.length,
      };
    };
    return options.manager ? work(options.manager) : this.mails.transaction(work);
  }

  /**
   * Queues one mail (see OneOffMail): for "send me a test", for ticket surveys if they do not
   * use invitations… A second call with the same dedupe key creates nothing and answers the
   * existing mail's id. With `manager`, written in the caller's transaction.
   */
  async queueMail(
    mail: OneOffMail,
    options: { manager?: EntityManager } = {},
  ): Promise<{ id: string; created: boolean }> {
    if (!this.builders.has(mail.kind) && !mail.template)
      throw new Error(`a mail of kind ${mail.kind} needs a template or a registered builder`);
    if (mail.template !== undefined && !/^[a-z0-9-]+$/.test(mail.template))
      throw new Error(`bad mail template name ${mail.template}`);
    const work = async (manager: EntityManager) => {
      const queueId = randomUUID();
      const result = await this.mails.insertOne(
        {
          kind: mail.kind,
          dedupeKey: mail.dedupeKey,
          toAddress: mail.to,
          locale: this.i18n.negotiate(mail.locale),
          template: mail.template ?? null,
          context: { ...(mail.context ?? {}), ...(mail.subject ? { _subject: mail.subject } : {}) },
          dueAt: mail.dueAt ?? null,
          queueId,
        },
        manager,
      );
      if (result.created) {
        const dueAt = mail.dueAt && mail.dueAt.getTime() > Date.now() ? mail.dueAt : new Date();
        await this.enqueue(queueId, [{ batchNo: 0, dueAt }], manager, 10);
      }
      return result;
    };
    return options.manager ? work(options.manager) : this.mails.transaction(work);
  }

  /**
   * "Send me a test": the invitation mail as people get it, marked as a test, with a sample
   * link that opens no survey.
   */
  queueTest(
    to: string,
    sample: { locale?: string; name?: string; teamName?: string; k?: number } = {},
  ): Promise<{ id: string; created: boolean }> {
    const teamName = sample.teamName ?? 'IT Service Desk';
    return this.queueMail({
      kind: TEST_KIND,
      to,
      locale: sample.locale ?? 'en',
      dedupeKey: `test:${randomUUID()}`,
      template: 'invitation',
      subject: { key: 'email.test.subject', params: { team: teamName } },
      context: {
        test: true,
        name: sample.name ?? to.split('@')[0],
        teamName,
        k: sample.k ?? this.config.reportingThreshold,
        link: `${this.config.baseUrl}/s/sample-link-of-a-test-mail`,
        expires: mailDate(new Date(Date.now() + this.config.invitationTtlDays * 86_400_000)),
      },
    });
  }

  /** Queued mails of these invitations will not go (the person was deactivated…). */
  cancelInvitationMails(
    invitationIds: string[],
    reason: string,
    manager?: EntityManager,
  ): Promise<number> {
    return this.mails.cancelForInvitations(invitationIds, reason, manager);
  }

  // ---- sending (job handlers; tests call them directly) ---------------------------------------

  /** Job `mail.send`: sends the due mails of one batch; the others are left for later. */
  async sendBatch(batch: { queueId: string; batchNo: number }): Promise<SendRunResult> {
    const result = emptyResult();
    while (!this.stopping) {
      const claimed = await this.mails.claimBatch(
        batch,
        this.claimChunk,
        this.config.mail.leaseSeconds,
      );
      if (claimed.length === 0) break;
      addTo(result, await this.process(claimed));
    }
    // Rows of the batch due later (a send window, a back-off): a job for when they are.
    const next = await this.mails.nextDue(batch);
    if (next) await this.enqueue(batch.queueId, [{ batchNo: batch.batchNo, dueAt: next }]);
    return result;
  }

  /** Job `mail.sweep`: sends everything due that no job holds (retries, expired leases). */
  async sendDue(): Promise<SendRunResult> {
    const result = emptyResult();
    const until = Date.now() + SWEEP_BUDGET_MS;
    const batches = new Map<string, { queueId: string; batchNo: number }>();
    while (Date.now() < until && !this.stopping) {
      const claimed = await this.mails.claimDue(this.claimChunk, this.config.mail.leaseSeconds);
      if (claimed.length === 0) break;
      for (const mail of claimed)
        batches.set(`${mail.queueId}:${mail.batchNo}`, {
          queueId: mail.queueId,
          batchNo: mail.batchNo,
        });
      addTo(result, await this.process(claimed));
    }
    for (const batch of batches.values()) {
      const next = await this.mails.nextDue(batch);
      if (next) await this.enqueue(batch.queueId, [{ batchNo: batch.batchNo, dueAt: next }]);
    }
    return result;
  }

  /** Mails claimed at once: a few per connection, so that one lease covers a slow server. */
  private get claimChunk(): number {
    return Math.min(this.config.mail.batchSize, this.config.mail.connections * 5);
  }

  private async process(claimed: ClaimedMail[]): Promise<SendRunResult> {
    const result = emptyResult();
    const built = await this.build(claimed);
    // Every claimed mail not finished yet keeps its lease while this run lasts (waiting its
    // turn or in flight at the server), renewed every third of the lease.
    const unfinished = new Map(claimed.map((mail) => [mail.id, mail]));
    const leaseSeconds = this.config.mail.leaseSeconds;
    const heartbeat = setInterval(
      () => {
        this.mails.renewLeases([...unfinished.values()], leaseSeconds).catch((error: Error) => {
          this.logger.warn(
            `mail: leases not renewed (${error.message}); re-checked before each send`,
          );
        });
      },
      Math.max(500, (leaseSeconds * 1000) / 3),
    );
    const unstarted: ClaimedMail[] = [];
    try {
      await eachWithConcurrency(claimed, this.config.mail.connections, async (mail) => {
        if (this.stopping) {
          unstarted.push(mail);
        } else {
          result[await this.deliver(mail, built.get(mail.id))] += 1;
        }
        unfinished.delete(mail.id);
      });
    } finally {
      clearInterval(heartbeat);
    }
    if (unstarted.length > 0) {
      const batches = await this.mails.releaseUnstarted(unstarted);
      result.released += unstarted.length;
      // Another instance takes them at once (and the minute's sweep, should this insert fail).
      for (const batch of batches)
        await this.enqueue(batch.queueId, [{ batchNo: batch.batchNo, dueAt: new Date() }]);
      this.logger.log(`mail: stopping, gave back ${unstarted.length} mails not started`);
    }
    if (result.retrying + result.failed + result.dead + result.lost > 0) {
      this.logger.warn(
        `mail: ${result.sent} sent, ${result.retrying} to retry, ${result.failed} failed, ${result.dead} dead, ${result.lost} taken by another sender`,
      );
    }
    return result;
  }

  private async build(
    claimed: ClaimedMail[],
  ): Promise<Map<string, BuiltMail | CancelledMail | { retry: string }>> {
    const built = new Map<string, BuiltMail | CancelledMail | { retry: string }>();
    const byKind = new Map<string, ClaimedMail[]>();
    for (const mail of claimed) byKind.set(mail.kind, [...(byKind.get(mail.kind) ?? []), mail]);
    for (const [kind, mails] of byKind) {
      const builder = this.builders.get(kind);
      if (builder) {
        try {
          for (const [id, value] of await builder.build(mails)) built.set(id, value);
        } catch (error) {
          // e.g. the database was briefly away: the mails go back with back-off
          const reason = scrubReason(`the mail could not be built: ${(error as Error).message}`);
          for (const mail of mails) built.set(mail.id, { retry: reason });
        }
        continue;
      }
      for (const mail of mails) {
        if (!mail.template) continue; // nothing can make it: failed below
        const { _subject: subject, ...context } = (mail.context ?? {}) as {
          _subject?: MailSubject;
        };
        built.set(mail.id, { template: mail.template, subject: subject ?? '', context });
      }
    }
    return built;
  }

  private async deliver(
    mail: ClaimedMail,
    built: BuiltMail | CancelledMail | { retry: string } | undefined,
  ): Promise<keyof SendRunResult> {
    if (built === undefined) {
      await this.mails.markFinal(mail, 'failed', `nothing can build a mail of kind ${mail.kind}`);
      return 'failed';
    }
    if ('cancel' in built) {
      await this.mails.markFinal(mail, 'cancelled', scrubReason(built.cancel));
      return 'cancelled';
    }
    if ('retry' in built) return this.failed(mail, { permanent: false, reason: built.retry });
    if (mail.attempts > this.config.mail.maxAttempts) {
      // Claimed again after its lease ran out that often: its sender keeps dying on it.
      await this.mails.markFinal(
        mail,
        'dead',
        `gave up after ${mail.attempts - 1} attempts (the sender stopped while sending it)`,
      );
      return 'dead';
    }
    if (!isDeliverableAddress(mail.toAddress)) {
      await this.mails.markFinal(mail, 'failed', 'invalid address');
      return 'failed';
    }
    let message: MailMessage;
    try {
      message = this.render(mail, built);
    } catch (error) {
      await this.mails.markFinal(
        mail,
        'failed',
        scrubReason(`the mail could not be built: ${(error as Error).message}`),
      );
      return 'failed';
    }
    const builder = this.builders.get(mail.kind);
    if (!this.transport) {
      // The outbox is this database: the mail and its "sent" go in one transaction.
      await this.mails.transaction(async (manager) => {
        if (!(await this.mails.markSent(manager, mail))) return;
        await this.outbox.insert(message, manager);
        await builder?.sent?.(mail, manager);
      });
      return 'sent';
    }
    // Still ours? A mail that waited its turn past its lease may have been taken by another
    // sender: it is theirs now. Otherwise it is ours for a full lease from here (and renewed
    // while it is at the server, see process()).
    const held = await this.mails.renewLeases([mail], this.config.mail.leaseSeconds);
    if (!held.has(mail.id)) return 'lost';
    try {
      await this.transport.sendMail({
        from: this.config.mailFrom,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        // The same Message-ID on every attempt, so that a receiver can recognise a repeat.
        messageId: `<${mail.id}@${this.messageIdDomain}>`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      return this.failed(mail, classifySendError(error));
    }
    await this.mails.transaction(async (manager) => {
      if (!(await this.mails.markSent(manager, mail))) {
        // Only if the leases could not be renewed while it was at the server (the database
        // away for longer than a lease) and another sender took it meanwhile.
        this.logger.warn(`mail ${mail.id} was sent after its lease had run out`);
        return;
      }
      await builder?.sent?.(mail, manager);
    });
    return 'sent';
  }

  private async failed(
    mail: ClaimedMail,
    failure: { permanent: boolean; reason: string },
  ): Promise<keyof SendRunResult> {
    if (failure.permanent) {
      await this.mails.markFinal(mail, 'failed', failure.reason);
      return 'failed';
    }
    if (mail.attempts >= this.config.mail.maxAttempts) {
      await this.mails.markFinal(
        mail,
        'dead',
        scrubReason(`gave up after ${mail.attempts} attempts: ${failure.reason}`),
      );
      return 'dead';
    }
    await this.mails.markRetry(
      mail,
      retryDelaySeconds(mail.attempts, this.config.mail.retryBaseSeconds),
      failure.reason,
    );
    return 'retrying';
  }

  /**
   * Enqueues one `mail.send` job per batch, each starting when its batch is due. A job's id is
   * made from its batch and time, so the same follow-up asked for twice (by a batch job and the
   * sweep) is one job.
   */
  private async enqueue(
    queueId: string,
    batches: Pick<QueuedBatch, 'batchNo' | 'dueAt'>[],
    manager?: EntityManager,
    priority = 0,
  ): Promise<void> {
    const db = manager ? this.mails.jobsExecutor(manager) : undefined;
    const now = Date.now();
    for (let i = 0; i < batches.length; i += JOB_INSERT_CHUNK) {
      const jobs: PgBoss.JobInsert[] = batches.slice(i, i + JOB_INSERT_CHUNK).map((b) => ({
        id: jobId(queueId, b.batchNo, new Date(b.dueAt)),
        name: SEND_QUEUE,
        data: { queueId, batch: b.batchNo },
        priority,
        ...(new Date(b.dueAt).getTime() > now ? { startAfter: new Date(b.dueAt) } : {}),
      }));
      await this.jobs.insert(jobs, db);
    }
  }

  // ---- for HR ---------------------------------------------------------------------------------

  countByStatus(): Promise<Record<MailStatus, number>> {
    return this.mails.countByStatus();
  }

  problems(
    filter: { status?: 'failed' | 'dead'; limit?: number; offset?: number } = {},
  ): Promise<MailProblem[]> {
    return this.mails.problems({
      status: filter.status,
      limit: filter.limit ?? 100,
      offset: filter.offset ?? 0,
    });
  }

  /** Tries a failed or dead mail again, from its first attempt, now. */
  async retry(id: string): Promise<void> {
    const outcome = await this.mails.requeue(id, randomUUID());
    if ('problem' in outcome) {
      if (outcome.problem === 'not_found')
        throw new DomainError('not_found', 'mail.not_found', `No mail ${id}.`);
      throw new DomainError(
        'conflict',
        'mail.not_failed',
        `Mail ${id} is ${outcome.status}: only failed or dead mail can be retried.`,
      );
    }
    await this.enqueue(outcome.batch.queueId, [{ batchNo: 0, dueAt: new Date() }], undefined, 10);
  }

  listOutbox(limit: number): Promise<OutboxMessage[]> {
    return this.outbox.latest(limit);
  }

  /**
   * A direct send, not queued: for account mails (set-password links), which are shown on
   * screen as well, so that a mail server that is down does not lose them.
   */
  async send(message: MailMessage): Promise<void> {
    if (this.transport) {
      await this.transport.sendMail({
        from: this.config.mailFrom,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
      });
      return;
    }
    await this.outbox.insert(message);
  }

  // ---- templates ------------------------------------------------------------------------------

  private render(mail: ClaimedMail, built: BuiltMail): MailMessage {
    const locale = this.i18n.negotiate(mail.locale);
    const context: Record<string, unknown> = { locale, dir: this.i18n.info(locale).dir };
    for (const [key, value] of Object.entries(built.context)) {
      const date = value instanceof Date ? value : dateOf(value);
      context[key] = date ? this.formatDate(date, locale) : value;
    }
    const subject =
      typeof built.subject === 'string'
        ? built.subject
        : this.i18n.t(locale, built.subject.key, built.subject.params ?? {});
    return {
      to: mail.toAddress,
      subject,
      html: this.template(`${built.template}.html`, false)(context),
      text: this.template(`${built.template}.text`, true)(context),
      kind: mail.kind,
    };
  }

  formatDate(date: Date, locale: string): string {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }

  private template(name: string, plainText: boolean): Handlebars.TemplateDelegate {
    let template = this.templates.get(name);
    if (!template) {
      if (!/^[a-z0-9-]+\.(html|text)$/.test(name)) throw new Error(`bad template name ${name}`);
      const source = readFileSync(
        join(this.config.projectRoot, 'views', 'emails', `${name}.hbs`),
        'utf8',
      );
      template = this.hbs.compile(source, { noEscape: plainText, strict: false });
      this.templates.set(name, template);
    }
    return template;
  }

  /**
   * The instance is stopping (Nest calls this before the jobs stop, which waits for running
   * `mail.send` jobs): claim nothing more, start no new send; the jobs give back what they
   * hold and finish the mails already at the server.
   */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}

/**
 * A date in a one-off mail's stored context (JSON has no dates): written as a long date in the
 * mail's language when the mail is made.
 */
export function mailDate(date: Date): { $date: string } {
  return { $date: date.toISOString() };
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'object' || value === null || !('$date' in value)) return undefined;
  const date = new Date(String((value as { $date: unknown }).$date));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A UUID (version 4 layout) derived from what the job is about. */
function jobId(queueId: string, batchNo: number, dueAt: Date): string {
  const hex = createHash('sha256')
    .update(`${queueId}:${batchNo}:${dueAt.toISOString()}`)
    .digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function noop(): void {}

function emptyResult(): SendRunResult {
  return { sent: 0, retrying: 0, failed: 0, dead: 0, cancelled: 0, lost: 0, released: 0 };
}

function addTo(total: SendRunResult, more: SendRunResult): void {
  for (const key of Object.keys(total) as (keyof SendRunResult)[]) total[key] += more[key];
}

async function eachWithConcurrency<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}
