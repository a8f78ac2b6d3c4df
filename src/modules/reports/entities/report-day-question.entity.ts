import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Rollup: per team, day, source and question, how many responses answered it and how many gave
 * each score 0–10. Kept current by a trigger on `answer` (see the ReportRollups migration) in
 * the transaction that writes the answers, so reports never scan `answer`. Holds counts only:
 * the reporting threshold is applied above it, in ReportsService.
 */
@Entity('report_day_question')
@Index('ix_report_day_question_team_day', ['teamId', 'releasedOn'])
export class ReportDayQuestion {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  /** Responses that answered the question (a `multi` answer with three options counts once). */
  @Column({ type: 'integer' })
  n!: number;

  /** Sum of the scores, for means. */
  @Column({ name: 'score_sum', type: 'bigint' })
  scoreSum!: string;

  /** Answers with a score: c[s] counts score s (0–10). */
  @Column({ name: 'score_counts', type: 'integer', array: true })
  scoreCounts!: number[];
}
