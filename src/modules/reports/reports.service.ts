import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ServiceTeam } from '../teams/entities/service-team.entity';
import { TeamErrors } from '../teams/teams.errors';
import { TeamsService } from '../teams/teams.service';
import {
  type Cell,
  foldWithRest,
  guard,
  guardNps,
  type Nps,
  type NpsCounts,
  ORGANISATION,
  periodClosed,
  visibleTeams,
  whenClosed,
  WITHHELD,
} from './anonymity';
import { RESOLUTION_BANDS } from '../tickets/ticket-rules';
import { TicketsService } from '../tickets/tickets.service';
import {
  assembleCampaignReport,
  type CampaignReport,
  type CampaignReportScope,
} from './campaign-report';
import { addBuckets, bucketLabel, bucketStart, type Grain } from './periods';
import { type Range, ReportsRepository, type Segment, type Source } from './reports.repository';

export const TREND_BUCKETS = 12;
export const COMMENTS_SHOWN = 30;

type Team = ServiceTeam & { depth: number };

export interface TeamReport {
  team: { slug: string; name: string; npsTarget: number | null; csatTarget: number | null };
  k: number;
  period: {
    grain: Grain;
    start: string;
    end: string;
    label: string;
    previous: string;
    next: string | null;
  };
  headline: Cell<Nps>;
  /**
   * Participation of the pulse surveys about the team released in the period, each whole and
   * only when at least its k answered (n: how many answered); withheld below k.
   */
  responseRate: Cell<{ invited: number; rate: number }>;
  trend: { bucket: string; label: string; value: Cell<Nps> }[];
  distribution: Cell<{
    scores: { score: number; n: number; group: 'detractor' | 'passive' | 'promoter' }[];
  }>;
  questions: {
    id: string;
    type: string;
    text: string;
    result: Cell<{
      mean: number | null;
      csat: number | null;
      options: { key: string; label: string; n: number }[];
    }>;
  }[];
  comments: Cell<{ texts: string[]; shown: number }>;
  subTeams: { slug: string; name: string; value: Cell<Nps> }[];
  /** By respondent segment; small groups folded into "Other". Never applied to comments. */
  breakdowns: {
    segment: string;
    label: string;
    /** True when sub-teams show this breakdown instead (a segment is broken down once per path). */
    onSubTeams: boolean;
    groups: { label: string; value: Cell<Nps> }[];
  }[];
  comparison: { label: string; value: Cell<Nps> }[];
}

const EMPTY: NpsCounts = { n: 0, promoters: 0, passives: 0, detractors: 0 };

type ReportScope = Awaited<ReturnType<ReportsService['scope']>>;

/** Statements already asked for while building one page, by what they were asked. */
type Memo = Map<string, Promise<unknown>>;

/** `load()` once per key within `memo` (a page's parts share their statements); always without one. */
function once<T>(memo: Memo | undefined, key: string, load: () => Promise<T>): Promise<T> {
  if (!memo) return load();
  let promise = memo.get(key) as Promise<T> | undefined;
  if (!promise) memo.set(key, (promise = load()));
  return promise;
}

/** Rows by `outer(row)`, then by their group key: lookups without building string keys. */
function nest<R extends { key: string }>(rows: R[], outer: (row: R) => string) {
  const map = new Map<string, Map<string, R>>();
  for (const row of rows) {
    const o = outer(row);
    let inner = map.get(o);
    if (!inner) map.set(o, (inner = new Map()));
    inner.set(row.key, row);
  }
  return map;
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
    private readonly teams: TeamsService,
    private readonly tickets: TicketsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get k(): number {
    return this.config.reportingThreshold;
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
    const k = this.k;
    const all = await this.teams.list();
    const teams = all.filter((t) => visible === 'all' || visible.has(t.id));
    const start = bucketStart(at, grain);
    const end = addBuckets(start, grain, 1);
    const previous = addBuckets(start, grain, -1);
    const sparkFrom = addBuckets(start, grain, 1 - SPARK_BUCKETS);
    const [rollup, perQuestion] = await Promise.all([
      this.rollups(all, { grain, from: sparkFrom, to: end }),
      this.questionRollups(all, { grain, from: start, to: end }),
    ]);
    const scored = perQuestion.questions.filter((q) => q.type === 'rating' || q.type === 'ces');

    const sparkBuckets = Array.from({ length: SPARK_BUCKETS }, (_, i) =>
      addBuckets(sparkFrom, grain, i),
    );
    const rows: OverviewRow[] = teams.map((t) => {
      const value = rollup.nps(t.id, start);
      const before = rollup.nps(t.id, previous);
      const cells: OverviewRow['questions'] = {};
      for (const q of scored) {
        const counts = perQuestion.counts(q.id, t.id);
        if (counts.n === 0) continue;
        cells[q.id] =
          value.withheld || !perQuestion.visible(q.id).has(t.id)
            ? WITHHELD
            : guard(counts.n, k, () => ({
                value:
                  q.type === 'rating'
                    ? Math.round((1000 * counts.top2) / counts.n) / 10
                    : Math.round((counts.mean ?? 0) * 100) / 100,
              }));
      }
      return {
        slug: t.slug,
        name: t.name,
        depth: t.depth,
        value,
        change:
          !value.withheld && !before.withheld
            ? Math.round((value.nps - before.nps) * 10) / 10
            : null,
        target: t.npsTarget,
        toTarget:
          !value.withheld && t.npsTarget !== null
            ? Math.round((value.nps - t.npsTarget) * 10) / 10
            : null,
        spark: sparkBuckets.map((bucket) => rollup.nps(t.id, bucket)),
        questions: cells,
      };
    });
    if (sort !== 'name') {
      const key = (r: OverviewRow): number | null =>
        sort === 'nps' || sort === 'n'
          ? r.value.withheld
            ? null
            : sort === 'nps'
              ? r.value.nps
              : r.value.n
          : sort === 'change'
            ? r.change
            : r.toTarget;
      rows.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // withheld last
        return descending ? y - x : x - y;
      });
    } else if (descending) rows.reverse();
    const locale = 'en';
    return {
      k,
      period: this.period(grain, start, end),
      rows,
      questions: scored
        .filter((q) => rows.some((r) => r.questions[q.id] !== undefined))
        .map((q) => ({
          id: q.id,
          text: q.text[locale] ?? Object.values(q.text)[0] ?? '',
          type: q.type,
        })),
    };
  }

  private period(grain: Grain, start: string, end: string): TeamReport['period'] {
    return {
      grain,
      start,
      end,
      label: bucketLabel(start, grain),
      previous: addBuckets(start, grain, -1),
      next: end <= new Date().toISOString().slice(0, 10) ? end : null,
    };
  }

  /**
   * iNPS counts of every team (rolled up with its sub-teams) and of the organisation, per
   * bucket, with which of them may be shown in each bucket (anonymity.visibleTeams). Always for
   * the whole tree, whoever asks: what one person cannot see, another can, and pages are read
   * side by side.
   */
  private async rollups(all: Team[], range: Range, source: Source = 'pulse', memo?: Memo) {
    const rows = (
      await once(memo, `nps ${range.grain} ${range.from} ${range.to}`, () =>
        this.reports.npsByTreeAndBucket(range),
      )
    ).filter((r) => r.source === source);
    const byBucket = nest(rows, (r) => r.bucket);
    const counts = (key: string, bucket: string): NpsCounts =>
      byBucket.get(bucket)?.get(key) ?? EMPTY;
    const cache = new Map<string, Set<string>>();
    const visible = (bucket: string): Set<string> => {
      const known = cache.get(bucket);
      if (known) return known;
      const set = visibleTeams(
        all,
        (id: string) => counts(id, bucket).n,
        counts(ORGANISATION, bucket).n,
        this.k,
      );
      cache.set(bucket, set);
      return set;
    };
    /** The figures of `key` in `bucket`, or withheld. */
    const nps = (key: string, bucket: string): Cell<Nps> =>
      visible(bucket).has(key) ? guardNps(counts(key, bucket), this.k) : WITHHELD;
    return { counts, visible, nps };
  }

  /**
   * Per question, the counts of every team (rolled up) and of the organisation in one period,
   * and which teams may show that question: the tree rule applied to the question's own counts
   * (an optional question has fewer answers than the iNPS, so its leftovers differ). Comments
   * (text questions) use the comment threshold.
   */
  private async questionRollups(all: Team[], range: Range, source: Source = 'pulse', memo?: Memo) {
    const key = `${range.grain} ${range.from} ${range.to}`;
    const [allRows, questions] = await Promise.all([
      once(memo, `counts ${key}`, () => this.reports.questionCountsByTree(range)),
      once(memo, `questions ${key}`, () => this.reports.questionsInPeriod(range)),
    ]);
    const byQuestion = nest(
      allRows.filter((r) => r.source === source),
      (r) => r.question_id,
    );
    const counts = (questionId: string, key: string) =>
      byQuestion.get(questionId)?.get(key) ?? { n: 0, top2: 0, mean: null };
    const cache = new Map<string, Set<string>>();
    const visible = (questionId: string): Set<string> => {
      let set = cache.get(questionId);
      if (!set) {
        const type = questions.find((q) => q.id === questionId)?.type;
        set = visibleTeams(
          all,
          (id) => counts(questionId, id).n,
          counts(questionId, ORGANISATION).n,
          type === 'text' ? this.config.commentThreshold : this.k,
        );
        cache.set(questionId, set);
      }
      return set;
    };
    return { questions, counts, visible };
  }

  /**
   * Breakdowns by respondent segment for `team`. Small groups fold into "Other" (foldSegments).
   * Across the tree, a segment is broken down at most once on any path from the organisation to
   * a team: a team shows a breakdown only when none of its sub-teams shows one, so no breakdown
   * can be subtracted from another. Sub-teams come first: they are the finer view.
   */
  private breakdowns(
    all: Team[],
    team: Team,
    rows: (NpsCounts & { key: string; dimension: Segment; value: string })[],
    shown: (id: string) => boolean,
    totals: (id: string) => NpsCounts,
  ): TeamReport['breakdowns'] {
    const segments = [
      ['department', 'Department'],
      ['location', 'Location'],
      ['tenure_band', 'Tenure'],
    ] as const;
    return segments.map(([segment, label]) => ({
      segment,
      label,
      ...this.breakdownOf(
        all,
        team,
        rows.filter((r) => r.dimension === segment),
        shown,
        totals,
      ),
    }));
  }

  /**
   * One breakdown of `team` from the counts of each team of its subtree (rolled up, keyed by
   * team id) per value its releases named, and the rest of the team's total (`totals`: what no
   * release named): folded as foldSegments does — the rest always in "Other" — and shown on the
   * team only when none of its sub-teams shows it (see breakdowns).
   */
  private breakdownOf(
    all: Team[],
    team: Team,
    rows: (NpsCounts & { key: string; value: string })[],
    shown: (id: string) => boolean,
    totals: (id: string) => NpsCounts,
  ): { onSubTeams: boolean; groups: { label: string; value: Cell<Nps> }[] } {
    const members = subtreeIds(all, team.id);
    const foldOf = (id: string) => {
      const named = rows.filter((r) => r.key === id).map((r) => ({ ...r, key: r.value }));
      const total = totals(id);
      const sum = (key: keyof NpsCounts) => named.reduce((s, g) => s + g[key], 0);
      const rest = {
        key: 'rest',
        value: 'rest',
        n: total.n - sum('n'),
        promoters: total.promoters - sum('promoters'),
        passives: total.passives - sum('passives'),
        detractors: total.detractors - sum('detractors'),
      };
      return foldWithRest(named, rest, this.k);
    };
    const folded = new Map(
      members.map((id) => [id, shown(id) ? foldOf(id) : { shown: [], other: [] }]),
    );
    const breaksDown = (id: string) => (folded.get(id)?.shown.length ?? 0) > 0;
    const belowShows = members.slice(1).some((id) => breaksDown(id));
    // "Other" alone would only repeat the team's total, so a breakdown needs one named group.
    const { shown: groupsShown, other } =
      belowShows || !breaksDown(team.id)
        ? { shown: [], other: [] }
        : (folded.get(team.id) as ReturnType<typeof foldOf>);
    const sum = (key: keyof NpsCounts) => other.reduce((total, g) => total + g[key], 0);
    const otherCounts: NpsCounts = {
      n: sum('n'),
      promoters: sum('promoters'),
      passives: sum('passives'),
      detractors: sum('detractors'),
    };
    return {
      onSubTeams: belowShows,
      groups: [
        ...groupsShown.map((g) => ({ label: g.key, value: guardNps(g, this.k) })),
        ...(other.length > 0 ? [{ label: 'Other', value: guardNps(otherCounts, this.k) }] : []),
      ],
    };
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

  /** The team, its tree and the calendar period a team's report is about. */
  private async scope(slug: string, grain: Grain, at: string) {
    const all = await this.teams.list();
    const team = all.find((t) => t.slug === slug);
    if (!team) throw TeamErrors.notFound(slug);
    const start = bucketStart(at, grain);
    const end = addBuckets(start, grain, 1);
    return {
      all,
      team,
      grain,
      start,
      end,
      range: { grain, from: start, to: end } as Range,
      subtree: subtreeIds(all, team.id),
      trendFrom: addBuckets(start, grain, 1 - TREND_BUCKETS),
      memo: new Map() as Memo,
    };
  }

  /** A team's page: its report and the part after tickets, for one scope. */
  async teamPage(
    slug: string,
    grain: Grain,
    at: string,
  ): Promise<{ report: TeamReport; tickets: TicketReport }> {
    const scope = await this.scope(slug, grain, at);
    const [report, tickets] = await Promise.all([
      this.teamReportOf(scope),
      this.ticketReportOf(scope),
    ]);
    return { report, tickets };
  }

  async teamReport(slug: string, grain: Grain, at: string): Promise<TeamReport> {
    return this.teamReportOf(await this.scope(slug, grain, at));
  }

  private async teamReportOf(scope: ReportScope): Promise<TeamReport> {
    const { all, team, grain, start, end, range, subtree, trendFrom, memo } = scope;
    const k = this.k;
    // Every statement in one round: the comment sample and the segments are read whether or not
    // they will be shown (they usually are), rather than waiting for the visibility rule first.
    const [rollup, perQuestion, distribution, options, rate, sample, segmentRows] =
      await Promise.all([
        this.rollups(all, { grain, from: trendFrom, to: end }, 'pulse', memo),
        this.questionRollups(all, range, 'pulse', memo),
        this.reports.npsDistribution(subtree, range),
        this.reports.optionCountsByGroup({ [team.id]: subtree }, range),
        this.reports.responseRate(subtree, range),
        this.reports.commentSample(subtree, range, COMMENTS_SHOWN),
        this.reports.npsBySegmentAndGroup(
          Object.fromEntries(subtree.map((id) => [id, subtreeIds(all, id)])),
          range,
        ),
      ]);
    // Everything of the period is about the team's total: when that is withheld, so is the rest.
    const shown = rollup.visible(start).has(team.id);
    const n = shown ? rollup.counts(team.id, start).n : 0;
    const children = all.filter((t) => t.parentId === team.id);
    const parent = all.find((t) => t.id === team.parentId);
    const comparison: TeamReport['comparison'] = [];
    if (parent)
      comparison.push({
        label: parent.name,
        value: shown ? rollup.nps(parent.id, start) : WITHHELD,
      });
    comparison.push({
      label: 'Whole organisation',
      value: shown ? rollup.nps(ORGANISATION, start) : WITHHELD,
    });

    const textQuestions = perQuestion.questions.filter((q) => q.type === 'text');
    const commentCount = textQuestions.reduce(
      (total, q) => total + perQuestion.counts(q.id, team.id).n,
      0,
    );
    const commentsShown =
      shown && textQuestions.some((q) => perQuestion.visible(q.id).has(team.id));
    const texts =
      commentsShown && commentCount >= this.config.commentThreshold ? sample : ([] as string[]);
    const breakdowns = this.breakdowns(
      all,
      team,
      segmentRows,
      (id) => rollup.visible(start).has(id),
      (id) => rollup.counts(id, start),
    );

    const locale = 'en';
    return {
      team: {
        slug: team.slug,
        name: team.name,
        npsTarget: team.npsTarget,
        csatTarget: team.csatTarget,
      },
      k,
      period: this.period(grain, start, end),
      headline: rollup.nps(team.id, start),
      responseRate: guard(shown ? rate.answered : 0, k, () => ({
        invited: rate.invited,
        rate: rate.invited > 0 ? Math.round((1000 * rate.answered) / rate.invited) / 10 : 0,
      })),
      trend: Array.from({ length: TREND_BUCKETS }, (_, i) => {
        const bucket = addBuckets(trendFrom, grain, i);
        return { bucket, label: bucketLabel(bucket, grain), value: rollup.nps(team.id, bucket) };
      }),
      distribution: guard(n, k, () => ({
        scores: Array.from({ length: 11 }, (_, score) => ({
          score,
          n: distribution.find((d) => d.score === score)?.n ?? 0,
          group:
            score >= 9
              ? ('promoter' as const)
              : score >= 7
                ? ('passive' as const)
                : ('detractor' as const),
        })),
      })),
      questions: perQuestion.questions
        .filter((q) => ['rating', 'ces', 'single', 'multi'].includes(q.type))
        .filter((q) => perQuestion.counts(q.id, team.id).n > 0)
        .map((q) => {
          const counts = perQuestion.counts(q.id, team.id);
          const allowed = shown && perQuestion.visible(q.id).has(team.id);
          return {
            id: q.id,
            type: q.type,
            text: q.text[locale] ?? Object.values(q.text)[0] ?? '',
            result: guard(allowed ? counts.n : 0, k, () => ({
              mean:
                q.type === 'rating' || q.type === 'ces'
                  ? Math.round((counts.mean ?? 0) * 100) / 100
                  : null,
              csat: q.type === 'rating' ? Math.round((1000 * counts.top2) / counts.n) / 10 : null,
              options: (q.options ?? []).map((o) => ({
                key: o.key,
                label: o.label[locale] ?? Object.values(o.label)[0] ?? o.key,
                n: options.find((r) => r.question_id === q.id && r.option_key === o.key)?.n ?? 0,
              })),
            })),
          };
        }),
      comments: guard(commentsShown ? commentCount : 0, this.config.commentThreshold, () => ({
        texts,
        shown: texts.length,
      })),
      subTeams: children.map((c) => ({
        slug: c.slug,
        name: c.name,
        value: rollup.nps(c.id, start),
      })),
      comparison,
      breakdowns,
    };
  }

  /** The "after tickets" part of a team's page for one calendar period (see TicketReport). */
  async ticketReport(slug: string, grain: Grain, at: string): Promise<TicketReport> {
    return this.ticketReportOf(await this.scope(slug, grain, at));
  }

  private async ticketReportOf(scope: ReportScope): Promise<TicketReport> {
    const { all, team, grain, start, end, range, subtree, trendFrom, memo } = scope;
    const k = this.k;
    const members = Object.fromEntries(subtree.map((id) => [id, subtreeIds(all, id)]));
    const closed = periodClosed(end);

    const [tickets, pulses, perQuestion, bands, standards, hours] = await Promise.all([
      // The same statements as the pulse part's (12 buckets: the current one is among them).
      this.rollups(all, { grain, from: trendFrom, to: end }, 'ticket', memo),
      this.rollups(all, { grain, from: trendFrom, to: end }, 'pulse', memo),
      this.questionRollups(all, range, 'ticket', memo),
      closed ? this.reports.ticketNpsByBandAndGroup(members, range) : Promise.resolve([]),
      this.tickets.serviceStandards(subtree, range),
      this.tickets.busiestHours(subtree, range),
    ]);
    const ticketNps = (bucket: string) =>
      whenClosed(addBuckets(bucket, grain, 1), () => tickets.nps(team.id, bucket));
    const shown = (id: string) => closed && tickets.visible(start).has(id);

    const textQuestions = perQuestion.questions.filter((q) => q.type === 'text');
    const commentCount = textQuestions.reduce(
      (total, q) => total + perQuestion.counts(q.id, team.id).n,
      0,
    );
    const commentsShown =
      shown(team.id) && textQuestions.some((q) => perQuestion.visible(q.id).has(team.id));
    const texts =
      commentsShown && commentCount >= this.config.commentThreshold
        ? await this.reports.commentSample(subtree, range, COMMENTS_SHOWN, 'ticket')
        : [];
    const breakdown = this.breakdownOf(all, team, bands, shown, (id) => tickets.counts(id, start));
    const order = (label: string) => {
      const i = (RESOLUTION_BANDS as readonly string[]).indexOf(label);
      return i === -1 ? RESOLUTION_BANDS.length + (label === 'Other' ? 1 : 0) : i;
    };
    return {
      k,
      period: { ...this.period(grain, start, end), closed },
      sources: [
        { source: 'pulse', label: 'Pulse surveys', value: pulses.nps(team.id, start) },
        { source: 'ticket', label: 'After tickets', value: ticketNps(start) },
      ],
      trend: Array.from({ length: TREND_BUCKETS }, (_, i) => {
        const bucket = addBuckets(trendFrom, grain, i);
        return {
          bucket,
          label: bucketLabel(bucket, grain),
          closed: periodClosed(addBuckets(bucket, grain, 1)),
          value: ticketNps(bucket),
        };
      }),
      bands: {
        onSubTeams: breakdown.onSubTeams,
        groups: [...breakdown.groups].sort((a, b) => order(a.label) - order(b.label)),
      },
      comments: guard(commentsShown ? commentCount : 0, this.config.commentThreshold, () => ({
        texts,
        shown: texts.length,
      })),
      standards: {
        opened: standards.opened,
        responded: standards.responded,
        resolved: standards.resolved,
        firstResponse: {
          median: standards.firstResponseMedianMinutes,
          p90: standards.firstResponseP90Minutes,
          target: team.firstResponseTargetMinutes,
        },
        handling: {
          median: standards.handlingMedianMinutes,
          p90: standards.handlingP90Minutes,
          target: team.resolutionTargetMinutes,
        },
      },
      busiestHours: {
        timeZone: this.tickets.timeZone,
        max: Math.max(0, ...hours.map((h) => h.tickets)),
        cells: hours,
      },
    };
  }
}

/**
 * The "after tickets" part of a team page: iNPS of surveys after tickets beside the pulse iNPS,
 * its trend, by resolution-time band, and comments — each for calendar periods that have closed
 * and under the same rules as the rest (k, the tree rule, the comment threshold) — and the
 * service standards of the team's tickets (operational figures, no one's answers).
 */
export interface TicketReport {
  k: number;
  period: TeamReport['period'] & { closed: boolean };
  /** iNPS of the period from pulses and from surveys after tickets, side by side. */
  sources: { source: Source; label: string; value: Cell<Nps> }[];
  trend: { bucket: string; label: string; closed: boolean; value: Cell<Nps> }[];
  bands: { onSubTeams: boolean; groups: { label: string; value: Cell<Nps> }[] };
  comments: Cell<{ texts: string[]; shown: number }>;
  standards: {
    opened: number;
    responded: number;
    resolved: number;
    firstResponse: { median: number | null; p90: number | null; target: number | null };
    handling: { median: number | null; p90: number | null; target: number | null };
  };
  /** Tickets opened per weekday (1 = Monday) and hour, in `timeZone`. */
  busiestHours: {
    timeZone: string;
    max: number;
    cells: { weekday: number; hour: number; tickets: number }[];
  };
}

export const OVERVIEW_SORTS = ['name', 'nps', 'n', 'change', 'target'] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];
export const SPARK_BUCKETS = 8;

export interface OverviewRow {
  slug: string;
  name: string;
  depth: number;
  value: Cell<Nps>;
  /** Change since the previous bucket; only when both buckets are shown. */
  change: number | null;
  target: number | null;
  /** iNPS minus target; only when the value is shown and the team has a target. */
  toTarget: number | null;
  spark: Cell<Nps>[];
  questions: Record<string, Cell<{ value: number }>>;
}

export interface Overview {
  k: number;
  period: TeamReport['period'];
  rows: OverviewRow[];
  questions: { id: string; text: string; type: string }[];
}

/** A team and every team below it. */
export function subtreeIds(all: Team[], rootId: string): string[] {
  const ids = [rootId];
  for (let i = 0; i < ids.length; i++) {
    for (const t of all) if (t.parentId === ids[i]) ids.push(t.id);
  }
  return ids;
}
