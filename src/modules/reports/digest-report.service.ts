import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { type Cell, guard, type Nps } from './anonymity';
import { addBuckets, bucketStart, type Grain } from './periods';
import { ReportTreeService, subtreeIds } from './report-tree.service';
import { ReportsRepository } from './reports.repository';
import { type Change, compareNps } from './significance';

/** One team's figures of a closed period, as its team page shows them. */
export interface DigestTeamFigures {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  /** iNPS of the period (rolled up with sub-teams), with its interval; withheld below k. */
  nps: Cell<Nps>;
  /** Change since the previous period; only when both are shown (significance.ts). */
  change: Change | undefined;
  responseRate: Cell<{ invited: number; rate: number }>;
  /** Comments of the period: only their count, under the comment threshold. */
  comments: Cell<{ count: number }>;
}

export interface DigestFigures {
  k: number;
  grain: Grain;
  start: string;
  end: string;
  previous: string;
  teams: DigestTeamFigures[];
}

/** Queries of the response rate in flight at once (one per team). */
const RATE_CONCURRENCY = 8;

/**
 * The figures of the weekly digest and its alerts, for every team at once: the same rollups,
 * tree rule, thresholds and response-rate query as the team page (TeamReportService), so a mail
 * never shows a number the page withholds, nor a different one. Callers pick the teams a
 * person may see; the rule is applied to the whole tree, whoever reads.
 */
@Injectable()
export class DigestReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly reports: ReportsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The figures of the period of `grain` holding `at` (meant for a closed one), every team.
   * Without `responseRates` (alerts need none) every rate is withheld and none is queried.
   */
  async figures(
    grain: Grain,
    at: string,
    options: { responseRates?: boolean } = {},
  ): Promise<DigestFigures> {
    const k = this.tree.k;
    const all = await this.tree.teamList();
    const start = bucketStart(at, grain);
    const end = addBuckets(start, grain, 1);
    const previous = addBuckets(start, grain, -1);
    const range = { grain, from: start, to: end };
    const memo = new Map<string, Promise<unknown>>();
    const [rollup, perQuestion] = await Promise.all([
      this.tree.rollups(all, { grain, from: previous, to: end }, 'pulse', memo),
      this.tree.questionRollups(all, range, 'pulse', memo),
    ]);
    const shown = rollup.visible(start);
    const textQuestions = perQuestion.questions.filter((q) => q.type === 'text');
    // Response rates only of teams whose period is shown: the others are withheld anyway.
    const rates = new Map<string, { invited: number; answered: number }>();
    const wanted = options.responseRates === false ? [] : all.filter((t) => shown.has(t.id));
    for (let i = 0; i < wanted.length; i += RATE_CONCURRENCY) {
      await Promise.all(
        wanted.slice(i, i + RATE_CONCURRENCY).map(async (t) => {
          rates.set(t.id, await this.reports.responseRate(subtreeIds(all, t.id), range));
        }),
      );
    }
    const teams = all.map((team): DigestTeamFigures => {
      const visible = shown.has(team.id);
      const current = rollup.nps(team.id, start);
      const rate = rates.get(team.id) ?? { invited: 0, answered: 0 };
      const commentCount = textQuestions.reduce(
        (total, q) => total + perQuestion.counts(q.id, team.id).n,
        0,
      );
      const commentsShown =
        visible && textQuestions.some((q) => perQuestion.visible(q.id).has(team.id));
      return {
        id: team.id,
        slug: team.slug,
        name: team.name,
        parentId: team.parentId,
        nps: current,
        change: compareNps(current, rollup.nps(team.id, previous)),
        responseRate: guard(rates.has(team.id) ? rate.answered : 0, k, () => ({
          invited: rate.invited,
          rate: rate.invited > 0 ? Math.round((1000 * rate.answered) / rate.invited) / 10 : 0,
        })),
        comments: guard(commentsShown ? commentCount : 0, this.config.commentThreshold, () => ({
          count: commentCount,
        })),
      };
    });
    return { k, grain, start, end, previous, teams };
  }
}
