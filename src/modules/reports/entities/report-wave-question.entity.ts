import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Rollup for campaign reports: per release (survey — a wave —, team, day) and question, how many
 * answered and how many gave each score 0–10, for the questions a release may show (see
 * report_rollup_refresh). Departments come from response_segment. Counts only: k is applied
 * above it, in ReportsService.
 */
@Entity('report_wave_question')
@Index('ix_report_wave_question_survey', ['surveyId', 'questionId'])
export class ReportWaveQuestion {
  @PrimaryColumn({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @Column({ type: 'integer' })
  n!: number;

  @Column({ name: 'score_sum', type: 'bigint' })
  scoreSum!: string;

  /** c[s + 1] counts score s (0–10). */
  @Column({ name: 'score_counts', type: 'integer', array: true })
  scoreCounts!: number[];
}
