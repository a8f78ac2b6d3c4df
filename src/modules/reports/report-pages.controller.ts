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
import { GRAINS } from './periods';
import { heat, sparkline } from './overview';
import { OverviewQueryDto, periodOf, ReportQueryDto } from './report-query.dto';
import { OVERVIEW_SORTS, ReportsService } from './reports.service';

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
  ) {}

  @Get()
  @Pages()
  @Render('pages/teams/overview.hbs')
  async overview(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OverviewQueryDto,
    @Req() request: FastifyRequest,
  ) {
    const { grain, at } = periodOf(query);
    const sort = query.sort ?? 'name';
    const dir = query.dir ?? (sort === 'name' ? 'asc' : 'desc');
    const overview = await this.reports.overview(
      await this.accounts.visibleTeams(principal),
      grain,
      at,
      sort,
      dir === 'desc',
    );
    const link = (s: string) =>
      `/?period=${grain}&at=${overview.period.start}&sort=${s}&dir=${s === sort && dir === 'desc' ? 'asc' : 'desc'}`;
    return pageContext(request, 'Teams', {
      overview,
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
    @Query() query: ReportQueryDto,
    @Req() request: FastifyRequest,
  ) {
    const { grain, at } = periodOf(query);
    const report = await this.reports.teamReport(slug, grain, at);
    const pct = (n: number, total: number) => (total > 0 ? Math.round((1000 * n) / total) / 10 : 0);
    return pageContext(request, report.team.name, {
      report,
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
        },
        distribution: report.distribution.withheld ? null : report.distribution.scores,
      },
    });
  }
}

function signed(value: number | null): string {
  if (value === null) return '—';
  return value > 0 ? `+${value}` : String(value);
}
