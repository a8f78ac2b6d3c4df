import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import type { MailStatus } from './entities/mail-message.entity';
import type { OutboxMessage } from './entities/outbox-message.entity';
import { MailErrors } from './mail.errors';
import { MailKinds } from './mail-kinds';
import {
  INVITATION_KIND,
  mailDate,
  type OneOffMail,
  type QueuedMails,
  REMINDER_KIND,
  SEND_QUEUE,
  TEST_KIND,
} from './mail-types';
import {
  type InvitationScope,
  type MailProblem,
  MailRepository,
  type QueuedBatch,
} from './mail.repository';
import { OutboxRepository } from './outbox.repository';

const MAX_SEQUENCE = 3;
/** pg-boss rows per insert when enqueueing many batches. */
const JOB_INSERT_CHUNK = 1000;

/**
 * The mail queue: every mail that must go out becomes a `mail_message` row and its `mail.send`
 * jobs, in the caller's transaction when given one (see MailService for the whole pipeline).
 * Also what HR does with it: counts, problems, retry, the outbox.
 */
@Injectable()
export class MailQueueService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
    private readonly mails: MailRepository,
    private readonly outbox: OutboxRepository,
    private readonly kinds: MailKinds,
    private readonly jobs: JobsService,
  ) {}

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
    if (!this.kinds.has(kind))
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
    if (!this.kinds.has(mail.kind) && !mail.template)
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

  /**
   * Enqueues one `mail.send` job per batch, each starting when its batch is due. A job's id is
   * made from its batch and time, so the same follow-up asked for twice (by a batch job and the
   * sweep) is one job.
   */
  async enqueue(
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
      if (outcome.problem === 'not_found') throw MailErrors.notFound(id);
      throw MailErrors.notFailed(id, outcome.status);
    }
    await this.enqueue(outcome.batch.queueId, [{ batchNo: 0, dueAt: new Date() }], undefined, 10);
  }

  listOutbox(limit: number): Promise<OutboxMessage[]> {
    return this.outbox.latest(limit);
  }
}

/** A UUID (version 4 layout) derived from what the job is about. */
function jobId(queueId: string, batchNo: number, dueAt: Date): string {
  const hex = createHash('sha256')
    .update(`${queueId}:${batchNo}:${dueAt.toISOString()}`)
    .digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
