import { Injectable } from '@nestjs/common';
import {
  assembleCampaignReport,
  type CampaignReport,
  type CampaignReportScope,
} from './campaign-report';
import { type Cell, type Nps, ORGANISATION, whenClosed } from './anonymity';
import { OverviewReportService } from './overview-report.service';
import { addBuckets, bucketStart, type Grain } from './periods';
import { type ReportScope, ReportTreeService, subtreeIds } from './report-tree.service';
import type {
  Overview,
  OverviewSort,
  ReviewReport,
  TeamReport,
  TicketReport,
} from './report-types';
import { TREND_BUCKETS } from './report-types';
import { ReviewReportService } from './review-report.service';
import { ReportsRepository } from './reports.repository';
import { TeamReportService } from './team-report.service';
import { TicketReportService } from './ticket-report.service';

export * from './report-types';
export { subtreeIds } from './report-tree.service';

/**
 * The query layer of every report: it asks ReportsRepository for aggregates and passes every
 * number through anonymity.ts before anything leaves it. Pages, the JSON API and CSV exports
 * all call this service, so they show the same numbers and none can skip the threshold.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly tree: ReportTreeService,
    private readonly overviews: OverviewReportService,
    private readonly teamReports: TeamReportService,
    private readonly ticketReports: TicketReportService,
    private readonly reviewReports: ReviewReportService,
  ) {}

  get k(): number {
    return this.tree.k;
  }

  /**
   * Every team the caller may see, each rolled up with its sub-teams: iNPS of the period, change
   * since the previous one, distance to target, a sparkline, and a teams × questions heatmap.
   * A sub-team listed with its parent follows the same differencing rule as on the team page.
   */
  overview(
    visible: 'all' | Set<string>,
    grain: Grain,
    at: string,
    sort: OverviewSort,
    descending: boolean,
  ): Promise<Overview> {
    return this.overviews.overview(visible, grain, at, sort, descending);
  }

  /**
   * A campaign's report: every wave's participation, results, eNPS and heatmap, under the
   * campaign's own k (see campaign-report.ts for the rules).
   */
  async campaignReport(scope: CampaignReportScope): Promise<CampaignReport> {
    const surveyIds = scope.waves.map((w) => w.surveyId);
    const [participation, counts, options] = await Promise.all([
      this.reports.waveParticipation(surveyIds),
      this.reports.waveQuestionCounts(surveyIds),
      this.reports.waveOptionCounts(surveyIds),
    ]);
    return assembleCampaignReport(scope, participation, counts, options);
  }

  /**
   * Where a report page opens when no day is asked for: the start of the newest closed bucket
   * (of the last TREND_BUCKETS before today's) in which a team of the scope has a shown iNPS
   * from pulses, under the same rollups and visibility rule as the pages (so the choice tells
   * nothing the trend, sparklines and previous/next links do not already show); the last closed
   * bucket when none has. The scope is a team's subtree (team page) or the teams the caller may
   * see (overview; 'all' includes the whole organisation). One statement.
   */
  async landing(
    scope: { team: string } | { visible: 'all' | Set<string> },
    grain: Grain,
    today = new Date().toISOString().slice(0, 10),
  ): Promise<string> {
    const current = bucketStart(today, grain);
    const lastClosed = addBuckets(current, grain, -1);
    const all = await this.tree.teamList();
    let ids: string[];
    if ('team' in scope) {
      const team = all.find((t) => t.slug === scope.team);
      if (!team) return lastClosed;
      ids = subtreeIds(all, team.id);
    } else if (scope.visible === 'all') {
      ids = [ORGANISATION, ...all.map((t) => t.id)];
    } else {
      const visible = scope.visible;
      ids = all.filter((t) => visible.has(t.id)).map((t) => t.id);
    }
    if (ids.length === 0) return lastClosed;
    const from = addBuckets(current, grain, -TREND_BUCKETS);
    const rollup = await this.tree.rollups(all, { grain, from, to: current });
    for (let bucket = lastClosed; bucket >= from; bucket = addBuckets(bucket, grain, -1)) {
      const shown = rollup.visible(bucket);
      if (ids.some((id) => shown.has(id) && rollup.counts(id, bucket).n > 0)) return bucket;
    }
    return lastClosed;
  }

  /** A team's page: its report and the part after tickets, for one scope. */
  async teamPage(
    slug: string,
    grain: Grain,
    at: string,
  ): Promise<{
    report: TeamReport;
    tickets: TicketReport;
    reviews: ReviewReport;
    scope: ReportScope;
  }> {
    const scope = await this.tree.scope(slug, grain, at);
    const [report, tickets, reviews] = await Promise.all([
      this.teamReports.build(scope),
      this.ticketReports.build(scope),
      this.reviewReports.build(scope),
    ]);
    // The scope goes back with its memo, so the page's other parts (drivers) reuse its statements.
    return { report, tickets, reviews, scope };
  }

  async teamReport(slug: string, grain: Grain, at: string): Promise<TeamReport> {
    return this.teamReports.build(await this.tree.scope(slug, grain, at));
  }

  /** The "anonymous reviews" part of a team's page for one calendar period (see ReviewReport). */
  async reviewReport(slug: string, grain: Grain, at: string): Promise<ReviewReport> {
    return this.reviewReports.build(await this.tree.scope(slug, grain, at));
  }

  /**
   * The service directory's satisfaction figures of a team for one calendar period: its iNPS
   * from pulses and after tickets, rolled up with its sub-teams, from the same rollups and under
   * the same visibility rule as the team's report (so it is shown exactly when, and as, the
   * report shows it), after-ticket results only once the period has closed. One statement.
   */
  async directorySatisfaction(
    slug: string,
    grain: Grain,
    at: string,
  ): Promise<{ period: TeamReport['period']; pulse: Cell<Nps>; ticket: Cell<Nps> }> {
    const { all, team, start, end, range, memo } = await this.tree.scope(slug, grain, at);
    const [pulse, ticket] = await Promise.all([
      this.tree.rollups(all, range, 'pulse', memo),
      this.tree.rollups(all, range, 'ticket', memo),
    ]);
    return {
      period: this.tree.period(grain, start, end),
      pulse: pulse.nps(team.id, start),
      ticket: whenClosed(end, () => ticket.nps(team.id, start)),
    };
  }

  /** The "after tickets" part of a team's page for one calendar period (see TicketReport). */
  async ticketReport(slug: string, grain: Grain, at: string): Promise<TicketReport> {
    return this.ticketReports.build(await this.tree.scope(slug, grain, at));
  }
}
