import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { MailService } from '../mail/mail.service';
import { InvitationsRepository, SurveyLink } from './invitations.repository';
import { hashToken, looksLikeToken, newToken } from './tokens';

export const DELIVER_QUEUE = 'invitations.deliver';
const MAIL_BATCH = 100;

@Injectable()
export class InvitationsService implements OnModuleInit {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ invitationIds: string[] }>({
      name: DELIVER_QUEUE,
      handler: (data) => this.deliver(data.invitationIds),
      retryLimit: 8,
    });
  }

  /** Creates the invitations in one insert and queues their mail in batches. */
  async inviteToSurvey(
    survey: { id: string; closesAt: Date },
    who: { employeeIds: string[]; emails: string[] },
  ) {
    const result = await this.invitations.insertForSurvey(survey, who);
    const jobs = [];
    for (let i = 0; i < result.created.length; i += MAIL_BATCH) {
      jobs.push({
        name: DELIVER_QUEUE,
        data: { invitationIds: result.created.slice(i, i + MAIL_BATCH) },
      });
    }
    if (jobs.length > 0) await this.jobs.insert(jobs);
    return {
      invited: result.created.length,
      alreadyInvited: result.matched - result.created.length,
      unknownEmails: result.unknownEmails,
      unknownEmployeeIds: result.unknownEmployeeIds,
    };
  }

  /** The wave's invitations, in the caller's transaction (see InvitationsRepository). */
  insertForWave(
    input: Parameters<InvitationsRepository['insertForWave']>[0],
    manager: EntityManager,
  ): Promise<number> {
    return this.invitations.insertForWave(input, manager);
  }

  /**
   * Queues the delivery of every unsent invitation of a survey, page by page (never the whole
   * survey in memory), each batch to start at its earliest send instant. Queuing twice is
   * harmless: delivery skips what has gone.
   */
  async queueDelivery(surveyId: string): Promise<number> {
    let after: { id: string; sendAfter: string } | undefined;
    let queued = 0;
    for (;;) {
      const page = await this.invitations.unsentPage(surveyId, after, 5000);
      if (page.length === 0) return queued;
      const jobs = [];
      for (let i = 0; i < page.length; i += MAIL_BATCH) {
        const batch = page.slice(i, i + MAIL_BATCH);
        const last = batch[batch.length - 1].sendAfter;
        const startAfter = last === '-infinity' ? undefined : new Date(last);
        jobs.push({
          name: DELIVER_QUEUE,
          data: { invitationIds: batch.map((b) => b.id) },
          ...(startAfter && startAfter.getTime() > Date.now() ? { startAfter } : {}),
        });
      }
      await this.jobs.insert(jobs);
      queued += page.length;
      after = page[page.length - 1];
    }
  }

  /**
   * Job `invitations.deliver`: gives each invitation a fresh token, stores only its hash, and
   * mails the link. Invitations already sent are skipped, so a retried job sends the rest.
   * A failure throws, and pg-boss retries with back-off.
   */
  async deliver(invitationIds: string[]): Promise<void> {
    for (const invitation of await this.invitations.toDeliver(invitationIds)) {
      const token = newToken();
      await this.invitations.setTokenHash(invitation.id, hashToken(token));
      await this.mail.sendInvitation({
        to: invitation.email,
        name: invitation.name,
        locale: invitation.locale,
        surveyName: invitation.surveyName,
        teamName: invitation.teamName,
        reportingThreshold: invitation.reportingThreshold,
        expiresAt: invitation.expiresAt,
        link: this.link(token),
      });
      await this.invitations.markSent(invitation.id);
    }
  }

  link(token: string): string {
    return `${this.config.baseUrl}/s/${token}`;
  }

  /** The survey behind a link, or undefined for any token we do not know. */
  async findLink(token: string): Promise<SurveyLink | undefined> {
    if (!looksLikeToken(token)) return undefined;
    return this.invitations.findByTokenHash(hashToken(token));
  }
}
