import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  classifySendError,
  isDeliverableAddress,
  retryDelaySeconds,
  scrubReason,
} from './mail-errors';
import { MailKinds } from './mail-kinds';
import { MailQueueService } from './mail-queue.service';
import { MailRenderer } from './mail-renderer';
import type {
  BuiltMail,
  CancelledMail,
  MailMessage,
  MailSubject,
  SendRunResult,
} from './mail-types';
import { type ClaimedMail, MailRepository } from './mail.repository';
import { OutboxRepository } from './outbox.repository';

/** The sweep stops claiming after this long, to stay well inside a minute. */
const SWEEP_BUDGET_MS = 45_000;

/**
 * The mail sender: claims due mails under a lease, builds and renders them, hands them to SMTP
 * or the outbox, and records each outcome (see MailService for the whole pipeline).
 */
@Injectable()
export class MailSenderService implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter | undefined;
  private readonly messageIdDomain: string;
  /** Set when the instance stops: claim nothing more, start no new send. */
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mails: MailRepository,
    private readonly outbox: OutboxRepository,
    private readonly kinds: MailKinds,
    private readonly queue: MailQueueService,
    private readonly renderer: MailRenderer,
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

  get usesOutbox(): boolean {
    return this.transport === undefined;
  }

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
    if (next) await this.queue.enqueue(batch.queueId, [{ batchNo: batch.batchNo, dueAt: next }]);
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
      if (next) await this.queue.enqueue(batch.queueId, [{ batchNo: batch.batchNo, dueAt: next }]);
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
        await this.queue.enqueue(batch.queueId, [{ batchNo: batch.batchNo, dueAt: new Date() }]);
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
      const builder = this.kinds.get(kind);
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
      message = this.renderer.render(mail, built);
    } catch (error) {
      await this.mails.markFinal(
        mail,
        'failed',
        scrubReason(`the mail could not be built: ${(error as Error).message}`),
      );
      return 'failed';
    }
    const builder = this.kinds.get(mail.kind);
    if (!this.transport) {
      // The outbox is this database: the mail and its "sent" go in one transaction.
      await this.mails.transaction(async (manager) => {
        if (!(await this.mails.markSent(manager, mail))) return;
        await this.outbox.insert(message, manager, mail.invitationId);
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
        headers: { ...message.headers, 'Auto-Submitted': 'auto-generated' },
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
