import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { guard, periodClosed, whenClosed } from './anonymity';
import { addBuckets, bucketLabel } from './periods';
import { COMMENTS_SHOWN, TREND_BUCKETS, type ReviewReport } from './report-types';
import { ReportTreeService, type ReportScope } from './report-tree.service';
import { ReportsRepository } from './reports.repository';

/**
 * The anonymous reviews part of a team's page for one period (see ReviewReport): the same
 * rollups, tree rule, thresholds and closed-period rule as the part after tickets — reviews are
 * released per team and period like those answers, so a period shows once it has closed.
 */
@Injectable()
export class ReviewReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly reports: ReportsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(scope: ReportScope): Promise<ReviewReport> {
    const { all, team, grain, start, end, range, subtree, trendFrom, memo } = scope;
    const k = this.tree.k;
    const closed = periodClosed(end);
    const [reviews, perQuestion] = await Promise.all([
      this.tree.rollups(all, { grain, from: trendFrom, to: end }, 'review', memo),
      this.tree.questionRollups(all, range, 'review', memo),
    ]);
    const reviewNps = (bucket: string) =>
      whenClosed(addBuckets(bucket, grain, 1), () => reviews.nps(team.id, bucket));
    const shown = closed && reviews.visible(start).has(team.id);
    // Each open question of the reviews on its own, under the comment threshold and tree rule.
    const questions = perQuestion.questions.filter(
      (q) => q.type === 'text' && perQuestion.counts(q.id, team.id).n > 0,
    );
    const comments = await Promise.all(
      questions.map(async (q) => {
        const n = perQuestion.counts(q.id, team.id).n;
        const visible = shown && perQuestion.visible(q.id).has(team.id);
        const texts =
          visible && n >= this.config.commentThreshold
            ? await this.reports.reviewCommentSample(subtree, range, COMMENTS_SHOWN, q.id)
            : [];
        return {
          question: q.text.en ?? Object.values(q.text)[0] ?? '',
          texts: q.text,
          comments: guard(visible ? n : 0, this.config.commentThreshold, () => ({
            texts,
            shown: texts.length,
          })),
        };
      }),
    );
    return {
      k,
      period: { ...this.tree.period(grain, start, end), closed },
      value: reviewNps(start),
      trend: Array.from({ length: TREND_BUCKETS }, (_, i) => {
        const bucket = addBuckets(trendFrom, grain, i);
        return {
          bucket,
          label: bucketLabel(bucket, grain),
          closed: periodClosed(addBuckets(bucket, grain, 1)),
          value: reviewNps(bucket),
        };
      }),
      questions: comments,
    };
  }
}
