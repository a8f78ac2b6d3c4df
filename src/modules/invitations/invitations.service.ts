import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { FatigueService } from '../fatigue/fatigue.service';
import {
  type BuiltMail,
  type CancelledMail,
  type ClaimedMail,
  INVITATION_KIND,
  MailService,
  REMINDER_KIND,
} from '../mail/mail.service';
import { InvitationsRepository, SurveyLink } from './invitations.repository';
import { hashToken, looksLikeToken, newToken } from './tokens';

@Injectable()
export class InvitationsService implements OnModuleInit {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly mail: MailService,
    private readonly fatigue: FatigueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const builder = {
      build: (mails: readonly ClaimedMail[]) => this.buildMails(mails),
      sent: (mail: ClaimedMail, manager: EntityManager) =>
        mail.sequence === 0 && mail.invitationId
          ? this.invitations.markSent(manager, mail.invitationId)
          : Promise.resolve(),
    };
    this.mail.registerKind(INVITATION_KIND, builder);
    this.mail.registerKind(REMINDER_KIND, builder);
  }

  /**
   * Creates the invitations in one insert, under the fatigue budget, and queues their mail —
   * all in one transaction: either everything is written, or nothing.
   */
  async inviteToSurvey(
    survey: { id: string; closesAt: Date },
    who: { employeeIds: string[]; emails: string[] },
  ) {
    return this.invitations.transaction(async (manager) => {
      const budgetDays = await this.fatigue.lockBudget(manager);
      const result = await this.invitations.insertForSurvey(manager, survey, who, budgetDays);
      await this.fatigue.recordSkipped(manager, 'survey', survey.id, result.skippedByBudget);
      if (result.created > 0)
        await this.mail.queueInvitationMails({ surveyId: survey.id }, { manager });
      return {
        invited: result.created,
        alreadyInvited: result.matched - result.created - result.skippedByBudget,
        skippedByBudget: result.skippedByBudget,
        unknownEmails: result.unknownEmails,
        unknownEmployeeIds: result.unknownEmployeeIds,
      };
    });
  }

  /**
   * Builds invitation and reminder mails at send time: a fresh link token for each (only its
   * hash is stored, replacing the previous one), in one statement for the whole batch.
   */
  private async buildMails(
    mails: readonly ClaimedMail[],
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const withInvitation = mails.filter((m) => m.invitationId !== null);
    const tokens = new Map(withInvitation.map((m) => [m.id, newToken()]));
    const issued = await this.invitations.issueLinks(
      withInvitation.map((m) => ({
        invitationId: m.invitationId as string,
        tokenHash: hashToken(tokens.get(m.id) as string),
        sequence: m.sequence,
      })),
    );
    const byInvitation = new Map(issued.map((link) => [link.invitationId, link]));
    const built = new Map<string, BuiltMail | CancelledMail>();
    for (const mail of withInvitation) {
      const link = byInvitation.get(mail.invitationId as string);
      if (!link) {
        built.set(mail.id, { cancel: 'the invitation no longer exists' });
        continue;
      }
      if (link.problem) {
        built.set(mail.id, { cancel: link.problem });
        continue;
      }
      const url = this.link(tokens.get(mail.id) as string);
      // After a ticket, the first mail asks its question at once: one button per score.
      const template =
        mail.sequence > 0 ? 'reminder' : link.source === 'ticket' ? 'ticket-survey' : 'invitation';
      built.set(mail.id, {
        template,
        subject: {
          key: template === 'ticket-survey' ? 'email.ticket.subject' : `email.${template}.subject`,
          params: { team: link.teamName },
        },
        context: {
          name: link.name,
          teamName: link.teamName,
          surveyName: link.surveyName,
          k: link.reportingThreshold,
          link: url,
          expires: new Date(link.expiresAt),
          ...(template === 'ticket-survey'
            ? {
                scores: Array.from({ length: 11 }, (_, score) => ({
                  score,
                  link: `${url}?score=${score}`,
                })),
              }
            : {}),
        },
      });
    }
    return built;
  }

  /**
   * Invites one person to a ticket survey (with the ticket's coarse attributes) under the fatigue
   * budget, and queues the mail — in the caller's transaction, so the decision to survey, the
   * invitation and its mail commit together. Without an id, why not.
   */
  async createTicketInvitation(
    manager: EntityManager,
    input: Parameters<InvitationsRepository['insertTicketInvitation']>[1],
  ): Promise<{ id: string } | { skipped: 'already-invited' | 'fatigue-budget' }> {
    const budgetDays = await this.fatigue.lockBudget(manager);
    const result = await this.invitations.insertTicketInvitation(manager, input, budgetDays);
    if ('skipped' in result) {
      if (result.skipped === 'fatigue-budget')
        await this.fatigue.recordSkipped(manager, 'survey', input.surveyId, 1);
      return result;
    }
    await this.mail.queueInvitationMails({ invitationIds: [result.id] }, { manager });
    return result;
  }

  /**
   * Withdraws the open links of these employees (they were deactivated): unanswered
   * invitations stop working (410) and their queued mails are cancelled, in the caller's
   * transaction. Returns how many invitations were cancelled.
   */
  async cancelOpenLinksOf(manager: EntityManager, employeeIds: string[]): Promise<number> {
    const cancelled = await this.invitations.cancelOpenOf(manager, employeeIds);
    await this.mail.cancelInvitationMails(cancelled, 'the person was deactivated', manager);
    return cancelled.length;
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
