import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { keyedHash, openJson, sealJson } from '../../common/crypto/sealing';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import { RequestedLinksService } from '../invitations/requested-links.service';
import { mailDate, MailService } from '../mail/mail.service';
import { SurveysService } from '../surveys/surveys.service';
import type { ServiceTeam } from '../teams/entities/service-team.entity';
import { TeamsService } from '../teams/teams.service';
import { BUILTIN_REVIEW_KEY, BUILTIN_REVIEW_QUESTIONNAIRE } from './review-questionnaire';
import { type ReviewFormContext, reviewFormContext } from './review-form';
import { ReviewErrors } from './reviews.errors';
import { ReviewsRepository } from './reviews.repository';

/** The job that does the work of a request for a review link (see ReviewsService.runRequest). */
export const REVIEW_REQUEST_QUEUE = 'review.request';
/** The mail with a personal review link (the invitation, or a fresh link for it: sequence 1–3). */
export const REVIEW_MAIL_KIND = 'review-link';
/** The mail "you already reviewed this team this month". */
export const REVIEW_ALREADY_KIND = 'review-already';
const REQUEST_PURPOSE = 'review-request';
const ADDRESS_PURPOSE = 'review-request-address';
/** A sealed request is padded to this size, so that its length says nothing of the address. */
const SEALED_REQUEST_SIZE = 512;
/** A review link (and its month's survey) keeps working this long into the next month. */
export const REVIEW_GRACE_DAYS = 3;

/**
 * Requests per client (IP address) and per address: a ceiling against mail bombing and probing.
 * The per-address limit is keyed by the address alone, so someone who knows a colleague's
 * address can keep it at 429 for an hour at a time; it is kept anyway, because it is what
 * protects that colleague's mailbox, and the page answers the same (429) whoever the address is.
 * What a request can mail is bounded besides: one invitation per person, team and month, at
 * most REQUESTED_FRESH_LINKS fresh links for it, and one "already reviewed" mail.
 */
export const REVIEW_RATE_LIMITS = {
  perClient: { name: 'review-ip', limit: 20, windowSeconds: 3600 },
  perAddress: { name: 'review-address', limit: 3, windowSeconds: 3600 },
};

interface SealedRequest {
  email: string;
  teamId: string;
}

/** What the job did with a request (tests read it; nothing of it is logged). */
export type ReviewRequestOutcome =
  | 'unreadable'
  | 'no-team'
  | 'not-in-directory'
  | 'invited'
  | 'new-link'
  | 'nothing'
  | 'already-reviewed';

/** The first instant of the calendar month (UTC) after `now`'s. */
export function nextMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/**
 * Anonymous reviews at any time: an employee asks, from a team's page, for a personal link to
 * the team's review survey of the month. The request itself only checks the form, counts the
 * rate limits and enqueues a job whose payload holds the address sealed — the same writes and
 * the same answer for every address. The job (`review.request`) finds the active employee, and
 * invites them to the team's review survey of the month (one invitation per person and survey:
 * at most one review per team and month), or mails a fresh link for their invitation while the
 * database shows it unanswered (an answer waiting for its release included: nothing written may
 * tell it apart), or, once a release marked it answered, tells them (once) they reviewed the team
 * already this month; then it deletes itself.
 * Answers take the usual sealed path; the mixer releases them per team and period like answers
 * after tickets (ResponsesService).
 */
@Injectable()
export class ReviewsService implements OnModuleInit {
  constructor(
    private readonly reviews: ReviewsRepository,
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
    private readonly surveys: SurveysService,
    private readonly invitations: InvitationsService,
    private readonly requestedLinks: RequestedLinksService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    private readonly rateLimits: RateLimitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.invitations.registerInvitationMail(
      REVIEW_MAIL_KIND,
      (mail, link) => ({
        template: 'review-link',
        subject: { key: 'email.review.subject', params: { team: link.teamName } },
        context: {
          name: link.name,
          teamName: link.teamName,
          k: link.reportingThreshold,
          link: link.url,
          expires: link.expiresAt,
          replaces: mail.sequence > 0,
        },
      }),
      undefined,
      { requested: true },
    );
    await this.jobs.register<{ ref: string; sealed: string }>({
      name: REVIEW_REQUEST_QUEUE,
      handler: (data) => this.runRequest(data).then(() => undefined),
      retryLimit: 3,
    });
  }

  /**
   * The context of the review request partial for a team's page, in the page's language (sets
   * the form's CSRF nonce cookie): `{{> review-request reviewForm}}` (see review-form.ts).
   */
  formContext(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    locale = 'en',
  ): ReviewFormContext {
    return reviewFormContext(request, reply, slug, this.config, locale);
  }

  /** The team a public review page is about, or 404. */
  async team(slug: string): Promise<ServiceTeam> {
    const team = await this.teams.findBySlug(slug);
    if (!team) throw ReviewErrors.teamNotFound(slug);
    return team;
  }

  /**
   * A request for a review link: counts the rate limits (per client, per address — kept as a
   * keyed hash, never in clear) and enqueues the job with the address sealed. Whatever the
   * address, the same rows are written and nothing is read about it.
   */
  async request(team: ServiceTeam, email: string, client: string): Promise<void> {
    const addressKey = keyedHash(this.config.appSecret, ADDRESS_PURPOSE, email).toString('hex');
    await this.rateLimits.enforce(REVIEW_RATE_LIMITS.perClient, client, 'requests');
    await this.rateLimits.enforce(REVIEW_RATE_LIMITS.perAddress, addressKey, 'requests');
    const ref = randomUUID();
    const payload: SealedRequest = { email, teamId: team.id };
    const sealed = sealJson(this.config.appSecret, REQUEST_PURPOSE, payload, SEALED_REQUEST_SIZE);
    await this.jobs.send(
      REVIEW_REQUEST_QUEUE,
      { ref, sealed: sealed.toString('base64') },
      { id: ref, retryLimit: 3 },
    );
  }

  /**
   * Job `review.request`: does what the request asked for at `now` (its month), then deletes
   * its own job (done jobs are otherwise kept for days, with their payload). One that fails is
   * retried by pg-boss (its payload stays sealed meanwhile); a retry finds the invitation made
   * and sends a fresh link at most.
   */
  async runRequest(
    data: { ref: string; sealed: string },
    now = new Date(),
  ): Promise<ReviewRequestOutcome> {
    const outcome = await this.handle(data, now);
    await this.jobs.deleteJobs(this.reviews.jobsExecutor(), REVIEW_REQUEST_QUEUE, [data.ref], {
      archive: true,
    });
    return outcome;
  }

  private async handle(
    data: { ref: string; sealed: string },
    now: Date,
  ): Promise<ReviewRequestOutcome> {
    const request =
      typeof data.sealed === 'string'
        ? openJson<SealedRequest>(
            this.config.appSecret,
            REQUEST_PURPOSE,
            Buffer.from(data.sealed, 'base64'),
          )
        : undefined;
    if (!request) return 'unreadable';
    const team = await this.teams.get(request.teamId).catch(() => undefined);
    if (!team) return 'no-team';
    const employee = await this.directory.findActiveEmployee(request.email, null);
    if (!employee) return 'not-in-directory';
    const surveyId = await this.monthlySurvey(team, now);
    const state = await this.requestedLinks.requestedState(surveyId, employee.id);
    if (state.state === 'answered') {
      await this.mail.queueMail({
        kind: REVIEW_ALREADY_KIND,
        to: employee.email,
        locale: employee.locale,
        // One per invitation (person, team and month), however often they ask.
        dedupeKey: `review-already:${state.invitationId}`,
        template: 'review-already',
        subject: { key: 'email.review.already_subject', params: { team: team.name } },
        context: { name: employee.name, teamName: team.name, next: mailDate(nextMonthStart(now)) },
      });
      return 'already-reviewed';
    }
    // Nothing is logged: a line's time would tie the request to a known address.
    return this.requestedLinks.requestLink(
      { surveyId, employeeId: employee.id, expiresAt: this.linkExpiry(now) },
      REVIEW_MAIL_KIND,
    );
  }

  /** Links of a month's review survey work until a few days into the next month. */
  private linkExpiry(now: Date): Date {
    return new Date(nextMonthStart(now).getTime() + REVIEW_GRACE_DAYS * 86_400_000);
  }

  /** The team's review survey of `now`'s month (made once, with the team's questionnaire). */
  monthlySurvey(team: ServiceTeam, now: Date): Promise<string> {
    const period = now.toISOString().slice(0, 7);
    return this.reviews.reviewSurvey(team.id, period, async () => {
      const questionnaireId = await this.questionnaireOf(team.id);
      return this.surveys.createReviewSurvey({
        name: `${team.name} · reviews · ${period}`.slice(0, 200),
        teamId: team.id,
        questionnaireId,
        closesAt: this.linkExpiry(now),
      });
    });
  }

  /** The questionnaire HR chose for the team's reviews, else the built-in one. */
  private async questionnaireOf(teamId: string): Promise<string> {
    return (await this.reviews.settingOf(teamId)) ?? (await this.builtinQuestionnaireId());
  }

  builtinQuestionnaireId(): Promise<string> {
    return this.reviews.builtinQuestionnaire(
      BUILTIN_REVIEW_KEY,
      async () => (await this.surveys.createQuestionnaire(BUILTIN_REVIEW_QUESTIONNAIRE)).id,
    );
  }

  /** The review settings of a team (API). */
  async settings(slug: string): Promise<{ team: string; questionnaireId: string | null }> {
    const team = await this.teams.getBySlug(slug);
    return { team: team.slug, questionnaireId: (await this.reviews.settingOf(team.id)) ?? null };
  }

  /** Sets the questionnaire of a team's reviews (null: the built-in one), from next month's survey. */
  async setSettings(
    slug: string,
    questionnaireId: string | null,
  ): Promise<{ team: string; questionnaireId: string | null }> {
    const team = await this.teams.getBySlug(slug);
    if (questionnaireId !== null)
      await this.surveys
        .getQuestionnaire(questionnaireId)
        .catch(() => Promise.reject(ReviewErrors.questionnaireNotFound(questionnaireId)));
    await this.reviews.setSetting(team.id, questionnaireId);
    return { team: team.slug, questionnaireId };
  }
}
