import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { openJson, sealJson } from '../../common/crypto/sealing';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { type JobsExecutor, JobsService } from '../../jobs/jobs.service';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import type { CreateQuestionnaireDto } from '../surveys/dto/create-questionnaire.dto';
import { SurveysService } from '../surveys/surveys.service';
import { openRequester, samplingBucket } from './secrets';
import { surveyJobId } from './survey-jobs';
import { resolutionBand } from './ticket-rules';
import { SURVEY_QUEUE } from './ticket-webhooks.service';
import { TicketErrors } from './tickets.errors';
import { TicketEventsRepository } from './ticket-events.repository';
import { type TicketForSurvey, TicketSurveysRepository } from './ticket-surveys.repository';
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
  /** When the survey was decided (absent in hand-overs of older versions: invited at once). */
  decidedAt?: string;
}

/** Due survey jobs a worker takes at once, and decides together. */
const SURVEY_BATCH = 500;

/** pg-boss's statements through a TypeORM transaction. */
function jobsExecutor(manager: EntityManager): JobsExecutor {
  return {
    executeSql: async (text: string, values: unknown[]) => {
      const rows: unknown = await manager.query(text, values);
      return { rows: Array.isArray(rows) ? rows : [] };
    },
  };
}

/** A resolution this much older than its survey's due time is not surveyed any more. */
const TOO_LATE_MS = 7 * 86_400_000;
/** A ticket survey stays open this long after its month, for links sent at its end. */
const SURVEY_OPEN_AFTER_MONTH_DAYS = 60;
/** A failed survey not tried again forgets its requester after this long (receipts: retention). */
const FAILED_REQUESTER_DAYS = 30;

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
    private readonly tickets: TicketSurveysRepository,
    private readonly events: TicketEventsRepository,
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
      batchHandler: (jobs) => this.runBatch(jobs.map((data) => data.ticketId)),
      retryLimit: this.config.tickets.surveyRetryLimit,
      retryDelay: this.config.tickets.surveyRetryDelaySeconds,
      deadLetter: SURVEY_DEAD_QUEUE,
      // Due surveys are decided by the batch (a bulk close of tickets makes thousands due at
      // once): one that fails is retried alone.
      // (A worker fetches at most once per polling interval: the batch sets the pace.)
      batchSize: SURVEY_BATCH,
      workers: 2,
      pollingIntervalSeconds: 0.5,
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
    const [ticket] = await this.tickets.ticketsForSurvey([ticketId]);
    const early = this.notNow(ticket);
    if (early) return early;
    try {
      return (await this.decideAll([ticket])).get(ticketId) ?? 'nothing-to-do';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.tickets.recordSurveyFailure(ticketId, message);
      this.logger.warn(`ticket survey ${ticketId} failed: ${message}`);
      throw error;
    }
  }

  /**
   * Job `ticket.survey`, as the workers run it: the due jobs a worker took at once, decided
   * together — a few set-based lookups and one transaction for all of them, so a bulk close of
   * thousands of tickets is decided in seconds. Should that fail (one ticket's decision cannot be
   * written), each is decided on its own, and only the failing ones fail. Answers per ticket the
   * error of its job, or undefined.
   */
  async runBatch(ticketIds: string[]): Promise<(Error | undefined)[]> {
    try {
      const tickets = await this.tickets.ticketsForSurvey(ticketIds);
      await this.decideAll(tickets.filter((t) => this.notNow(t) === undefined));
      return ticketIds.map(() => undefined);
    } catch (error) {
      this.logger.warn(
        `ticket surveys: a batch failed (${error instanceof Error ? error.message : String(error)}); deciding each on its own`,
      );
      const errors: (Error | undefined)[] = [];
      for (const id of ticketIds)
        errors.push(
          await this.run(id).then(
            () => undefined,
            (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
          ),
        );
      return errors;
    }
  }

  /** Why a ticket is not decided now, if it is not (decided already, not due yet…). */
  private notNow(ticket: TicketForSurvey | undefined): SurveyOutcome | undefined {
    if (!ticket || ticket.surveyState !== 'pending' || ticket.resolution === null)
      return 'nothing-to-do';
    // A later resolution moved the survey: the job scheduled for it will do it.
    if (ticket.surveyDueAt && ticket.surveyDueAt.getTime() > Date.now() + 1000) return 'not-due';
    return undefined;
  }

  /**
   * The decisions about due tickets: each is skipped with its reason, or surveyed — handed over
   * (sealed) to the invitation batch. All are written in one transaction, which erases the
   * requesters and deletes the tickets' jobs (by id) and any dead letter.
   */
  private async decideAll(tickets: TicketForSurvey[]): Promise<Map<string, SurveyOutcome>> {
    const outcomes = new Map<string, SurveyOutcome>();
    if (tickets.length === 0) return outcomes;
    const decisions: { id: string; state: 'sent' | `skipped:${string}`; handOver?: Buffer }[] = [];
    const skip = (ticket: TicketForSurvey, reason: string) =>
      decisions.push({ id: ticket.id, state: `skipped:${reason}` });
    const now = new Date();
    const candidates: {
      ticket: TicketForSurvey;
      email: string | null;
      externalId: string | null;
    }[] = [];
    for (const ticket of tickets) {
      const due = ticket.surveyDueAt?.getTime() ?? Date.now();
      const category = ticket.category?.toLowerCase();
      if (Date.now() - due > TOO_LATE_MS) skip(ticket, 'too-late');
      else if (category && ticket.excludedCategories.some((c) => c.toLowerCase() === category))
        skip(ticket, 'excluded-category');
      else if (ticket.excludeRequesterIsAssignee && ticket.requesterIsAssignee)
        skip(ticket, 'requester-is-assignee');
      else {
        const email = openRequester(this.config.appSecret, ticket.requesterEmailSealed);
        const externalId = openRequester(this.config.appSecret, ticket.requesterExternalIdSealed);
        if (!email && !externalId) skip(ticket, 'no-requester');
        else if (
          samplingBucket(this.config.appSecret, ticket.integrationId, ticket.externalTicketId) >=
          ticket.samplingPercent
        )
          skip(ticket, 'not-sampled');
        else candidates.push({ ticket, email, externalId });
      }
    }
    const employees = await this.directory.findActiveEmployees(candidates);
    const known: { ticket: TicketForSurvey; employeeId: string; surveyId: string }[] = [];
    const surveyOfTeam = new Map<string, string>();
    for (const [i, { ticket }] of candidates.entries()) {
      const employee = employees[i];
      if (!employee) {
        skip(ticket, 'not-an-employee');
        continue;
      }
      let surveyId = surveyOfTeam.get(ticket.teamId);
      if (!surveyId) {
        surveyId = await this.monthlySurvey(ticket.teamId, ticket.teamName, now);
        surveyOfTeam.set(ticket.teamId, surveyId);
      }
      known.push({ ticket, employeeId: employee.id, surveyId });
    }
    const verdicts = await this.invitations.ticketSurveysAllowed(
      known.map((k) => ({
        surveyId: k.surveyId,
        teamId: k.ticket.teamId,
        employeeId: k.employeeId,
        throttleDays: k.ticket.throttleDays,
      })),
    );
    for (const [i, { ticket, employeeId, surveyId }] of known.entries()) {
      const verdict = verdicts[i];
      if (verdict === 'already-invited') skip(ticket, 'surveyed-this-month');
      else if (verdict === 'throttled') skip(ticket, 'throttled');
      else if (verdict === 'fatigue-budget') skip(ticket, 'fatigue-budget');
      else {
        const handOver: HandOver = {
          surveyId,
          employeeId,
          expiresAt: new Date(now.getTime() + ticket.linkExpiryDays * 86_400_000).toISOString(),
          resolutionBand: resolutionBand(ticket.ticketCreatedAt, ticket.resolution),
          decidedAt: now.toISOString(),
        };
        decisions.push({
          id: ticket.id,
          state: 'sent',
          handOver: sealJson(this.config.appSecret, HAND_OVER_PURPOSE, handOver, 256),
        });
      }
    }
    const decided = new Set(
      await this.tickets.decideMany({
        decisions,
        // Every decision forgets the requester and drops the ticket's jobs, done or waiting:
        // its survey job by id, and any dead letter it left (a small queue) by what it is about.
        forget: async (manager, ids) => {
          await this.jobs.deleteJobs(jobsExecutor(manager), SURVEY_QUEUE, ids.map(surveyJobId), {
            archive: true,
          });
          await this.jobs.deleteJobsAbout(manager, [SURVEY_DEAD_QUEUE], 'ticketId', ids);
        },
      }),
    );
    // A skip is what it is even if a reopen got there first; a survey not written (a reopen
    // cancelled it meanwhile) is nothing.
    for (const d of decisions)
      outcomes.set(d.id, d.state === 'sent' && !decided.has(d.id) ? 'nothing-to-do' : d.state);
    return outcomes;
  }

  /**
   * Job `ticket.invite` (every ten minutes): the people of decided tickets, invited to their
   * team's ticket survey of the month in one transaction, in random order, with their mails
   * queued; the hand-overs used are deleted and vacuumed. A team's hand-overs go together, and
   * only once at least m different people wait (MIX_BATCH_SIZE) or the oldest has waited
   * TICKET_INVITE_MAX_WAIT_HOURS: a reader who sees tickets decided and invitations appear can
   * tie a ticket only to a batch of its team, of m people where the team has the volume. Returns
   * how many were invited.
   */
  async inviteDecided(now = new Date()): Promise<number> {
    const m = this.config.mixBatchSize;
    const maxWaitMs = this.config.tickets.inviteMaxWaitHours * 3_600_000;
    const invited = await this.tickets.takeHandOvers(async (rows, manager) => {
      const teams = new Map<string, { id: string; handOver: HandOver }[]>();
      for (const row of rows) {
        const handOver = openJson<HandOver>(this.config.appSecret, HAND_OVER_PURPOSE, row.sealed);
        if (!handOver) continue; // unreadable (another secret): left for HR's purge
        const team = teams.get(handOver.surveyId) ?? [];
        team.push({ id: row.id, handOver });
        teams.set(handOver.surveyId, team);
      }
      const ready = [...teams.values()].filter((team) => {
        const people = new Set(team.map((t) => t.handOver.employeeId)).size;
        const oldest = Math.min(
          ...team.map((t) => (t.handOver.decidedAt ? Date.parse(t.handOver.decidedAt) : 0)),
        );
        return people >= m || now.getTime() - oldest >= maxWaitMs;
      });
      const used = ready.flat();
      const wanted = used.map(({ handOver: h }) => {
        // The link lives as long from the invitation as it would have from the decision.
        const waited = h.decidedAt ? Math.max(0, now.getTime() - Date.parse(h.decidedAt)) : 0;
        return {
          surveyId: h.surveyId,
          employeeId: h.employeeId,
          resolutionBand: h.resolutionBand,
          expiresAt: new Date(Date.parse(h.expiresAt) + waited),
        };
      });
      const value = await this.invitations.createTicketInvitations(
        manager,
        wanted,
        TICKET_MAIL_KIND,
      );
      return { value, used: used.map((u) => u.id) };
    });
    // No count in the log: with its time it would date a small batch.
    if (invited) this.logger.log('ticket invitation batch done');
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
    // The ticket pending again and its job, together.
    await this.tickets.transaction(async (manager) => {
      const id = await this.tickets.revive(integrationId, externalTicketId, manager);
      if (!id) throw TicketErrors.notDead();
      const jobId = surveyJobId(id);
      const db = jobsExecutor(manager);
      await this.jobs.deleteJobs(db, SURVEY_QUEUE, [jobId], { archive: false });
      await this.jobs.send(SURVEY_QUEUE, { ticketId: id }, { id: jobId, db });
    });
  }

  /**
   * Job `tickets.purge`, daily: what long-failed surveys still kept, and the delivery log beyond
   * its newest lines (old receipts and log lines go with `retention.purge`).
   */
  async purge(): Promise<void> {
    await this.events.purge(FAILED_REQUESTER_DAYS);
    await this.deliveries.purge();
  }
}
