import { Controller, Get, Param, Query, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  CurrentPrincipal,
  Pages,
  type Principal,
  TeamScoped,
} from '../../common/access/access.decorator';
import { requestLocale, sharedI18n } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { AccountsService } from '../accounts/accounts.service';
import { ActionsService } from '../actions/actions.service';
import { driverView } from './driver-view';
import { addBuckets, bucketStart, type Grain, GRAINS } from './periods';
import { heat, sparkline } from './overview';
import { distributionChart, percent, stillOpen, ticketView, trendChart } from './report-view';
import { OverviewQueryDto, periodOf } from './report-query.dto';
import { OVERVIEW_SORTS, ReportsService } from './reports.service';
import { commentsCard } from './comment-card';
import { CommentQueryDto } from './comment-query.dto';
import { CommentReportService } from './comment-report.service';

/**
 * The teams a person may see (leads and viewers: the teams they were given and those below),
 * and each team's report. Any other team answers 404, as if it did not exist, and is audited
 * (by the access guard, for every @TeamScoped route).
 */
@ApiExcludeController()
@Controller()
export class ReportPagesController {
  constructor(
    private readonly reports: ReportsService,
    private readonly accounts: AccountsService,
    private readonly actions: ActionsService,
    private readonly comments: CommentReportService,
  ) {}

  @Get()
  @Pages()
  @Render('pages/teams/overview.hbs')
  async overview(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OverviewQueryDto,
    @Req() request: FastifyRequest,
  ) {
    const { grain } = periodOf(query);
    const visible = await this.accounts.visibleTeams(principal);
    const at = query.at ?? (await this.reports.landing({ visible }, grain));
    const sort = query.sort ?? 'name';
    const dir = query.dir ?? (sort === 'name' ? 'asc' : 'desc');
    const overview = await this.reports.overview(visible, grain, at, sort, dir === 'desc');
    const i18n = sharedI18n();
    const locale = requestLocale(request);
    const link = (s: string) =>
      `/?period=${grain}&at=${overview.period.start}&sort=${s}&dir=${s === sort && dir === 'desc' ? 'asc' : 'desc'}`;
    return pageContext(request, i18n.t(locale, 'reports.overview.title'), {
      overview,
      questions: overview.questions.map((q) => ({ ...q, text: q.texts[locale] ?? q.text })),
      stillOpen: stillOpen(overview.period, '/'),
      grains: GRAINS.map((g) => ({ value: g, selected: g === grain })),
      sortLinks: Object.fromEntries(
        OVERVIEW_SORTS.map((s) => [s, { href: link(s), active: s === sort, dir }]),
      ),
      rows: overview.rows.map((r) => ({
        ...r,
        spark: sparkline(r.spark),
        cells: overview.questions.map((q) => {
          const cell = r.questions[q.id];
          if (!cell || cell.withheld) return { withheld: true };
          return {
            withheld: false,
            value: cell.value,
            text:
              q.type === 'rating'
                ? percent(i18n, locale, cell.value)
                : i18n.number(locale, cell.value, { maximumFractionDigits: 2 }),
            heat: heat(cell.value, q.type === 'rating' ? 'percent' : 'ces'),
          };
        }),
      })),
    });
  }

  @Get('teams/:slug')
  @Pages()
  @TeamScoped()
  @Render('pages/teams/team.hbs')
  async team(
    @Param('slug') slug: string,
    @Query() query: CommentQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const { grain } = periodOf(query);
    const at = query.at ?? (await this.reports.landing({ team: slug }, grain));
    const locale = requestLocale(request);
    const { report, tickets, reviews, drivers, scope } = await this.reports.teamPage(
      slug,
      grain,
      at,
      locale,
    );
    // The live parts after the report, at once: actions (markers) and comments.
    const [markers, commentReport] = await Promise.all([
      this.trendMarkers(
        scope.team.id,
        report.trend.map((p) => p.bucket),
        grain,
        principal.kind === 'user' && principal.role === 'viewer',
      ),
      this.comments.build(report, query.q),
    ]);
    const pct = (n: number, total: number) => (total > 0 ? Math.round((1000 * n) / total) / 10 : 0);
    const i18n = sharedI18n();
    return pageContext(request, report.team.name, {
      report,
      questions: report.questions.map((q) => ({
        ...q,
        text: q.texts[locale] ?? q.text,
        result: q.result.withheld
          ? q.result
          : {
              ...q.result,
              options: q.result.options.map((o) => ({ ...o, label: o.labels[locale] ?? o.label })),
            },
      })),
      stillOpen: stillOpen(report.period, `/teams/${slug}`),
      responseRateText: report.responseRate.withheld
        ? null
        : percent(i18n, locale, report.responseRate.rate),
      canStartAction: principal.kind === 'user' && principal.role !== 'viewer',
      actionsUrl: `/teams/${slug}/actions`,
      markers: markers.map((m) => ({ ...m, doneOn: i18n.date(locale, m.doneOn) })),
      tickets: ticketView(tickets, i18n, locale),
      // The review questions in the page's language (the built-in ones have all four).
      reviews: {
        ...reviews,
        questions: reviews.questions.map((q) => ({
          ...q,
          question: q.texts[locale] ?? q.question,
        })),
      },
      drivers: driverView(drivers),
      // Comment search (`q`) and themes, under the comment rules of the report (views/partials/report-comments.hbs).
      commentsCard: commentsCard(commentReport, {
        path: `/teams/${slug}`,
        startAction:
          principal.kind === 'user' && principal.role !== 'viewer'
            ? `/teams/${slug}/actions`
            : null,
      }),
      grains: GRAINS.map((g) => ({ value: g, selected: g === grain })),
      exportUrl: `/teams/${slug}/export.csv?period=${grain}&at=${report.period.start}`,
      distributionRows: report.distribution.withheld
        ? []
        : report.distribution.scores.map((s) => ({
            ...s,
            share: percent(
              i18n,
              locale,
              pct(s.n, report.distribution.withheld ? 1 : report.distribution.n),
            ),
          })),
      charts: {
        trend: trendChart(report, markers, i18n, locale),
        distribution: distributionChart(report, i18n, locale),
      },
    });
  }

  /**
   * Actions of the team done within the trend's range, each placed on the chart's category axis
   * (`x`: the bucket's index plus how far into it the day falls). The team's own plans, not
   * answers: internal ones for leads and HR, published ones for viewers too.
   */
  private async trendMarkers(
    teamId: string,
    buckets: string[],
    grain: Grain,
    publishedOnly: boolean,
  ) {
    if (buckets.length === 0) return [];
    const end = addBuckets(buckets[buckets.length - 1], grain, 1);
    const done = await this.actions.markers([teamId], buckets[0], end);
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    return done
      .filter((m) => m.published || !publishedOnly)
      .map((m) => {
        const start = bucketStart(m.doneOn, grain);
        const index = buckets.indexOf(start);
        const next = addBuckets(start, grain, 1);
        const fraction = (day(m.doneOn) - day(start)) / (day(next) - day(start));
        return {
          x: Math.round((index + fraction) * 1000) / 1000,
          doneOn: m.doneOn,
          label: m.planned.length > 40 ? `${m.planned.slice(0, 39)}…` : m.planned,
        };
      });
  }
}
