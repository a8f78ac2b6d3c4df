import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import type { EntityManager } from 'typeorm';
import { MailService } from '../mail/mail.service';
import {
  type InvitationToDeliver,
  InvitationsRepository,
  SurveyLink,
} from './invitations.repository';
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

  /**
   * Job `invitations.deliver`: gives each invitation a fresh token, stores only its hash, and
   * mails the link. Invitations already sent are skipped, so a retried job sends the rest.
   * A failure throws, and pg-boss retries with back-off.
   */
  async deliver(invitationIds: string[]): Promise<void> {
    await this.deliverWith(invitationIds, (invitation, link) =>
      this.mail.sendInvitation({
        to: invitation.email,
        name: invitation.name,
        locale: invitation.locale,
        surveyName: invitation.surveyName,
        teamName: invitation.teamName,
        reportingThreshold: invitation.reportingThreshold,
        expiresAt: invitation.expiresAt,
        link,
      }),
    );
  }

  /**
   * Gives each invitation among `invitationIds` that has not been mailed yet (and can still be
   * answered) a fresh token, keeps only its hash, hands the link to `send`, and marks it sent.
   */
  async deliverWith(
    invitationIds: string[],
    send: (invitation: InvitationToDeliver, link: string) => Promise<void>,
  ): Promise<void> {
    for (const invitation of await this.invitations.toDeliver(invitationIds)) {
      const token = newToken();
      await this.invitations.setTokenHash(invitation.id, hashToken(token));
      await send(invitation, this.link(token));
      await this.invitations.markSent(invitation.id);
    }
  }

  /** See InvitationsRepository.insertTicketInvitation. */
  createTicketInvitation(
    manager: EntityManager,
    input: Parameters<InvitationsRepository['insertTicketInvitation']>[1],
  ): Promise<string | undefined> {
    return this.invitations.insertTicketInvitation(manager, input);
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
