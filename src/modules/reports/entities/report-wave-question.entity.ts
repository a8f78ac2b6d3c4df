import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Rollup for campaign reports: per survey (a wave), team, day, respondent department and
 * question, how many answered and how many gave each score 0–10. Kept current with the team
 * rollups, by the same trigger and refresh (see the CampaignWaves migration). Counts only: k is
 * applied above it, in ReportsService.
 */
@Entity('report_wave_question')
@Index('ix_report_wave_question_survey', ['surveyId', 'questionId'])
export class ReportWaveQuestion {
  @PrimaryColumn({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'responded_on', type: 'date' })
  respondedOn!: string;

  /** 'Unknown' when not recorded. */
  @PrimaryColumn({ type: 'varchar', length: 100 })
  department!: string;

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
