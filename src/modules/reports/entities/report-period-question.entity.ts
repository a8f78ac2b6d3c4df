import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup: per calendar bucket (week, month, quarter), team, source and question, how many
 * responses answered it and how many gave each score 0–10. Summed from report_day_question by
 * report_rollup_refresh() in the transaction that writes the answers, so every report reads a
 * few hundred of these rows whatever the number of responses. Counts only: the reporting
 * threshold is applied above it, in ReportsService.
 */
@Entity('report_period_question')
@Check('ck_report_period_question_grain', `"grain" IN ('week', 'month', 'quarter')`)
export class ReportPeriodQuestion {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  grain!: string;

  /** The first day of the bucket (weeks start on Monday). */
  @PrimaryColumn({ name: 'bucket_start', type: 'date' })
  bucketStart!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  /** Responses that answered the question (a `multi` answer with three options counts once). */
  @Column({ type: 'integer' })
  n!: number;

  /** Sum of the scores, for means. */
  @Column({ name: 'score_sum', type: 'bigint' })
  scoreSum!: string;

  /** Answers with a score: c[s + 1] counts score s (0–10). */
  @Column({ name: 'score_counts', type: 'integer', array: true })
  scoreCounts!: number[];
}
