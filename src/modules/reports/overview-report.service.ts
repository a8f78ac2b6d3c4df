import { Injectable } from '@nestjs/common';
import { guard, WITHHELD } from './anonymity';
import { addBuckets, bucketStart, type Grain } from './periods';
import { type Overview, type OverviewRow, type OverviewSort, SPARK_BUCKETS } from './report-types';
import { ReportTreeService, type Team } from './report-tree.service';
import { compareNps } from './significance';
import { TeamsService } from '../teams/teams.service';

/** The overview of every team the caller may see (see ReportsService, which pages call). */
@Injectable()
export class OverviewReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly teams: TeamsService,
  ) {}

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
    known?: Team[],
  ): Promise<Overview> {
    const k = this.tree.k;
    const all = known ?? (await this.teams.reportTree());
    const teams = all.filter((t) => visible === 'all' || visible.has(t.id));
    const start = bucketStart(at, grain);
    const end = addBuckets(start, grain, 1);
    const previous = addBuckets(start, grain, -1);
    const sparkFrom = addBuckets(start, grain, 1 - SPARK_BUCKETS);
    const [rollup, perQuestion] = await Promise.all([
      this.tree.rollups(all, { grain, from: sparkFrom, to: end }),
      this.tree.questionRollups(all, { grain, from: start, to: end }),
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
        changeDetail: compareNps(value, before) ?? null,
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
      period: this.tree.period(grain, start, end),
      rows,
      questions: scored
        .filter((q) => rows.some((r) => r.questions[q.id] !== undefined))
        .map((q) => ({
          id: q.id,
          text: q.text[locale] ?? Object.values(q.text)[0] ?? '',
          texts: q.text,
          type: q.type,
          source: {
            kind: q.campaign === null ? ('pulse' as const) : ('campaign' as const),
            name: q.campaign,
          },
        })),
    };
  }
}
