import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InvitationsService } from '../invitations/invitations.service';
import { TeamsService } from '../teams/teams.service';
import { CreateQuestionnaireDto } from './dto/create-questionnaire.dto';
import { CreateSurveyDto } from './dto/create-survey.dto';
import { SendSurveyDto } from './dto/send-survey.dto';
import { Questionnaire } from './entities/questionnaire.entity';
import { DEFAULT_TEXT_MAX_LENGTH } from './question-types';
import { questionnaireProblems } from './questionnaire-rules';
import { SurveyErrors } from './surveys.errors';
import { type PastSurvey, SurveysRepository } from './surveys.repository';

export type { PastSurvey };

const CACHE_LIMIT = 500;

@Injectable()
export class SurveysService {
  /**
   * Questionnaires never change once created (there is no update), so caching them by id is
   * safe across instances; this keeps the survey page and the submit path to one query.
   */
  private readonly questionnaireCache = new Map<string, Questionnaire>();

  constructor(
    private readonly surveys: SurveysRepository,
    private readonly teams: TeamsService,
    private readonly invitations: InvitationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createQuestionnaire(
    dto: CreateQuestionnaireDto,
    manager?: EntityManager,
  ): Promise<Questionnaire> {
    const problems = questionnaireProblems(dto);
    if (problems.length > 0) throw SurveyErrors.invalidQuestionnaire(problems);
    return this.surveys.insertQuestionnaire(
      { name: dto.name.trim(), defaultLocale: dto.defaultLocale ?? 'en' },
      dto.questions.map((q, position) => ({
        position,
        type: q.type,
        required: q.required ?? false,
        text: q.text,
        options: q.options?.map((o) => ({ key: o.key, label: o.label })) ?? null,
        maxLength: q.type === 'text' ? (q.maxLength ?? DEFAULT_TEXT_MAX_LENGTH) : null,
      })),
      manager,
    );
  }

  listQuestionnaires() {
    return this.surveys.listQuestionnaires();
  }

  /** The newest questionnaire of pulses (not the one of surveys after tickets), if any. */
  latestPulseQuestionnaireId(): Promise<string | undefined> {
    return this.surveys.latestPulseQuestionnaireId();
  }

  async getQuestionnaire(id: string): Promise<Questionnaire> {
    const cached = this.questionnaireCache.get(id);
    if (cached) return cached;
    const found = await this.surveys.findQuestionnaire(id);
    if (!found) throw SurveyErrors.questionnaireNotFound(id);
    if (this.questionnaireCache.size >= CACHE_LIMIT) {
      this.questionnaireCache.delete(this.questionnaireCache.keys().next().value as string);
    }
    this.questionnaireCache.set(id, found);
    return found;
  }

  async createSurvey(dto: CreateSurveyDto) {
    await this.getQuestionnaire(dto.questionnaireId);
    const team = await this.teams.findBySlug(dto.teamSlug);
    if (!team) throw SurveyErrors.teamNotFound(dto.teamSlug);
    const k = dto.reportingThreshold ?? this.config.reportingThreshold;
    if (k < this.config.reportingThreshold)
      throw SurveyErrors.thresholdTooLow(k, this.config.reportingThreshold);
    const openDays = dto.openDays ?? this.config.invitationTtlDays;
    return this.surveys.insertSurvey({
      name: dto.name.trim(),
      questionnaireId: dto.questionnaireId,
      teamId: team.id,
      subject: 'team',
      ratedTeamIds: null,
      questionIds: null,
      reportingThreshold: k,
      commentThreshold: this.commentThresholdFor(k),
      released: false,
      closesAt: new Date(Date.now() + openDays * 86_400_000),
    });
  }

  /** Comments need the organisation's comment threshold, and never fewer than the survey's k. */
  private commentThresholdFor(k: number): number {
    return Math.max(k, this.config.commentThreshold);
  }

  /**
   * A team's survey for the ticket invitations of one period (made by the tickets feature, which
   * keeps one per team and month): its answers are recorded as `ticket`.
   */
  async createTicketSurvey(input: {
    name: string;
    teamId: string;
    questionnaireId: string;
    closesAt: Date;
  }) {
    return this.createMonthlyTeamSurvey(input, 'ticket');
  }

  /**
   * A team's survey for the anonymous reviews of one month (made by the reviews feature, which
   * keeps one per team and month): its answers are recorded as `review`.
   */
  async createReviewSurvey(input: {
    name: string;
    teamId: string;
    questionnaireId: string;
    closesAt: Date;
  }) {
    return this.createMonthlyTeamSurvey(input, 'review');
  }

  private async createMonthlyTeamSurvey(
    input: { name: string; teamId: string; questionnaireId: string; closesAt: Date },
    source: 'ticket' | 'review',
  ) {
    await this.getQuestionnaire(input.questionnaireId);
    const survey = await this.surveys.insertSurvey({
      ...input,
      subject: 'team',
      ratedTeamIds: null,
      questionIds: null,
      source,
      reportingThreshold: this.config.reportingThreshold,
      commentThreshold: this.commentThresholdFor(this.config.reportingThreshold),
      released: false,
    });
    return survey.id;
  }

  /**
   * The survey of a campaign wave (its subject, rated teams, question subset and threshold), in
   * the caller's transaction.
   */
  createWaveSurvey(
    input: {
      name: string;
      /** What respondents see, per language (the campaign's titles). */
      titles: Record<string, string>;
      questionnaireId: string;
      subject: 'teams' | 'own_team';
      ratedTeamIds: string[];
      questionIds: string[] | null;
      reportingThreshold: number;
      closesAt: Date;
    },
    manager?: EntityManager,
  ) {
    return this.surveys.insertSurvey(
      {
        name: input.name,
        titles: input.titles,
        questionnaireId: input.questionnaireId,
        teamId: null,
        subject: input.subject,
        ratedTeamIds: input.subject === 'teams' ? input.ratedTeamIds : null,
        questionIds: input.questionIds,
        reportingThreshold: input.reportingThreshold,
        commentThreshold: this.commentThresholdFor(input.reportingThreshold),
        released: false,
        closesAt: input.closesAt,
      },
      manager,
    );
  }

  /**
   * Surveys that ran before this instance recorded them (the demo's history), closed, in one
   * statement; their ids by key. Their invitations and answers go through InvitationsService and
   * ResponsesService (a release, as the mixer writes it).
   */
  recordPastSurveys(surveys: PastSurvey[]): Promise<Record<string, string>> {
    return this.surveys.insertPastSurveys(surveys);
  }

  listSurveys() {
    return this.surveys.listSurveysWithCounts();
  }

  async getSurvey(id: string) {
    const survey = await this.surveys.findSurvey(id);
    if (!survey) throw SurveyErrors.surveyNotFound(id);
    return survey;
  }

  /**
   * Invites the given active employees (once each) and queues their mail. A survey goes to at
   * least m people (MIX_BATCH_SIZE): its answers are released only in groups of m different
   * people, so a smaller audience could never be counted; such a send is refused whole.
   */
  async send(surveyId: string, dto: SendSurveyDto) {
    const survey = await this.getSurvey(surveyId);
    if (survey.closesAt.getTime() <= Date.now()) throw SurveyErrors.closed(surveyId);
    if (survey.source === 'ticket') throw SurveyErrors.ticketSurvey(surveyId);
    if (survey.source === 'review') throw SurveyErrors.reviewSurvey(surveyId);
    const employeeIds = dto.employeeIds ?? [];
    const emails = (dto.emails ?? []).map((e) => e.trim().toLowerCase());
    if (employeeIds.length === 0 && emails.length === 0) throw SurveyErrors.noRecipients();
    return this.invitations.inviteToSurvey(
      survey,
      { employeeIds, emails },
      this.config.mixBatchSize,
    );
  }
}
