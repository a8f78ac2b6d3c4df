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
import { showDomainErrors } from '../../common/http/form-errors';
import { asForm, type Form, listField, textField } from '../../common/http/form-fields';
import { requestLocale, sharedI18n } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { TENURE_BANDS } from '../directory/audience';
import { DirectoryService } from '../directory/directory.service';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { CADENCES, WEEKDAYS } from './cadence';
import { CampaignAudienceService } from './campaign-audience.service';
import { emailList, formFromCampaign, inputFromForm } from './campaign-form';
import { campaignProblems, campaignWords, transitionProblem } from './campaign-page-words';
import { CAMPAIGN_TEMPLATES, TEMPLATE_KEYS } from './campaign-templates';
import { CAMPAIGN_LOCALES } from './campaign-titles';
import { CampaignsService } from './campaigns.service';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 404 });

/**
 * HR's campaign form: create and edit, with a live audience count that also works without
 * JavaScript (the form's "Count" button).
 */
@ApiExcludeController()
@Controller('campaigns')
export class CampaignFormPagesController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly audiences: CampaignAudienceService,
    private readonly teams: TeamsService,
    private readonly directory: DirectoryService,
    private readonly surveys: SurveysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private defaults() {
    return {
      timeZone: this.config.organisationTimeZone,
      reportingThreshold: this.config.reportingThreshold,
    };
  }

  /** The live count the form asks for as filters change (JSON). */
  @Get('audience-count')
  @Pages('admin')
  async audienceCount(@Query() query: Record<string, unknown>) {
    const form = asForm(query);
    return this.audiences.count(this.audienceOf(form));
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
  async create(
    @Body() body: unknown,
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    if (textField(form, 'action') === 'count') return this.renderCount(request, reply, form);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        const created = await this.campaigns.create(inputFromForm(form, this.defaults()), {
          actor: user,
          ip: request.ip,
        });
        return reply.redirect(`/campaigns/${created.id}?created=1`, 303);
      },
      (error, status) =>
        this.renderForm(request, reply, status, {
          values: form,
          problems: campaignProblems(sharedI18n(), requestLocale(request), error),
        }),
    );
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
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const campaign = await this.campaigns.view(id);
    if (textField(form, 'action') === 'count')
      return this.renderCount(request, reply, form, campaign);
    return showDomainErrors(
      reply,
      ['invalid', 'conflict'],
      async () => {
        await this.campaigns.update(id, inputFromForm(form, this.defaults()), {
          actor: user,
          ip: request.ip,
        });
        return reply.redirect(`/campaigns/${id}`, 303);
      },
      (error, status) =>
        this.renderForm(request, reply, status, {
          values: form,
          campaign,
          problems: campaignProblems(sharedI18n(), requestLocale(request), error) ?? [
            transitionProblem(sharedI18n(), requestLocale(request), error),
          ],
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
    const count = await this.audiences.count(this.audienceOf(form));
    return this.renderForm(request, reply, 200, { values: form, campaign, count });
  }

  private async renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    state: {
      values: Record<string, unknown>;
      campaign?: unknown;
      problems?: string[];
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
    const i18n = sharedI18n();
    const words = campaignWords(i18n, requestLocale(request));
    return reply.code(status).view(
      'pages/campaigns/form.hbs',
      pageContext(
        request,
        words.t(campaign ? 'campaign_pages.form.title_edit' : 'campaign_pages.form.title_new'),
        {
          campaign,
          action: campaign ? `/campaigns/${campaign.id}` : '/campaigns',
          problems: state.problems,
          count: state.count
            ? { ...state.count, unknownList: state.count.unknownEmails.join(' ') }
            : undefined,
          titles: CAMPAIGN_LOCALES.map((locale) => ({
            locale,
            label: i18n.info(locale).name,
            dir: i18n.info(locale).dir,
            value: one(`title_${locale}`),
          })),
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
              ...words.template(key),
              selected: one('template') === key,
            })),
            {
              value: 'custom',
              ...words.template('custom'),
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
              label: words.t('campaign_pages.subject_teams'),
              selected: one('subject') !== 'own_team',
            },
            {
              value: 'own_team',
              label: words.t('campaign_pages.subject_own_team'),
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
          tenureBands: options([...TENURE_BANDS], many('tenureBands')).map((o) => ({
            ...o,
            label: words.tenure(o.value),
          })),
          cadences: CADENCES.map((c) => ({
            value: c,
            label: words.cadence(c),
            selected: one('cadence') === c,
          })),
          weekdays: WEEKDAYS.map((d) => ({
            value: d,
            label: words.weekday(d),
            selected: many('windowDays').includes(d),
          })),
          minK: Math.max(3, this.config.reportingThreshold),
        },
      ),
    );
  }
}
