import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { DomainError } from '../../common/errors/domain-error';
import { inFormWords } from '../../common/http/field-labels';
import { asForm, type Form, listField, textField } from '../../common/http/form-fields';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { pageContext } from '../../common/views/page-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DirectoryService } from '../directory/directory.service';
import { TENURE_BANDS } from '../directory/audience';
import { ReportsService } from '../reports/reports.service';
import { surveyFormView } from '../responses/survey-form.view';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { CADENCES, WEEKDAYS } from './cadence';
import { emailList, formFromCampaign, inputFromForm } from './campaign-form';
import { CAMPAIGN_FIELD_LABELS } from './campaign-form-labels';
import { WEEKDAY_LABELS } from './campaign-input';
import { CAMPAIGN_TEMPLATES, TEMPLATE_KEYS } from './campaign-templates';
import { CampaignsService } from './campaigns.service';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 404 });
const LOCALES = ['en', 'es', 'ja', 'fa'];

const CADENCE_LABELS: Record<string, string> = {
  once: 'Once',
  weekly: 'Weekly',
  every_n_weeks: 'Every N weeks',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  rrule: 'Custom rule (RRULE)',
};

/**
 * HR's campaign pages: list, create and edit (with a live audience count that also works
 * without JavaScript: the form's "Count" button), the campaign with its waves, pause, resume,
 * archive, preview, "send me a test" and the report.
 */
@ApiExcludeController()
@Controller('campaigns')
export class CampaignPagesController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
    private readonly surveys: SurveysService,
    private readonly reports: ReportsService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private defaults() {
    return {
      timeZone: this.config.organisationTimeZone,
      reportingThreshold: this.config.reportingThreshold,
    };
  }

  @Get()
  @Pages('admin')
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const campaigns = await this.campaigns.list();
    return reply.view(
      'pages/campaigns/list.hbs',
      pageContext(request, 'Campaigns', {
        campaigns: campaigns.map((c) => ({
          ...c,
          cadenceLabel: CADENCE_LABELS[c.cadence],
          lastOpens: c.lastOpensAt ? new Date(c.lastOpensAt).toISOString().slice(0, 10) : '—',
        })),
        templates: TEMPLATE_KEYS.map((key) => ({ key, ...CAMPAIGN_TEMPLATES[key] })),
      }),
    );
  }

  /** The live count the form asks for as filters change (JSON). */
  @Get('audience-count')
  @Pages('admin')
  async audienceCount(@Query() query: Record<string, unknown>) {
    const form = asForm(query);
    return this.campaigns.countAudience(this.audienceOf(form));
  }

  @Get('new')
  @Pages('admin')
  async newForm(
    @Query('template') template: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const key = TEMPLATE_KEYS.find((t) => t === template) ?? 'pulse';
    const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) + 'T10:00';
    return this.renderForm(request, reply, 200, {
      values: {
        template: key,
        subject: CAMPAIGN_TEMPLATES[key].subject,
        cadence: 'monthly',
        start,
        timeZone: this.config.organisationTimeZone,
        windowFrom: '09:00',
        windowTo: '17:00',
        windowDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
        openDays: 7,
        reminder1: 3,
        reminder2: 5,
        reportingThreshold: this.config.reportingThreshold,
      },
    });
  }

  @Post()
  @Pages('admin')
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const form = asForm(body);
    if (textField(form, 'action') === 'count') return this.renderCount(request, reply, form);
    try {
      const created = await this.campaigns.create(inputFromForm(form, this.defaults()));
      return reply.redirect(`/campaigns/${created.id}?created=1`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
      return this.renderForm(request, reply, 400, { values: form, problems: error.details });
    }
  }

  @Get(':id')
  @Pages('admin')
  async show(
    @Param('id', uuid) id: string,
    @Query('created') created: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.renderShow(id, request, reply, 200, created ? { notice: 'Campaign created.' } : {});
  }

  @Get(':id/edit')
  @Pages('admin')
  async editForm(
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const campaign = await this.campaigns.view(id);
    return this.renderForm(request, reply, 200, {
      values: formFromCampaign(campaign),
      campaign,
    });
  }

  @Post(':id')
  @Pages('admin')
  async update(
    @Param('id', uuid) id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const campaign = await this.campaigns.view(id);
    if (textField(form, 'action') === 'count')
      return this.renderCount(request, reply, form, campaign);
    try {
      await this.campaigns.update(id, inputFromForm(form, this.defaults()));
      return reply.redirect(`/campaigns/${id}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || !['invalid', 'conflict'].includes(error.kind))
        throw error;
      return this.renderForm(request, reply, error.kind === 'conflict' ? 409 : 400, {
        values: form,
        campaign,
        problems: error.details ?? [error.message],
      });
    }
  }

  @Post(':id/pause')
  @Pages('admin')
  pause(@Param('id', uuid) id: string, @Req() r: FastifyRequest, @Res() reply: FastifyReply) {
    return this.transition(
      id,
      r,
      reply,
      () => this.campaigns.pause(id),
      'Paused: no new wave will open.',
    );
  }

  @Post(':id/resume')
  @Pages('admin')
  resume(@Param('id', uuid) id: string, @Req() r: FastifyRequest, @Res() reply: FastifyReply) {
    return this.transition(id, r, reply, () => this.campaigns.resume(id), 'Resumed.');
  }

  @Post(':id/archive')
  @Pages('admin')
  archive(@Param('id', uuid) id: string, @Req() r: FastifyRequest, @Res() reply: FastifyReply) {
    return this.transition(id, r, reply, () => this.campaigns.archive(id), 'Archived.');
  }

  @Post(':id/test')
  @Pages('admin')
  async test(
    @Param('id', uuid) id: string,
    @CurrentUser() user: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const locale = textField(asForm(body), 'locale');
    return this.transition(
      id,
      request,
      reply,
      () => this.campaigns.sendTest(id, user, LOCALES.includes(locale) ? locale : 'en'),
      `A test mail is on its way to ${user.email}. Its link shows the survey and records nothing.`,
    );
  }

  /** The survey as respondents of the next wave will see it, in a chosen language. */
  @Get(':id/preview')
  @Pages('admin')
  async preview(
    @Param('id', uuid) id: string,
    @Query('locale') locale: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const campaign = await this.campaigns.get(id);
    const language = LOCALES.includes(locale ?? '') ? (locale as string) : 'en';
    const preview = await this.campaigns.previewForm(campaign.id, language);
    const view = surveyFormView(preview.questionnaire, preview.context, this.i18n, {});
    return reply.view('pages/survey/form.hbs', {
      ...view,
      action: '#',
      hidden: [],
      testBanner: `Preview of “${campaign.name}”, wave ${preview.number}. Other languages: ${LOCALES.join(', ')} (?locale=…).`,
    });
  }

  @Get(':id/report')
  @Pages('admin')
  async report(
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const campaign = await this.campaigns.get(id);
    const report = await this.reports.campaignReport(await this.campaigns.reportScope(campaign));
    const latest = report.waves[report.waves.length - 1];
    return reply.view(
      'pages/campaigns/report.hbs',
      pageContext(request, `${campaign.name} — report`, {
        campaign,
        report,
        questionText: Object.fromEntries(report.questions.map((q) => [q.id, { text: q.text }])),
        waves: [...report.waves].reverse(),
        latest,
        chart: {
          labels: report.waves.map((w) => w.label),
          rate: report.waves.map((w) =>
            w.participation.answered.withheld ? null : w.participation.answered.rate,
          ),
          enps: report.waves.map((w) => (w.enps && !w.enps.withheld ? w.enps.nps : null)),
          teams:
            report.subject === 'teams'
              ? (report.waves[0]?.groups ?? []).map((g, i) => ({
                  label: g.label,
                  data: report.waves.map((w) => {
                    const v = w.groups[i]?.nps;
                    return v && !v.withheld ? v.nps : null;
                  }),
                }))
              : [],
        },
      }),
    );
  }

  private audienceOf(form: Form) {
    return {
      subject:
        textField(form, 'subject') === 'own_team' ? ('own_team' as const) : ('teams' as const),
      departments: listField(form, 'departments'),
      locations: listField(form, 'locations'),
      teamSlugs: listField(form, 'audienceTeams'),
      tenureBands: listField(form, 'tenureBands'),
      includeEmails: emailList(textField(form, 'include')),
      excludeEmails: emailList(textField(form, 'exclude')),
    };
  }

  private async renderCount(
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form,
    campaign?: unknown,
  ) {
    const count = await this.campaigns.countAudience(this.audienceOf(form));
    return this.renderForm(request, reply, 200, { values: form, campaign, count });
  }

  private async transition(
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
    action: () => Promise<unknown>,
    notice: string,
  ) {
    try {
      await action();
      return this.renderShow(id, request, reply, 200, { notice });
    } catch (error) {
      if (!(error instanceof DomainError) || !['conflict', 'invalid'].includes(error.kind))
        throw error;
      return this.renderShow(id, request, reply, error.kind === 'conflict' ? 409 : 400, {
        error: error.message,
      });
    }
  }

  private async renderShow(
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const [campaign, waves] = await Promise.all([
      this.campaigns.view(id),
      this.campaigns.waves(id),
    ]);
    const filter = await this.campaigns.audienceFilter(campaign);
    const count = await this.directory.countAudience(filter);
    return reply.code(status).view(
      'pages/campaigns/show.hbs',
      pageContext(request, campaign.name, {
        campaign,
        audienceCount: count,
        templateLabel: campaign.template
          ? CAMPAIGN_TEMPLATES[campaign.template as 'pulse'].label
          : 'Custom',
        isActive: campaign.status === 'active',
        isPaused: campaign.status === 'paused',
        isArchived: campaign.status === 'archived',
        nextOpening: campaign.nextOpening?.toISOString().replace('T', ' ').slice(0, 16),
        windowText: `${campaign.windowFrom}–${campaign.windowTo}, ${campaign.windowDays.map((d) => WEEKDAY_LABELS[d]).join(' ')}`,
        reminderText:
          campaign.reminderDays.length > 0
            ? campaign.reminderDays.map((d) => `day ${d}`).join(', ')
            : 'none',
        waves: waves.map((w) => ({
          ...w,
          opens: w.opensAt.toISOString().replace('T', ' ').slice(0, 16),
          closes: w.closesAt.toISOString().replace('T', ' ').slice(0, 16),
        })),
        locales: LOCALES,
        ...extra,
      }),
    );
  }

  private async renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    state: {
      values: Record<string, unknown>;
      campaign?: unknown;
      problems?: unknown;
      count?: { count: number; unknownEmails: string[] };
    },
  ) {
    const [teams, facets, questionnaires] = await Promise.all([
      this.teams.list(),
      this.directory.facets(),
      this.surveys.listQuestionnaires(),
    ]);
    const v = state.values;
    const many = (name: string): string[] => {
      const value = v[name];
      return Array.isArray(value) ? (value as string[]) : typeof value === 'string' ? [value] : [];
    };
    const one = (name: string) =>
      v[name] === undefined || v[name] === null ? '' : String(v[name]);
    const options = (values: string[], chosen: string[]) =>
      values.map((value) => ({ value, selected: chosen.includes(value) }));
    const campaign = state.campaign as { id: string; locked: boolean } | undefined;
    return reply.code(status).view(
      'pages/campaigns/form.hbs',
      pageContext(request, campaign ? 'Edit campaign' : 'New campaign', {
        campaign,
        action: campaign ? `/campaigns/${campaign.id}` : '/campaigns',
        problems: Array.isArray(state.problems)
          ? state.problems.map((p) => inFormWords(String(p), CAMPAIGN_FIELD_LABELS))
          : undefined,
        count: state.count,
        v: {
          name: one('name'),
          rrule: one('rrule'),
          everyWeeks: one('everyWeeks'),
          start: one('start'),
          timeZone: one('timeZone'),
          windowFrom: one('windowFrom'),
          windowTo: one('windowTo'),
          openDays: one('openDays'),
          reminder1: one('reminder1'),
          reminder2: one('reminder2'),
          reminder3: one('reminder3'),
          questionsPerWave: one('questionsPerWave'),
          reportingThreshold: one('reportingThreshold'),
          include: one('include'),
          exclude: one('exclude'),
        },
        templates: [
          ...TEMPLATE_KEYS.map((key) => ({
            value: key,
            label: CAMPAIGN_TEMPLATES[key].label,
            description: CAMPAIGN_TEMPLATES[key].description,
            selected: one('template') === key,
          })),
          {
            value: 'custom',
            label: 'Custom questionnaire',
            description: 'one of the questionnaires below',
            selected: one('template') === 'custom',
          },
        ],
        questionnaires: questionnaires.map((q) => ({
          id: q.id,
          name: q.name,
          selected: one('questionnaireId') === q.id,
        })),
        subjects: [
          {
            value: 'teams',
            label: 'A list of service teams, each rated in its own block',
            selected: one('subject') !== 'own_team',
          },
          {
            value: 'own_team',
            label: 'Each respondent’s own team (engagement, eNPS)',
            selected: one('subject') === 'own_team',
          },
        ],
        teams: teams.map((t) => ({
          ...t,
          selected: many('teams').includes(t.slug),
          indent: '— '.repeat(t.depth),
        })),
        audienceTeams: teams.map((t) => ({
          ...t,
          selected: many('audienceTeams').includes(t.slug),
          indent: '— '.repeat(t.depth),
        })),
        departments: options(facets.departments, many('departments')),
        locations: options(facets.locations, many('locations')),
        tenureBands: options([...TENURE_BANDS], many('tenureBands')),
        cadences: CADENCES.map((c) => ({
          value: c,
          label: CADENCE_LABELS[c],
          selected: one('cadence') === c,
        })),
        weekdays: WEEKDAYS.map((d) => ({
          value: d,
          label: WEEKDAY_LABELS[d],
          selected: many('windowDays').includes(d),
        })),
        minK: Math.max(3, this.config.reportingThreshold),
      }),
    );
  }
}
