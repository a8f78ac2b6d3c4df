import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../../common/access/access.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import type { CampaignReportScope } from '../reports/campaign-report';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { type Cadence, describeCadence, nextOccurrence } from './cadence';
import { type CampaignInput, campaignProblems } from './campaign-input';
import { CAMPAIGN_TEMPLATES } from './campaign-templates';
import { cleanTitles } from './campaign-titles';
import { CampaignErrors } from './campaigns.errors';
import { type CampaignFields, CampaignsRepository } from './campaigns.repository';
import type { Campaign } from './entities/campaign.entity';

/** Openings up to this long before the campaign was created or resumed still open a wave. */
const GRACE_MS = 5 * 60_000;

/** Who changes a campaign, for the audit log (absent: the app itself, e.g. the demo). */
export interface ChangedBy {
  actor?: Principal;
  ip?: string;
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
    private readonly invitations: InvitationsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks everything, creates the questionnaire (from a template) and the campaign together. */
  async create(input: CampaignInput, by: ChangedBy = {}): Promise<Campaign> {
    const resolved = await this.resolve(input, undefined);
    const created = await this.campaigns.transaction(async (manager) => {
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
    await this.record('campaign.created', created, by, {
      template: created.template,
      subject: created.subject,
      cadence: created.cadence,
      reportingThreshold: created.reportingThreshold,
    });
    return created;
  }

  /**
   * Changes a campaign for its next waves. Once a wave has opened, its questionnaire, subject
   * and reporting threshold stay as they are (past results must keep meaning the same).
   */
  async update(id: string, input: CampaignInput, by: ChangedBy = {}): Promise<Campaign> {
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
    await this.campaigns.transaction(async (manager) => {
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
    });
    const updated = await this.get(id);
    await this.record('campaign.updated', updated, by, changes(current, updated));
    return updated;
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

  async pause(id: string, by: ChangedBy = {}): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'active') throw CampaignErrors.badTransition(campaign.status, 'paused');
    await this.campaigns.setStatus(id, 'paused');
    return this.recordStatus('campaign.paused', id, campaign, by);
  }

  /** Back to active; openings missed while paused are skipped, not caught up. */
  async resume(id: string, by: ChangedBy = {}): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'paused')
      throw CampaignErrors.badTransition(campaign.status, 'resumed');
    await this.campaigns.setStatus(id, 'active', new Date(Date.now() - GRACE_MS));
    return this.recordStatus('campaign.resumed', id, campaign, by);
  }

  /** No more waves, for good; an open wave runs to its end. */
  async archive(id: string, by: ChangedBy = {}): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status === 'archived') throw CampaignErrors.badTransition('archived', 'archived');
    await this.campaigns.setStatus(id, 'archived');
    return this.recordStatus('campaign.archived', id, campaign, by);
  }

  /** An audit entry: the campaign (id and name) as target, who, and what changed. */
  async record(
    action: string,
    campaign: Pick<Campaign, 'id' | 'name'>,
    by: ChangedBy,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      action,
      actor: by.actor,
      ip: by.ip,
      target: campaign.id,
      details: { name: campaign.name, ...details },
    });
  }

  private async recordStatus(
    action: string,
    id: string,
    before: Campaign,
    by: ChangedBy,
  ): Promise<Campaign> {
    const after = await this.get(id);
    await this.record(action, after, by, { status: { from: before.status, to: after.status } });
    return after;
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
        texts: q.text,
        options: (q.options ?? []).map((o) => ({
          key: o.key,
          label: o.label[questionnaire.defaultLocale] ?? Object.values(o.label)[0] ?? o.key,
          labels: o.label,
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
      titles: cleanTitles(input.titles),
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

/**
 * What an edit changed, for the audit log: each changed setting with its old and new value,
 * but the audience only as "changed" (it lists people).
 */
function changes(before: Campaign, after: Campaign): Record<string, unknown> {
  const keys = [
    'name',
    'titles',
    'template',
    'questionnaireId',
    'subject',
    'teamIds',
    'audience',
    'cadence',
    'everyWeeks',
    'rrule',
    'startLocal',
    'timeZone',
    'windowFrom',
    'windowTo',
    'windowDays',
    'openDays',
    'reminderDays',
    'rotationSize',
    'reportingThreshold',
  ] as const;
  const changed: Record<string, unknown> = {};
  for (const key of keys) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changed[key] = key === 'audience' ? 'changed' : { from: before[key], to: after[key] };
  }
  return { changed };
}
