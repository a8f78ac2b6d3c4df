import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { guard, ORGANISATION, WITHHELD } from './anonymity';
import { addBuckets, bucketLabel } from './periods';
import { COMMENTS_SHOWN, TREND_BUCKETS, type TeamReport } from './report-types';
import { compareNps } from './significance';
import { ReportTreeService, type ReportScope, subtreeIds } from './report-tree.service';
import { ReportsRepository } from './reports.repository';

/** A team's report of pulse surveys for one period (see ReportsService, which pages call). */
@Injectable()
export class TeamReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly reports: ReportsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(scope: ReportScope): Promise<TeamReport> {
    const { all, team, grain, start, end, range, subtree, trendFrom, memo } = scope;
    const k = this.tree.k;
    // Every statement in one round: the comment sample and the segments are read whether or not
    // they will be shown (they usually are), rather than waiting for the visibility rule first.
    const [rollup, perQuestion, distribution, options, rate, sample, segmentRows] =
      await Promise.all([
        this.tree.rollups(all, { grain, from: trendFrom, to: end }, 'pulse', memo),
        this.tree.questionRollups(all, range, 'pulse', memo),
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
    const previous = addBuckets(start, grain, -1);
    // Both periods' figures are in the rollup (the trend's buckets end with this one).
    const change = (id: string) =>
      compareNps(rollup.nps(id, start), rollup.nps(id, previous)) ?? null;
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
    const breakdowns = this.tree.breakdowns(
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
      period: this.tree.period(grain, start, end),
      headline: rollup.nps(team.id, start),
      change: change(team.id),
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
            texts: q.text,
            source: { kind: q.campaign === null ? 'pulse' : 'campaign', name: q.campaign },
            result: guard(allowed ? counts.n : 0, k, () => ({
              mean:
                q.type === 'rating' || q.type === 'ces'
                  ? Math.round((counts.mean ?? 0) * 100) / 100
                  : null,
              csat: q.type === 'rating' ? Math.round((1000 * counts.top2) / counts.n) / 10 : null,
              options: (q.options ?? []).map((o) => ({
                key: o.key,
                label: o.label[locale] ?? Object.values(o.label)[0] ?? o.key,
                labels: o.label,
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
        change: change(c.id),
      })),
      comparison,
      breakdowns,
    };
  }
}
