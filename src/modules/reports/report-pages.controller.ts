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
import { addBuckets, bucketStart, type Grain, GRAINS } from './periods';
import { stillOpen, ticketView, trendChart } from './report-view';
import {
  fragmentContext,
  overviewFigures,
  REPORT_FRAGMENTS,
  ReportFragments,
  teamFigures,
} from './report-fragments';
import { OverviewQueryDto, periodOf } from './report-query.dto';
import { ReportsService } from './reports.service';
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
    private readonly fragments: ReportFragments,
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
    const { value: overview, key } = await this.reports.overviewWithTag(
      visible,
      grain,
      at,
      sort,
      dir === 'desc',
    );
    const i18n = sharedI18n();
    const locale = requestLocale(request);
    const context = pageContext(request, i18n.t(locale, 'reports.overview.title'), {
      overview,
      stillOpen: stillOpen(overview.period, '/'),
    });
    // The body is the overview's figures only (per teams shown, sort and period: the cache key),
    // so a closed period's is rendered once per locale.
    const overviewBody = await this.fragments.render(
      'overview',
      key ? `${key} ${locale}` : null,
      () => ({
        ...fragmentContext(locale),
        overview,
        stillOpen: stillOpen(overview.period, '/'),
        ...overviewFigures(overview, grain, sort, dir, locale),
      }),
    );
    return { ...context, overviewBody };
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
    const viewer = principal.kind === 'user' && principal.role === 'viewer';
    const {
      report,
      tickets,
      reviews,
      drivers,
      cacheKey,
      alongside: [markers, commentReport],
    } = await this.reports.teamPage(slug, grain, at, locale, (base, scope) =>
      // The page's own live parts: actions (markers) and comments (search, themes).
      Promise.all([
        this.trendMarkers(
          scope.team.id,
          base.trend.map((p) => p.bucket),
          grain,
          viewer,
        ),
        this.comments.build(base, query.q, scope.all),
      ]),
    );
    const i18n = sharedI18n();
    const canStartAction = principal.kind === 'user' && principal.role !== 'viewer';
    // The heatmap's cells and the bands' labels, only where a part is rendered, and once a page
    // (several parts show them).
    let ticketParts: { tickets: ReturnType<typeof ticketView> } | undefined;
    const ticketFigures = () => (ticketParts ??= { tickets: ticketView(tickets, i18n, locale) });
    const charts = { trend: trendChart(report, markers, i18n, locale) };
    // What the figures' parts show: the report's data only, nothing of the person or the request.
    const data = {
      report,
      stillOpen: stillOpen(report.period, `/teams/${slug}`),
      canStartAction,
      actionsUrl: `/teams/${slug}/actions`,
      markers: markers.map((m) => ({ ...m, doneOn: i18n.date(locale, m.doneOn) })),
      tickets,
      // The review questions in the page's language (the built-in ones have all four).
      reviews: {
        ...reviews,
        questions: reviews.questions.map((q) => ({
          ...q,
          question: q.texts[locale] ?? q.question,
        })),
      },
      grains: GRAINS.map((g) => ({ value: g, selected: g === grain })),
      exportUrl: `/teams/${slug}/export.csv?period=${grain}&at=${report.period.start}`,
      charts,
    };
    const context = pageContext(request, report.team.name, {
      ...data,
      // Comment search (`q`) and themes, under the comment rules of the report (views/partials/report-comments.hbs).
      // The report's comments as sampled for this view (the card's were read beside them).
      commentsCard: commentsCard(
        { ...commentReport, comments: report.comments },
        {
          path: `/teams/${slug}`,
          startAction: canStartAction ? `/teams/${slug}/actions` : null,
        },
      ),
    });
    // The figures' parts of the page, rendered here: for a closed period, once per locale and
    // role from the report cache (the same key as the figures), since rendering them is most of
    // a cached page's cost. Rendered with their own context (locale and report data): never the
    // person's name, CSRF token or comments, whatever a partial asks for.
    // Computed once a page, whichever of its parts is rendered first (none on a cached page).
    let figureParts: Record<string, unknown> | undefined;
    const figures = () =>
      (figureParts ??= {
        ...fragmentContext(locale),
        ...data,
        ...teamFigures(report, drivers, i18n, locale, charts),
        ...ticketFigures(),
      });
    const html = (part: keyof typeof REPORT_FRAGMENTS) =>
      this.fragments.render(part, cacheKey && `${cacheKey} ${locale} ${canStartAction}`, figures);
    const [top, results, reviewsTop, standards] = await Promise.all([
      html('top'),
      html('results'),
      html('reviews'),
      // Live figures: kept by what they are, so an unchanged heatmap is not rendered again.
      this.fragments.render(
        'standards',
        cacheKey &&
          `${locale} ${JSON.stringify([tickets.period, tickets.standards, tickets.busiestHours])}`,
        () => ({ ...fragmentContext(locale), ...data, ...ticketFigures() }),
      ),
    ]);
    return { ...context, fragments: { top, results, reviews: reviewsTop, standards } };
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
