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
import { asForm, textField } from '../../common/http/form-fields';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { requestLocale } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { userZone } from '../../common/views/user-zone';
import { ReportsService } from '../reports/reports.service';
import { surveyFormView } from '../responses/survey-form.view';
import { CampaignAudienceService } from './campaign-audience.service';
import { campaignWords, transitionProblem } from './campaign-page-words';
import { CampaignPreviewService } from './campaign-preview.service';
import { TEMPLATE_KEYS } from './campaign-templates';
import { CampaignsService } from './campaigns.service';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 404 });
const LOCALES = ['en', 'es', 'ja', 'fa'];

/**
 * HR's campaign pages: the list, the campaign with its waves, pause, resume, archive, preview,
 * "send me a test" and the report. Creating and editing: CampaignFormPagesController.
 */
@ApiExcludeController()
@Controller('campaigns')
export class CampaignPagesController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly audiences: CampaignAudienceService,
    private readonly previews: CampaignPreviewService,
    private readonly reports: ReportsService,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  @Get()
  @Pages('admin')
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const campaigns = await this.campaigns.list();
    const words = campaignWords(this.i18n, requestLocale(request));
    return reply.view(
      'pages/campaigns/list.hbs',
      pageContext(request, words.t('campaign_pages.title'), {
        campaigns: campaigns.map((c) => ({
          ...c,
          statusLabel: words.status(c.status),
          cadenceLabel: words.cadence(c.cadence),
          lastOpens: c.lastOpensAt ? new Date(c.lastOpensAt) : undefined,
        })),
        timeZone: userZone(request),
        templates: TEMPLATE_KEYS.map((key) => ({ key, ...words.template(key) })),
      }),
    );
  }

  @Get(':id')
  @Pages('admin')
  async show(
    @Param('id', uuid) id: string,
    @Query('created') created: string | undefined,
    @Query('done') done: string | undefined,
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const t = campaignWords(this.i18n, requestLocale(request)).t;
    const notice = created ? t('campaign_pages.notice.created') : doneNotice(t, done, user);
    return this.renderShow(id, request, reply, 200, notice ? { notice } : {});
  }

  @Post(':id/pause')
  @Pages('admin')
  pause(
    @Param('id', uuid) id: string,
    @CurrentUser() user: SignedInUser,
    @Req() r: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.transition(id, r, reply, 'paused', () => this.campaigns.pause(id, by(user, r)));
  }

  @Post(':id/resume')
  @Pages('admin')
  resume(
    @Param('id', uuid) id: string,
    @CurrentUser() user: SignedInUser,
    @Req() r: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.transition(id, r, reply, 'resumed', () => this.campaigns.resume(id, by(user, r)));
  }

  /** Archiving cannot be undone: this page asks first (a plain form, no script needed). */
  @Get(':id/archive')
  @Pages('admin')
  async archiveConfirm(
    @Param('id', uuid) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.renderArchive(id, request, reply, 200, {});
  }

  @Post(':id/archive')
  @Pages('admin')
  async archive(
    @Param('id', uuid) id: string,
    @CurrentUser() user: SignedInUser,
    @Body() body: unknown,
    @Req() r: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    if (textField(asForm(body), 'confirm') !== 'yes')
      return this.renderArchive(id, r, reply, 400, {
        error: this.i18n.t(requestLocale(r), 'campaign_pages.archive.confirm_missing'),
      });
    return this.transition(id, r, reply, 'archived', () => this.campaigns.archive(id, by(user, r)));
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
    return this.transition(id, request, reply, 'test', () =>
      this.previews.sendTest(id, user, LOCALES.includes(locale) ? locale : 'en', request.ip),
    );
  }

  /** The survey as respondents of the next wave will see it, in a chosen language. */
  @Get(':id/preview')
  @Pages('admin')
  async preview(
    @Param('id', uuid) id: string,
    @Query('locale') locale: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const campaign = await this.campaigns.get(id);
    const language = LOCALES.includes(locale ?? '') ? (locale as string) : 'en';
    const preview = await this.previews.previewForm(campaign.id, language);
    const view = surveyFormView(preview.questionnaire, preview.context, this.i18n, {});
    const hr = requestLocale(request);
    return reply.view('pages/survey/form.hbs', {
      ...view,
      action: '#',
      hidden: [],
      // For HR, in HR's language and direction whatever the survey's: see form.hbs.
      previewBanner: {
        lang: hr,
        dir: this.i18n.info(hr).dir,
        // The campaign's name is isolated (<bdi>) inside HR's sentence: the words on each side.
        ...aroundName(
          this.i18n.t(hr, 'campaign_pages.preview.banner', {
            name: NAME_MARK,
            wave: this.i18n.number(hr, preview.number),
          }),
        ),
        name: campaign.name,
        languagesLabel: this.i18n.t(hr, 'campaign_pages.preview.languages'),
        languages: LOCALES.map((code) => ({
          code,
          url: `/campaigns/${campaign.id}/preview?locale=${code}`,
          current: code === language,
        })),
      },
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
    const scope = await this.campaigns.reportScope(campaign);
    const report = await this.reports.campaignReport(scope);
    const locale = requestLocale(request);
    // Questions and their options in the page's language, where the questionnaire has it.
    const asked = new Map(scope.questions.map((q) => [q.id, q]));
    const textOf = (q: { id: string; text: string }) => asked.get(q.id)?.texts?.[locale] ?? q.text;
    const labelOf = (questionId: string, o: { key: string; label: string }) =>
      asked.get(questionId)?.options.find((a) => a.key === o.key)?.labels?.[locale] ?? o.label;
    const waves = report.waves.map((w) => ({
      ...w,
      groups: w.groups.map((g) => ({
        ...g,
        questions: g.questions.map((q) => ({
          ...q,
          result: q.result.withheld
            ? q.result
            : {
                ...q.result,
                options: q.result.options.map((o) => ({ ...o, label: labelOf(q.id, o) })),
              },
        })),
      })),
    }));
    const latest = waves[waves.length - 1];
    return reply.view(
      'pages/campaigns/report.hbs',
      pageContext(request, this.i18n.t(locale, 'reports.campaign.title', { name: campaign.name }), {
        campaign,
        report: {
          ...report,
          heatmapQuestions: report.heatmapQuestions.map((q) => ({ ...q, text: textOf(q) })),
        },
        questionText: Object.fromEntries(report.questions.map((q) => [q.id, { text: textOf(q) }])),
        waves: [...waves].reverse(),
        latest,
        chart: {
          // The chart's words and digits, in the page's language (campaign-charts.js).
          locale: this.i18n.info(locale).intl,
          text: {
            participation: this.i18n.t(locale, 'reports.campaign.chart_participation'),
            enps: this.i18n.t(locale, 'reports.campaign.enps'),
            score: this.i18n.t(locale, 'reports.campaign.chart_score'),
            rate: this.i18n.t(locale, 'reports.campaign.chart_rate'),
          },
          labels: report.waves.map((w) =>
            this.i18n.t(locale, 'reports.campaign.wave', {
              number: w.number,
              date: this.i18n.date(locale, w.opensAt),
            }),
          ),
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

  /**
   * Post/redirect/get: done, the page is reached again by a GET (a reload repeats nothing);
   * refused, the page says why with the matching status.
   */
  private async transition(
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
    done: keyof typeof DONE,
    action: () => Promise<unknown>,
  ) {
    return showDomainErrors(
      reply,
      ['conflict', 'invalid'],
      async () => {
        await action();
        return reply.redirect(`/campaigns/${id}?done=${done}`, 303);
      },
      (error, status) =>
        this.renderShow(id, request, reply, status, {
          error: transitionProblem(this.i18n, requestLocale(request), error),
        }),
    );
  }

  private async renderArchive(
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const campaign = await this.campaigns.view(id);
    return reply.code(status).view(
      'pages/campaigns/archive.hbs',
      pageContext(
        request,
        this.i18n.t(requestLocale(request), 'campaign_pages.archive.title', {
          name: campaign.name,
        }),
        {
          campaign,
          isArchived: campaign.status === 'archived',
          ...extra,
        },
      ),
    );
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
    const count = await this.audiences.countOf(campaign);
    const locale = requestLocale(request);
    const words = campaignWords(this.i18n, locale);
    // "A, B, C" for teams and reminders; weekdays side by side ("Mon Tue", "月火").
    const intl = this.i18n.info(locale).intl;
    const list = (items: string[]) =>
      new Intl.ListFormat(intl, { style: 'narrow', type: 'conjunction' }).format(items);
    const days = (items: string[]) =>
      new Intl.ListFormat(intl, { style: 'narrow', type: 'unit' }).format(items);
    return reply.code(status).view(
      'pages/campaigns/show.hbs',
      pageContext(request, campaign.name, {
        campaign,
        statusLabel: words.status(campaign.status),
        cadenceText: words.cadenceText({
          kind: campaign.cadence,
          everyWeeks: campaign.everyWeeks,
          rrule: campaign.rrule,
          start: campaign.startLocal,
          timeZone: campaign.timeZone,
        }),
        ratedTeams: list(campaign.ratedTeams.map((t) => t.name)),
        audienceCount: count,
        templateLabel: words.template(campaign.template ?? 'custom').label,
        isActive: campaign.status === 'active',
        isPaused: campaign.status === 'paused',
        isArchived: campaign.status === 'archived',
        nextOpening: campaign.nextOpening ?? undefined,
        timeZone: userZone(request),
        windowText: words.t('campaign_pages.show.window_value', {
          from: campaign.windowFrom,
          to: campaign.windowTo,
          days: days(campaign.windowDays.map((d) => words.weekday(d))),
        }),
        reminderText:
          campaign.reminderDays.length > 0
            ? list(
                campaign.reminderDays.map((d) =>
                  words.t('campaign_pages.show.reminder_day', { day: d }),
                ),
              )
            : words.t('campaign_pages.show.reminders_none'),
        waves: waves.map((w) => ({ ...w, statusLabel: words.waveStatus(w.status) })),
        locales: LOCALES.map((code) => ({ code, name: this.i18n.info(code).name })),
        ...extra,
      }),
    );
  }
}

/** What the campaign page says after each action it was redirected from. */
const DONE = { paused: true, resumed: true, archived: true, test: true };

function doneNotice(
  t: (key: string, vars?: Record<string, unknown>) => string,
  done: string | undefined,
  user: SignedInUser,
): string | undefined {
  return done !== undefined && Object.hasOwn(DONE, done)
    ? t(`campaign_pages.notice.${done}`, { email: user.email })
    : undefined;
}

/** Who did it, for the audit log. */
function by(user: SignedInUser, request: FastifyRequest) {
  return { actor: user, ip: request.ip };
}

/** Stands for the campaign's name in a sentence, to cut the sentence around it. */
const NAME_MARK = '\u0000';

function aroundName(sentence: string): { before: string; after: string } {
  const at = sentence.indexOf(NAME_MARK);
  return at < 0
    ? { before: sentence, after: '' }
    : { before: sentence.slice(0, at), after: sentence.slice(at + NAME_MARK.length) };
}
