import { randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  assembleCampaignReport,
  type CampaignReport,
  type CampaignReportScope,
} from './campaign-report';
import { type Cell, type Nps, ORGANISATION, periodClosed, whenClosed } from './anonymity';
import {
  type DriverReport,
  DriverReportService,
  type SharedDriverReport,
} from './driver-report.service';
import { etagOf, ReportCache, teamsFingerprint } from './report-cache';
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
import { SPARK_BUCKETS, TREND_BUCKETS } from './report-types';
import { ReviewReportService } from './review-report.service';
import { ReportsRepository } from './reports.repository';
import { TeamReportService } from './team-report.service';
import { TicketReportService } from './ticket-report.service';

export * from './report-types';

/** A result, and whether the representation sent may carry an ETag (a closed period's). */
export interface Tagged<T> {
  value: T;
  /**
   * Non-null for a closed period: the caller tags the representation it sends with a hash of it
   * (conditional.ts, representationTag); null: an open period, no ETag.
   */
  etag: string | null;
  /** The report cache's key of the value (null: an open period). */
  key?: string | null;
}

/**
 * What one load of a closed period keeps under its key (one snapshot: the figures, what drives
 * them with its texts in every language, and the displayed comment samples, each shown in a new
 * random order).
 */
interface PageFigures {
  report: TeamReport;
  tickets: TicketReport;
  reviews: ReviewReport;
  /** What drives the score, with its question texts in every language (shown per page's). */
  drivers: SharedDriverReport;
}

/** The displayed comment sample in a new random order (the sample itself is the period's). */
function reshuffled<T extends { comments: Cell<{ texts: string[]; shown: number }> }>(part: T): T {
  if (part.comments.withheld || part.comments.texts.length < 2) return part;
  const texts = [...part.comments.texts];
  for (let i = texts.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [texts[i], texts[j]] = [texts[j], texts[i]];
  }
  return { ...part, comments: { ...part.comments, texts } };
}
export { subtreeIds } from './report-tree.service';

function reviewsReshuffled(reviews: ReviewReport): ReviewReport {
  return { ...reviews, questions: reviews.questions.map(reshuffled) };
}

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
    private readonly driverReports: DriverReportService,
    private readonly cache: ReportCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get k(): number {
    return this.tree.k;
  }

  /**
   * Every team the caller may see, each rolled up with its sub-teams: iNPS of the period, change
   * since the previous one, distance to target, a sparkline, and a teams × questions heatmap.
   * A sub-team listed with its parent follows the same differencing rule as on the team page.
   */
  async overview(
    visible: 'all' | Set<string>,
    grain: Grain,
    at: string,
    sort: OverviewSort,
    descending: boolean,
  ): Promise<Overview> {
    return (await this.overviewWithTag(visible, grain, at, sort, descending)).value;
  }

  /**
   * The overview and its ETag (null: an open period, or the cache off). A closed period's comes
   * from the report cache, keyed by the exact set of teams shown: people who see the same teams
   * share it, nobody gets a team they may not see.
   */
  async overviewWithTag(
    visible: 'all' | Set<string>,
    grain: Grain,
    at: string,
    sort: OverviewSort,
    descending: boolean,
  ): Promise<Tagged<Overview>> {
    const all = await this.tree.teamList();
    const start = bucketStart(at, grain);
    const end = addBuckets(start, grain, 1);
    const load = () => this.overviews.overview(visible, grain, at, sort, descending, all);
    if (!periodClosed(end)) return { value: await load(), etag: null, key: null };
    const version = await this.reports.changeVersion(
      addBuckets(start, grain, 1 - SPARK_BUCKETS),
      end,
    );
    const seen =
      visible === 'all'
        ? 'all'
        : etagOf(...[...visible].filter((id) => all.some((t) => t.id === id)).sort());
    const key = `overview ${seen} ${grain} ${start} ${sort} ${descending} ${this.versionKey(version, all)}`;
    return { value: await this.cache.through(key, load), etag: key, key };
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

  /**
   * A team's page: its report, the parts after tickets and of anonymous reviews, and what drives
   * the score (in `locale`), for one scope. A closed period's come from the report cache, then
   * get their live parts: comment samples (texts are never kept) and the service standards.
   */
  async teamPage<T>(
    slug: string,
    grain: Grain,
    at: string,
    locale: string,
    /** The page's own live parts (actions, comments), read in the same round as these. */
    alongside: (report: TeamReport, scope: ReportScope) => Promise<T>,
  ): Promise<{
    report: TeamReport;
    tickets: TicketReport;
    reviews: ReviewReport;
    drivers: DriverReport;
    scope: ReportScope;
    alongside: T;
    /** The report cache's key of the page's figures; null: read live (open period, cache off). */
    cacheKey: string | null;
  }> {
    const { scope, key: closed } = await this.scopeAndKey(slug, grain, at, this.cache.enabled);
    const key = this.cache.enabled ? closed : null;
    if (key === null) {
      const [report, tickets, reviews] = await Promise.all([
        this.teamReports.build(scope),
        this.ticketReports.build(scope),
        this.reviewReports.build(scope),
      ]);
      // Drivers reuse the report's statements (the scope's memo).
      const [drivers, extra] = await Promise.all([
        this.driverReports.build(scope, locale),
        alongside(report, scope),
      ]);
      return { report, tickets, reviews, drivers, scope, alongside: extra, cacheKey: null };
    }
    // From memory (after the first view, one load for all its parts, drivers in every
    // language among them), then the live statements.
    const figures = await this.figures(scope, key);
    const drivers = this.driverReports.localize(figures.drivers, locale);
    const [tickets, extra] = await Promise.all([
      this.ticketsLive(scope, figures.tickets),
      alongside(figures.report, scope),
    ]);
    return {
      report: reshuffled(figures.report),
      tickets,
      reviews: reviewsReshuffled(figures.reviews),
      drivers,
      scope,
      alongside: extra,
      cacheKey: key,
    };
  }

  async teamReport(slug: string, grain: Grain, at: string): Promise<TeamReport> {
    return (await this.teamReportWithTag(slug, grain, at)).value;
  }

  /**
   * A team's report and whether it is a closed period's (`etag` non-null: the caller tags the
   * representation it sends; null: an open period, no ETag).
   */
  async teamReportWithTag(slug: string, grain: Grain, at: string): Promise<Tagged<TeamReport>> {
    const { scope, key } = await this.scopeAndKey(slug, grain, at);
    if (key === null || !this.cache.enabled)
      return { value: await this.teamReports.build(scope), etag: key, key };
    return { value: reshuffled((await this.figures(scope, key)).report), etag: key, key };
  }

  /** The "anonymous reviews" part of a team's page for one calendar period (see ReviewReport). */
  async reviewReport(slug: string, grain: Grain, at: string): Promise<ReviewReport> {
    return (await this.reviewReportWithTag(slug, grain, at)).value;
  }

  async reviewReportWithTag(slug: string, grain: Grain, at: string): Promise<Tagged<ReviewReport>> {
    const { scope, key } = await this.scopeAndKey(slug, grain, at);
    if (key === null || !this.cache.enabled)
      return { value: await this.reviewReports.build(scope), etag: key, key };
    return { value: reviewsReshuffled((await this.figures(scope, key)).reviews), etag: key, key };
  }

  /**
   * The scope of a team's page and the cache key of its closed period: its team and period, the
   * version of the rollups over the days its trend covers (read where the report reads, at the
   * same time as the team tree), the team tree, k and the comment threshold. Null for a period
   * still open (or when `wanted` is false: no version read).
   */
  private async scopeAndKey(
    slug: string,
    grain: Grain,
    at: string,
    wanted = true,
  ): Promise<{ scope: ReportScope; key: string | null }> {
    const start = bucketStart(at, grain);
    const end = addBuckets(start, grain, 1);
    const closed = wanted && periodClosed(end);
    const [scope, version] = await Promise.all([
      this.tree.scope(slug, grain, at),
      closed ? this.reports.changeVersion(addBuckets(start, grain, 1 - TREND_BUCKETS), end) : null,
    ]);
    if (version === null) return { scope, key: null };
    return {
      scope,
      key: `${scope.team.id} ${scope.grain} ${scope.start} ${this.versionKey(version, scope.all)}`,
    };
  }

  private versionKey(version: string, all: ReportScope['all']): string {
    return `v${version} t${teamsFingerprint(all)} k${this.k}/${this.config.commentThreshold}`;
  }

  /**
   * Everything a closed period's page shows but the live parts, in one load per key, so a page's
   * parts are one snapshot: the report, the parts after tickets and of reviews, what drives the
   * score (built once, its texts in every language), and the comment samples those builds drew (kept in memory only, like the figures, for
   * whoever may see the team: they are what its page shows anyway).
   */
  private figures(scope: ReportScope, key: string): Promise<PageFigures> {
    return this.cache.through(`figures ${key}`, async () => {
      const [report, tickets, reviews, drivers] = await Promise.all([
        this.teamReports.build(scope),
        this.ticketReports.build(scope),
        this.reviewReports.build(scope),
        // Drivers reuse the report's statements (the scope's memo); their texts in every language.
        this.driverReports.buildShared(scope),
      ]);
      return { report, tickets, reviews, drivers };
    });
  }

  /** The cached part after tickets with the live service standards (they change with any webhook). */
  private async ticketsLive(scope: ReportScope, cached: TicketReport): Promise<TicketReport> {
    return { ...reshuffled(cached), ...(await this.ticketReports.standards(scope)) };
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
