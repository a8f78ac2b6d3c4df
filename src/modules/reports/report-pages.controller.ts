import { Controller, Get, Param, Query, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  CurrentPrincipal,
  Pages,
  type Principal,
  TeamScoped,
} from '../../common/access/access.decorator';
import { pageContext } from '../../common/views/page-context';
import { AccountsService } from '../accounts/accounts.service';
import { ActionsService } from '../actions/actions.service';
import { commentsCard } from './comment-card';
import { CommentQueryDto } from './comment-query.dto';
import { CommentReportService } from './comment-report.service';
import { addBuckets, bucketStart, type Grain, GRAINS } from './periods';
import { heat, sparkline } from './overview';
import { OverviewQueryDto, periodOf } from './report-query.dto';
import { OVERVIEW_SORTS, ReportsService, type TicketReport } from './reports.service';

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
    const link = (s: string) =>
      `/?period=${grain}&at=${overview.period.start}&sort=${s}&dir=${s === sort && dir === 'desc' ? 'asc' : 'desc'}`;
    return pageContext(request, 'Teams', {
      overview,
      stillOpen: stillOpen(overview.period, '/'),
      grains: GRAINS.map((g) => ({ value: g, selected: g === grain })),
      sortLinks: Object.fromEntries(
        OVERVIEW_SORTS.map((s) => [s, { href: link(s), active: s === sort, dir }]),
      ),
      rows: overview.rows.map((r) => ({
        ...r,
        spark: sparkline(r.spark),
        changeText: signed(r.change),
        toTargetText: signed(r.toTarget),
        cells: overview.questions.map((q) => {
          const cell = r.questions[q.id];
          if (!cell || cell.withheld) return { withheld: true };
          return {
            withheld: false,
            value: cell.value,
            unit: q.type === 'rating' ? '%' : '',
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
    const { report, tickets, reviews } = await this.reports.teamPage(slug, grain, at);
    const markers = await this.trendMarkers(
      slug,
      report.trend.map((p) => p.bucket),
      grain,
      principal.kind === 'user' && principal.role === 'viewer',
    );
    const pct = (n: number, total: number) => (total > 0 ? Math.round((1000 * n) / total) / 10 : 0);
    return pageContext(request, report.team.name, {
      report,
      stillOpen: stillOpen(report.period, `/teams/${slug}`),
      canStartAction: principal.kind === 'user' && principal.role !== 'viewer',
      actionsUrl: `/teams/${slug}/actions`,
      markers,
      tickets: ticketView(tickets),
      reviews,
      // Comment search (`q`) and themes, under the comment rules of the report (views/partials/report-comments.hbs).
      commentsCard: commentsCard(await this.comments.build(report, query.q), {
        path: `/teams/${slug}`,
        startAction:
          principal.kind === 'user' && principal.role !== 'viewer'
            ? `/teams/${slug}/actions/new?origin=comments&period=${grain}&at=${report.period.start}`
            : null,
      }),
      grains: GRAINS.map((g) => ({ value: g, selected: g === grain })),
      exportUrl: `/teams/${slug}/export.csv?period=${grain}&at=${report.period.start}`,
      distributionRows: report.distribution.withheld
        ? []
        : report.distribution.scores.map((s) => ({
            ...s,
            share: pct(s.n, report.distribution.withheld ? 1 : report.distribution.n),
          })),
      charts: {
        trend: {
          labels: report.trend.map((p) => p.label),
          nps: report.trend.map((p) => (p.value.withheld ? null : p.value.nps)),
          low: report.trend.map((p) => (p.value.withheld ? null : p.value.low)),
          high: report.trend.map((p) => (p.value.withheld ? null : p.value.high)),
          target: report.team.npsTarget,
          markers,
        },
        distribution: report.distribution.withheld ? null : report.distribution.scores,
      },
    });
  }

  /**
   * Actions of the team done within the trend's range, each placed on the chart's category axis
   * (`x`: the bucket's index plus how far into it the day falls). The team's own plans, not
   * answers: internal ones for leads and HR, published ones for viewers too.
   */
  private async trendMarkers(
    slug: string,
    buckets: string[],
    grain: Grain,
    publishedOnly: boolean,
  ) {
    if (buckets.length === 0) return [];
    const teamId = await this.accounts.teamIdBySlug(slug);
    if (teamId === undefined) return [];
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

/**
 * When the period shown has not closed yet (it holds today, or is still to come): the note that
 * says so, with a link to the last closed period of the same grain on the same page.
 */
export function stillOpen(
  period: { grain: Grain; start: string; end: string },
  path: string,
  today = new Date().toISOString().slice(0, 10),
): { grain: Grain; path: string; at: string } | null {
  if (period.end <= today) return null;
  const lastClosed = addBuckets(bucketStart(today, period.grain), period.grain, -1);
  return { grain: period.grain, path, at: lastClosed };
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A duration in minutes, as people read it: 45 min, 3 h 20 min, 2 d 4 h. */
export function duration(minutes: number | null): string {
  if (minutes === null) return '—';
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const hours = Math.round(m / 60);
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** The "after tickets" section's figures, ready for views/partials/ticket-report.hbs. */
function ticketView(tickets: TicketReport) {
  const { standards, busiestHours } = tickets;
  const count = (weekday: number, hour: number) =>
    busiestHours.cells.find((c) => c.weekday === weekday && c.hour === hour)?.tickets ?? 0;
  const metric = (m: TicketReport['standards']['firstResponse']) => ({
    median: duration(m.median),
    p90: duration(m.p90),
    target: m.target === null ? null : duration(m.target),
    medianMet: m.target !== null && m.median !== null ? m.median <= m.target : null,
  });
  return {
    ...tickets,
    firstResponse: metric(standards.firstResponse),
    handling: metric(standards.handling),
    hours: Array.from({ length: 24 }, (_, hour) => hour),
    weekdays: WEEKDAYS.map((label, i) => ({
      label,
      cells: Array.from({ length: 24 }, (_, hour) => {
        const n = count(i + 1, hour);
        return {
          hour,
          n,
          heat:
            n === 0 || busiestHours.max === 0 ? 0 : heat((100 * n) / busiestHours.max, 'percent'),
        };
      }),
    })),
  };
}

function signed(value: number | null): string {
  if (value === null) return '—';
  return value > 0 ? `+${value}` : String(value);
}
