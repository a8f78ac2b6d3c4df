import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { openJson, sealJson } from '../../common/crypto/sealing';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import type { CreateQuestionnaireDto } from '../surveys/dto/create-questionnaire.dto';
import { SurveysService } from '../surveys/surveys.service';
import type { SurveyState } from './entities/ticket-event.entity';
import { openRequester, samplingBucket } from './secrets';
import { resolutionBand } from './ticket-rules';
import { SURVEY_QUEUE } from './ticket-webhooks.service';
import { TicketErrors } from './tickets.errors';
import { type TicketForSurvey, TicketsRepository } from './tickets.repository';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

export const SURVEY_DEAD_QUEUE = 'ticket.survey.dead';
/** The mail of a ticket survey's invitation: the team, and one button per score. */
export const TICKET_MAIL_KIND = 'ticket-survey';
export const TICKETS_PURGE_QUEUE = 'tickets.purge';
/** The batch that invites the people of decided tickets. */
export const TICKET_INVITE_QUEUE = 'ticket.invite';
const HAND_OVER_PURPOSE = 'ticket-hand-over';

/** What a decided ticket hands over to the invitation batch (sealed): nothing of the ticket. */
interface HandOver {
  surveyId: string;
  employeeId: string;
  expiresAt: string;
  resolutionBand: string | null;
}

/** A resolution this much older than its survey's due time is not surveyed any more. */
const TOO_LATE_MS = 7 * 86_400_000;
/** A ticket survey stays open this long after its month, for links sent at its end. */
const SURVEY_OPEN_AFTER_MONTH_DAYS = 60;
/** Webhook receipts are kept this long to recognise a replay (and failed surveys' requesters). */
const RECEIPT_DAYS = 30;

/** The questionnaire of every ticket survey: "{team}" is filled with the team's name. */
export const TICKET_QUESTIONNAIRE: CreateQuestionnaireDto = {
  name: 'After a ticket',
  defaultLocale: 'en',
  questions: [
    {
      type: 'nps',
      required: true,
      text: {
        en: 'How likely are you to recommend {team} to a colleague?',
        es: '¿Qué probabilidad hay de que recomiendes a {team} a un compañero?',
        ja: '{team} を同僚に勧める可能性はどのくらいですか？',
        fa: 'چقدر احتمال دارد {team} را به یک همکار توصیه کنید؟',
      },
    },
    {
      type: 'text',
      maxLength: 1000,
      text: { en: 'Why?', es: '¿Por qué?', ja: 'その理由は？', fa: 'چرا؟' },
    },
  ],
};

/** What the survey job did with a ticket (tests read it; pg-boss ignores it). */
export type SurveyOutcome = 'sent' | 'not-due' | 'nothing-to-do' | `skipped:${string}`;

/**
 * The `ticket.survey` job, at resolution + delay: decides whether the requester is surveyed
 * (a known active employee, not excluded, sampled in, not throttled, within the organisation's
 * fatigue budget, not yet surveyed about the team this month). The decision forgets the
 * requester and removes the ticket's jobs; a decision to survey hands the person over, sealed, to
 * the `ticket.invite` batch, which invites everyone handed over since its last run to their
 * team's ticket survey of the month in one transaction of its own (and queues the mails), so that
 * no transaction, timestamp or job ties a ticket to its requester's invitation. After
 * TICKET_SURVEY_RETRY_LIMIT failed tries the job goes to the dead letter queue, and the ticket
 * shows as failed on the integration's page. (Sending the mail, with its own retries and dead
 * letters, is the mail pipeline's.)
 */
@Injectable()
export class TicketSurveysService implements OnModuleInit {
  private readonly logger = new Logger('TicketSurveys');

  constructor(
    private readonly tickets: TicketsRepository,
    private readonly directory: DirectoryService,
    private readonly invitations: InvitationsService,
    private readonly surveys: SurveysService,
    private readonly jobs: JobsService,
    private readonly deliveries: WebhookDeliveriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.invitations.registerInvitationMail(TICKET_MAIL_KIND, (_mail, link) => ({
      template: 'ticket-survey',
      subject: { key: 'email.ticket.subject', params: { team: link.teamName } },
      context: {
        name: link.name,
        teamName: link.teamName,
        k: link.reportingThreshold,
        expires: link.expiresAt,
        scores: Array.from({ length: 11 }, (_, score) => ({
          score,
          link: `${link.url}?score=${score}`,
        })),
      },
    }));
    await this.jobs.register<{ ticketId: string }>({
      name: SURVEY_DEAD_QUEUE,
      handler: (data) => this.deadLetter(data.ticketId),
      retryLimit: 3,
    });
    await this.jobs.register<{ ticketId: string }>({
      name: SURVEY_QUEUE,
      handler: (data) => this.run(data.ticketId).then(() => undefined),
      retryLimit: this.config.tickets.surveyRetryLimit,
      retryDelay: this.config.tickets.surveyRetryDelaySeconds,
      deadLetter: SURVEY_DEAD_QUEUE,
    });
    await this.jobs.register({
      name: TICKET_INVITE_QUEUE,
      cron: '*/10 * * * *',
      handler: () => this.inviteDecided().then(() => undefined),
      retryLimit: 3,
    });
    await this.jobs.register({
      name: TICKETS_PURGE_QUEUE,
      cron: '43 3 * * *',
      handler: () => this.purge(),
      retryLimit: 2,
    });
  }

  /** Job `ticket.survey`. Idempotent: a second run finds the survey decided and stops. */
  async run(ticketId: string): Promise<SurveyOutcome> {
    const ticket = await this.tickets.ticketForSurvey(ticketId);
    if (!ticket || ticket.surveyState !== 'pending' || ticket.resolution === null)
      return 'nothing-to-do';
    // A later resolution moved the survey: the job scheduled for it will do it.
    if (ticket.surveyDueAt && ticket.surveyDueAt.getTime() > Date.now() + 1000) return 'not-due';
    try {
      return await this.decide(ticket);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.tickets.recordSurveyFailure(ticketId, message);
      this.logger.warn(`ticket survey ${ticketId} failed: ${message}`);
      throw error;
    }
  }

  private async decide(ticket: TicketForSurvey): Promise<SurveyOutcome> {
    // Every decision forgets the requester and drops the ticket's jobs, done or waiting.
    const forget = (manager: EntityManager) =>
      this.jobs.deleteJobsAbout(manager, [SURVEY_QUEUE, SURVEY_DEAD_QUEUE], 'ticketId', ticket.id);
    const skip = async (reason: string): Promise<SurveyOutcome> => {
      const state: SurveyState = `skipped:${reason}`;
      await this.tickets.settleSurvey(ticket.id, state, forget);
      return state;
    };
    const due = ticket.surveyDueAt?.getTime() ?? Date.now();
    if (Date.now() - due > TOO_LATE_MS) return skip('too-late');
    const category = ticket.category?.toLowerCase();
    if (category && ticket.excludedCategories.some((c) => c.toLowerCase() === category))
      return skip('excluded-category');
    if (ticket.excludeRequesterIsAssignee && ticket.requesterIsAssignee)
      return skip('requester-is-assignee');
    const email = openRequester(this.config.appSecret, ticket.requesterEmailSealed);
    const externalId = openRequester(this.config.appSecret, ticket.requesterExternalIdSealed);
    if (!email && !externalId) return skip('no-requester');
    const bucket = samplingBucket(
      this.config.appSecret,
      ticket.integrationId,
      ticket.externalTicketId,
    );
    if (bucket >= ticket.samplingPercent) return skip('not-sampled');
    const employee = await this.directory.findActiveEmployee(email, externalId);
    if (!employee) return skip('not-an-employee');

    const now = new Date();
    const surveyId = await this.monthlySurvey(ticket.teamId, ticket.teamName, now);
    const allowed = await this.invitations.ticketSurveyAllowed({
      surveyId,
      teamId: ticket.teamId,
      employeeId: employee.id,
      throttleDays: ticket.throttleDays,
    });
    if (allowed === 'already-invited') return skip('surveyed-this-month');
    if (allowed === 'throttled') return skip('throttled');
    if (allowed === 'fatigue-budget') return skip('fatigue-budget');
    const handOver: HandOver = {
      surveyId,
      employeeId: employee.id,
      expiresAt: new Date(now.getTime() + ticket.linkExpiryDays * 86_400_000).toISOString(),
      resolutionBand: resolutionBand(ticket.ticketCreatedAt, ticket.resolution),
    };
    const decided = await this.tickets.decideSurvey({
      ticketRowId: ticket.id,
      handOver: sealJson(this.config.appSecret, HAND_OVER_PURPOSE, handOver, 256),
      forget,
    });
    // A reopen cancelled the survey meanwhile: nothing was written.
    return decided ? 'sent' : 'nothing-to-do';
  }

  /**
   * Job `ticket.invite` (every ten minutes): the people of every ticket decided since the last
   * run, invited to their team's ticket survey of the month in one transaction, in random order,
   * with their mails queued; the hand-overs deleted and vacuumed. Returns how many were invited.
   */
  async inviteDecided(): Promise<number> {
    const invited = await this.tickets.takeHandOvers(async (sealed, manager) => {
      const wanted = sealed.flatMap((bytes) => {
        const h = openJson<HandOver>(this.config.appSecret, HAND_OVER_PURPOSE, bytes);
        return h ? [{ ...h, expiresAt: new Date(h.expiresAt) }] : [];
      });
      return this.invitations.createTicketInvitations(manager, wanted, TICKET_MAIL_KIND);
    });
    if (invited) this.logger.log(`invited ${invited} people after tickets`);
    return invited ?? 0;
  }

  /** The team's ticket survey of the month (made once, with the ticket questionnaire). */
  private monthlySurvey(teamId: string, teamName: string, now: Date): Promise<string> {
    const period = now.toISOString().slice(0, 7);
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    return this.tickets.ticketSurvey(teamId, period, async () => {
      const questionnaireId =
        (await this.tickets.ticketQuestionnaireId()) ??
        (await this.surveys.createQuestionnaire(TICKET_QUESTIONNAIRE)).id;
      return this.surveys.createTicketSurvey({
        name: `${teamName} · tickets · ${period}`.slice(0, 200),
        teamId,
        questionnaireId,
        closesAt: new Date(nextMonth + SURVEY_OPEN_AFTER_MONTH_DAYS * 86_400_000),
      });
    });
  }

  /** Job `ticket.survey.dead`: a survey job that failed for good. */
  async deadLetter(ticketId: string): Promise<void> {
    await this.tickets.markDead(ticketId);
    this.logger.error(`ticket survey ${ticketId} failed for good: see the integration's page`);
  }

  /** HR tries a failed survey again: it becomes pending and its job runs now. */
  async revive(integrationId: string, externalTicketId: string): Promise<void> {
    const id = await this.tickets.revive(integrationId, externalTicketId);
    if (!id) throw TicketErrors.notDead();
    await this.jobs.send(SURVEY_QUEUE, { ticketId: id });
  }

  /**
   * Job `tickets.purge`, daily: old receipts, what long-failed surveys still kept, and the
   * delivery log's old lines.
   */
  async purge(): Promise<void> {
    await this.tickets.purge(RECEIPT_DAYS);
    await this.deliveries.purge();
  }
}
