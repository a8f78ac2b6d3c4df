import { ReadDatabase } from '../../database/read-database';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ServiceTeam } from '../teams/entities/service-team.entity';
import { TeamErrors } from '../teams/teams.errors';
import { TeamsService } from '../teams/teams.service';
import {
  type Cell,
  foldWithRest,
  guardNps,
  type Nps,
  type NpsCounts,
  ORGANISATION,
  visibleTeams,
  WITHHELD,
} from './anonymity';
import { addBuckets, bucketLabel, bucketStart, type Grain } from './periods';
import { type Range, ReportsRepository, type Segment, type Source } from './reports.repository';
import { TREND_BUCKETS, type TeamReport } from './report-types';

export type Team = ServiceTeam & { depth: number };

const EMPTY: NpsCounts = { n: 0, promoters: 0, passives: 0, detractors: 0 };

/**
 * Statements already asked for while building one page, by what they were asked, and what was
 * built from them (rollups): one memo serves one team tree, the scope's.
 */
export type Memo = Map<string, Promise<unknown>>;

/** `load()` once per key within `memo` (a page's parts share their statements); always without one. */
export function once<T>(memo: Memo | undefined, key: string, load: () => Promise<T>): Promise<T> {
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

/** The team, its tree and the calendar period a team's report is about (ReportTreeService.scope). */
export type ReportScope = Awaited<ReturnType<ReportTreeService['scope']>>;

/**
 * What every report is built from: the team tree, the calendar period, and the rollups of the
 * whole tree with the visibility rule (anonymity.ts) applied — shared by the overview, the team
 * report and the part after tickets, so they apply one rule.
 */
@Injectable()
export class ReportTreeService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly teams: TeamsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly read: ReadDatabase,
  ) {}

  get k(): number {
    return this.config.reportingThreshold;
  }

  period(grain: Grain, start: string, end: string): TeamReport['period'] {
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
  rollups(all: Team[], range: Range, source: Source = 'pulse', memo?: Memo) {
    // Built once a page (its parts ask for the same ones; a memo holds one team tree).
    return once(memo, `rollup ${source} ${range.grain} ${range.from} ${range.to}`, () =>
      this.buildRollups(all, range, source, memo),
    );
  }

  private async buildRollups(all: Team[], range: Range, source: Source, memo?: Memo) {
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
  questionRollups(all: Team[], range: Range, source: Source = 'pulse', memo?: Memo) {
    return once(memo, `question rollup ${source} ${range.grain} ${range.from} ${range.to}`, () =>
      this.buildQuestionRollups(all, range, source, memo),
    );
  }

  private async buildQuestionRollups(all: Team[], range: Range, source: Source, memo?: Memo) {
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
  breakdowns(
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
  breakdownOf(
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

  /** Every team, in tree order with its depth. */
  teamList(): Promise<Team[]> {
    return this.teams.reportTree();
  }

  /** The team, its tree and the calendar period a team's report is about. */
  async scope(slug: string, grain: Grain, at: string) {
    let all = await this.teams.reportTree();
    let team = all.find((t) => t.slug === slug);
    if (!team && this.read.pinnedTo() === 'replica') {
      // A team just made or renamed may not have reached the replica yet: the rest of the
      // request reads from the primary, tree and figures alike, before a 404.
      this.read.pinToPrimary();
      all = await this.teams.reportTree();
      team = all.find((t) => t.slug === slug);
    }
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
}

/** A team and every team below it. */
export function subtreeIds(all: Team[], rootId: string): string[] {
  const ids = [rootId];
  for (let i = 0; i < ids.length; i++) {
    for (const t of all) if (t.parentId === ids[i]) ids.push(t.id);
  }
  return ids;
}
