import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { AudienceFilter } from '../directory/audience';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import type { CampaignReportScope } from '../reports/campaign-report';
import { subtreeIds } from '../reports/reports.service';
import type { SurveyFormContext } from '../responses/survey-form-context';
import type { Questionnaire } from '../surveys/entities/questionnaire.entity';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { type Cadence, describeCadence, nextOccurrence } from './cadence';
import { type CampaignInput, campaignProblems, rotatedQuestions } from './campaign-input';
import { CampaignMail } from './campaign-mail';
import { CAMPAIGN_TEMPLATES } from './campaign-templates';
import { CampaignErrors } from './campaigns.errors';
import { type CampaignFields, CampaignsRepository } from './campaigns.repository';
import type { Audience, Campaign } from './entities/campaign.entity';

/** Openings up to this long before the campaign was created or resumed still open a wave. */
const GRACE_MS = 5 * 60_000;
const TEST_LINK_DAYS = 7;

export interface AudienceQuery {
  subject: 'teams' | 'own_team';
  departments: string[];
  locations: string[];
  teamSlugs: string[];
  tenureBands: string[];
  includeEmails: string[];
  excludeEmails: string[];
}

/** A campaign as pages and the API show it. */
export interface CampaignView extends Campaign {
  cadenceText: string;
  nextOpening: Date | null;
  /** k, questionnaire and subject are fixed once the first wave has opened. */
  locked: boolean;
  ratedTeams: { slug: string; name: string }[];
  audienceView: CampaignInput['audience'];
}

@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly surveys: SurveysService,
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
    private readonly mail: CampaignMail,
    private readonly invitations: InvitationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // The test mail's link is made when the mail is built, never stored with it.
    this.mail.testLink = (campaignId, locale) => {
      const expires = Date.now() + TEST_LINK_DAYS * 86_400_000;
      return {
        url: `${this.config.baseUrl}/s/test/${this.testToken(campaignId, locale, expires)}`,
        expires: new Date(expires),
      };
    };
  }

  get organisationTimeZone(): string {
    return this.config.organisationTimeZone;
  }

  get minimumThreshold(): number {
    return this.config.reportingThreshold;
  }

  /** Checks everything, creates the questionnaire (from a template) and the campaign together. */
  async create(input: CampaignInput): Promise<Campaign> {
    const resolved = await this.resolve(input, undefined);
    return this.campaigns.transaction(async (manager) => {
      let questionnaireId = input.questionnaireId;
      if (input.template !== null) {
        const template = CAMPAIGN_TEMPLATES[input.template].questionnaire;
        questionnaireId = (
          await this.surveys.createQuestionnaire(
            { ...template, name: `${input.name.trim()} — ${template.name}` },
            manager,
          )
        ).id;
      }
      return this.campaigns.insert(
        {
          ...resolved,
          questionnaireId: questionnaireId as string,
          status: 'active',
          scheduleFrom: new Date(Date.now() - GRACE_MS),
        },
        manager,
      );
    });
  }

  /**
   * Changes a campaign for its next waves. Once a wave has opened, its questionnaire, subject
   * and reporting threshold stay as they are (past results must keep meaning the same).
   */
  async update(id: string, input: CampaignInput): Promise<Campaign> {
    const current = await this.get(id);
    if (current.status === 'archived') throw CampaignErrors.archived();
    const resolved = await this.resolve(input, current);
    const locked = (await this.campaigns.waveCount(id)) > 0;
    const problems: string[] = [];
    const sameQuestionnaire =
      input.template === null
        ? input.questionnaireId === current.questionnaireId
        : input.template === current.template;
    if (locked) {
      if (!sameQuestionnaire)
        problems.push('the questionnaire is fixed once the first wave has opened');
      if (input.subject !== current.subject)
        problems.push('the subject is fixed once the first wave has opened');
      if (input.reportingThreshold !== current.reportingThreshold)
        problems.push(
          `the reporting threshold is fixed once the first wave has opened (it is ${current.reportingThreshold})`,
        );
    }
    if (problems.length > 0) throw CampaignErrors.invalid(problems);
    return this.campaigns.transaction(async (manager) => {
      let questionnaireId = current.questionnaireId;
      if (!sameQuestionnaire) {
        questionnaireId =
          input.template === null
            ? (input.questionnaireId as string)
            : (
                await this.surveys.createQuestionnaire(
                  {
                    ...CAMPAIGN_TEMPLATES[input.template].questionnaire,
                    name: `${input.name.trim()} — ${CAMPAIGN_TEMPLATES[input.template].questionnaire.name}`,
                  },
                  manager,
                )
              ).id;
      }
      await this.campaigns.update(id, { ...resolved, questionnaireId }, manager);
      return this.get(id);
    });
  }

  async get(id: string): Promise<Campaign> {
    const campaign = await this.campaigns.find(id);
    if (!campaign) throw CampaignErrors.notFound(id);
    return campaign;
  }

  /** A campaign with what pages and the API show about it. */
  async view(id: string): Promise<CampaignView> {
    const campaign = await this.get(id);
    const [teams, locked, include, exclude] = await Promise.all([
      this.teams.list(),
      this.campaigns.waveCount(id).then((n) => n > 0),
      this.directory.emailsByIds(campaign.audience.includeIds),
      this.directory.emailsByIds(campaign.audience.excludeIds),
    ]);
    const slug = (teamId: string) => teams.find((t) => t.id === teamId);
    return {
      ...campaign,
      cadenceText: describeCadence(cadenceOf(campaign)),
      nextOpening: campaign.status === 'active' ? this.nextOpening(campaign, Date.now()) : null,
      locked,
      ratedTeams: campaign.teamIds
        .map(slug)
        .filter((t) => t !== undefined)
        .map((t) => ({ slug: t.slug, name: t.name })),
      audienceView: {
        departments: campaign.audience.departments,
        locations: campaign.audience.locations,
        teamSlugs: campaign.audience.teamIds
          .map((t) => slug(t)?.slug)
          .filter((s): s is string => s !== undefined),
        tenureBands: campaign.audience.tenureBands,
        includeEmails: include,
        excludeEmails: exclude,
      },
    };
  }

  list() {
    return this.campaigns.list();
  }

  /** The campaign's waves, newest first, each with what the fatigue budget kept out of it. */
  async waves(campaignId: string) {
    const waves = await this.campaigns.waves(campaignId);
    return Promise.all(
      waves.map(async (wave) => ({
        ...wave,
        skippedByBudget: wave.surveyId ? await this.invitations.skippedByBudget(wave.surveyId) : 0,
      })),
    );
  }

  async pause(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'active') throw CampaignErrors.badTransition(campaign.status, 'paused');
    await this.campaigns.setStatus(id, 'paused');
    return this.get(id);
  }

  /** Back to active; openings missed while paused are skipped, not caught up. */
  async resume(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'paused')
      throw CampaignErrors.badTransition(campaign.status, 'resumed');
    await this.campaigns.setStatus(id, 'active', new Date(Date.now() - GRACE_MS));
    return this.get(id);
  }

  /** No more waves, for good; an open wave runs to its end. */
  async archive(id: string): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status === 'archived') throw CampaignErrors.badTransition('archived', 'archived');
    await this.campaigns.setStatus(id, 'archived');
    return this.get(id);
  }

  /** How many people an audience holds right now, and the e-mails given that match nobody. */
  async countAudience(query: AudienceQuery): Promise<{ count: number; unknownEmails: string[] }> {
    const teams = await this.teams.list();
    const teamIds = query.teamSlugs
      .map((s) => teams.find((t) => t.slug === s)?.id)
      .filter((id): id is string => id !== undefined);
    const [include, exclude] = await Promise.all([
      this.directory.idsByEmail(query.includeEmails),
      this.directory.idsByEmail(query.excludeEmails),
    ]);
    const count = await this.directory.countAudience(
      this.filterOf(
        {
          departments: query.departments,
          locations: query.locations,
          teamIds,
          tenureBands: query.tenureBands,
          includeIds: [...include.ids.values()],
          excludeIds: [...exclude.ids.values()],
        },
        query.subject,
        teams,
      ),
    );
    return { count, unknownEmails: [...include.unknown, ...exclude.unknown] };
  }

  /** The directory filter of a campaign's audience: chosen teams with every team below them. */
  filterOf(
    audience: Audience,
    subject: 'teams' | 'own_team',
    teams: Awaited<ReturnType<TeamsService['list']>>,
  ): AudienceFilter {
    return {
      ...audience,
      teamIds: [...new Set(audience.teamIds.flatMap((id) => subtreeIds(teams, id)))],
      needsTeam: subject === 'own_team',
    };
  }

  async audienceFilter(campaign: Campaign): Promise<AudienceFilter> {
    return this.filterOf(campaign.audience, campaign.subject, await this.teams.list());
  }

  /** What the campaign report covers: its waves (with their surveys), questions, teams and k. */
  async reportScope(campaign: Campaign): Promise<CampaignReportScope> {
    const [waves, questionnaire, teams] = await Promise.all([
      this.campaigns.waves(campaign.id),
      this.surveys.getQuestionnaire(campaign.questionnaireId),
      this.teams.list(),
    ]);
    return {
      name: campaign.name,
      k: campaign.reportingThreshold,
      subject: campaign.subject,
      questions: (questionnaire.questions ?? []).map((q) => ({
        id: q.id,
        type: q.type,
        text: q.text[questionnaire.defaultLocale] ?? Object.values(q.text)[0] ?? '',
        options: (q.options ?? []).map((o) => ({
          key: o.key,
          label: o.label[questionnaire.defaultLocale] ?? Object.values(o.label)[0] ?? o.key,
        })),
      })),
      teams: campaign.teamIds
        .map((id) => teams.find((t) => t.id === id))
        .filter((t) => t !== undefined)
        .map((t) => ({ id: t.id, name: t.name })),
      waves: waves
        .filter((w) => w.surveyId !== null)
        .reverse()
        .map((w) => ({
          id: w.id,
          number: w.number,
          surveyId: w.surveyId as string,
          opensAt: w.opensAt,
          closesAt: w.closesAt,
          status: w.status,
        })),
    };
  }

  /** The next opening after `after`, for an active campaign. */
  nextOpening(campaign: Campaign, after: number): Date | null {
    const next = nextOccurrence(
      cadenceOf(campaign),
      Math.max(after, campaign.scheduleFrom.getTime()),
    );
    return next === undefined ? null : new Date(next);
  }

  /** The questionnaire and the questions the next wave asks (rotation), for the preview. */
  async nextWaveQuestions(campaign: Campaign): Promise<{
    questionnaire: Questionnaire;
    questionIds: string[] | null;
    number: number;
  }> {
    const questionnaire = await this.surveys.getQuestionnaire(campaign.questionnaireId);
    const number = (await this.campaigns.waveCount(campaign.id)) + 1;
    return {
      questionnaire,
      number,
      questionIds: rotatedQuestions(questionnaire.questions ?? [], campaign.rotationSize, number),
    };
  }

  /** The form context of the next wave's survey, for the preview and test links. */
  async previewForm(campaignId: string, locale: string) {
    const campaign = await this.get(campaignId);
    const { questionnaire, questionIds, number } = await this.nextWaveQuestions(campaign);
    const teams = await this.teams.list();
    const context: SurveyFormContext = {
      surveyId: '',
      invitationId: '',
      questionnaireId: questionnaire.id,
      teamId: '',
      teamName: campaign.subject === 'teams' ? campaign.name : 'your team',
      k: campaign.reportingThreshold,
      locale,
      ...(campaign.subject === 'teams'
        ? {
            blocks: campaign.teamIds
              .map((id) => teams.find((t) => t.id === id))
              .filter((t) => t !== undefined)
              .map((t) => ({ teamId: t.id, teamName: t.name })),
          }
        : {}),
      ...(questionIds ? { questionIds } : {}),
    };
    return { campaign, questionnaire, context, number };
  }

  /**
   * "Send me a test": the invitation as respondents get it, to the signed-in person's own
   * address, with a link that shows the survey of the next wave and records nothing (see
   * testLink). Mail goes through the mail pipeline like any other.
   */
  async sendTest(
    id: string,
    person: { email: string; name: string },
    locale: string,
  ): Promise<{ to: string }> {
    const campaign = await this.get(id);
    if (campaign.status === 'archived') throw CampaignErrors.archived();
    await this.mail.sendTest({
      to: person.email,
      name: person.name,
      locale,
      campaignId: campaign.id,
      campaignName: campaign.name,
      k: campaign.reportingThreshold,
    });
    return { to: person.email };
  }

  /** A signed, expiring link token for a test: campaign, language, expiry. Records nothing. */
  testToken(campaignId: string, locale: string, expires: number): string {
    const payload = Buffer.from(JSON.stringify({ c: campaignId, l: locale, e: expires })).toString(
      'base64url',
    );
    return `${payload}.${this.sign(payload)}`;
  }

  /** The campaign and language of a test link, or undefined when forged, malformed or expired. */
  readTestToken(token: string): { campaignId: string; locale: string } | undefined {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined || token.length > 400) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        c?: unknown;
        l?: unknown;
        e?: unknown;
      };
      if (typeof value.c !== 'string' || typeof value.l !== 'string' || typeof value.e !== 'number')
        return undefined;
      if (value.e < Date.now()) return undefined;
      return { campaignId: value.c, locale: value.l };
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.config.appSecret)
      .update(`campaign-test\n${payload}`)
      .digest('base64url');
  }

  /** Checks the input (every problem at once) and turns names into ids. */
  private async resolve(
    input: CampaignInput,
    current: Campaign | undefined,
  ): Promise<Omit<CampaignFields, 'questionnaireId' | 'status' | 'scheduleFrom'>> {
    const problems = campaignProblems(input, this.config.reportingThreshold, Date.now());
    const teams = await this.teams.list();
    const idOf = (slug: string) => teams.find((t) => t.slug === slug)?.id;
    const unknownRated = input.teamSlugs.filter((s) => idOf(s) === undefined);
    if (unknownRated.length > 0)
      problems.push(`no service team with slug ${unknownRated.join(', ')}`);
    const unknownAudienceTeams = input.audience.teamSlugs.filter((s) => idOf(s) === undefined);
    if (unknownAudienceTeams.length > 0)
      problems.push(`audience: no team with slug ${unknownAudienceTeams.join(', ')}`);
    const [include, exclude] = await Promise.all([
      this.directory.idsByEmail(input.audience.includeEmails),
      this.directory.idsByEmail(input.audience.excludeEmails),
    ]);
    if (include.unknown.length > 0)
      problems.push(`include: no employee with e-mail ${include.unknown.join(', ')}`);
    if (exclude.unknown.length > 0)
      problems.push(`exclude: no employee with e-mail ${exclude.unknown.join(', ')}`);
    if (input.questionnaireId !== null && input.questionnaireId !== current?.questionnaireId) {
      try {
        await this.surveys.getQuestionnaire(input.questionnaireId);
      } catch {
        problems.push(`no questionnaire ${input.questionnaireId}`);
      }
    }
    if (problems.length > 0) throw CampaignErrors.invalid(problems);
    return {
      name: input.name.trim(),
      template: input.template,
      subject: input.subject,
      teamIds: input.teamSlugs.map((s) => idOf(s) as string),
      audience: {
        departments: input.audience.departments,
        locations: input.audience.locations,
        teamIds: input.audience.teamSlugs.map((s) => idOf(s) as string),
        tenureBands: input.audience.tenureBands,
        includeIds: [...include.ids.values()],
        excludeIds: [...exclude.ids.values()],
      },
      cadence: input.cadence.kind,
      everyWeeks: input.cadence.kind === 'every_n_weeks' ? input.cadence.everyWeeks : null,
      rrule: input.cadence.kind === 'rrule' ? input.cadence.rrule : null,
      startLocal: input.cadence.start.replace(' ', 'T'),
      timeZone: input.cadence.timeZone,
      windowFrom: input.window.from,
      windowTo: input.window.to,
      windowDays: input.window.days,
      openDays: input.openDays,
      reminderDays: input.reminderDays,
      rotationSize: input.rotationSize,
      reportingThreshold: input.reportingThreshold,
    };
  }
}

export function cadenceOf(campaign: Campaign): Cadence {
  return {
    kind: campaign.cadence,
    everyWeeks: campaign.everyWeeks,
    rrule: campaign.rrule,
    start: campaign.startLocal,
    timeZone: campaign.timeZone,
  };
}
