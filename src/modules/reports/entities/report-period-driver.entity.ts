import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup for "what drives the score": report_day_driver summed per calendar bucket (week, month,
 * quarter), team, source and question by report_period_refresh(), so the driver analysis of a
 * period reads a few rows per team whatever the number of responses. Counts only: the driver
 * rules (driver-report.service.ts) are applied above it.
 */
@Entity('report_period_driver')
@Check('ck_report_period_driver_grain', `"grain" IN ('week', 'month', 'quarter')`)
export class ReportPeriodDriver {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  grain!: string;

  /** The first day of the bucket (weeks start on Monday). */
  @PrimaryColumn({ name: 'bucket_start', type: 'date' })
  bucketStart!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  /** Respondents who answered both (distinct responses): the sum of the six cells. */
  @Column({ type: 'integer' })
  n!: number;

  /** iNPS 0–6, question not favourable. */
  @Column({ name: 'detractor_low', type: 'integer' })
  detractorLow!: number;

  /** iNPS 0–6, question favourable (4–5 of a rating, 5–7 of an effort score). */
  @Column({ name: 'detractor_top', type: 'integer' })
  detractorTop!: number;

  /** iNPS 7–8, question not favourable. */
  @Column({ name: 'passive_low', type: 'integer' })
  passiveLow!: number;

  /** iNPS 7–8, question favourable. */
  @Column({ name: 'passive_top', type: 'integer' })
  passiveTop!: number;

  /** iNPS 9–10, question not favourable. */
  @Column({ name: 'promoter_low', type: 'integer' })
  promoterLow!: number;

  /** iNPS 9–10, question favourable. */
  @Column({ name: 'promoter_top', type: 'integer' })
  promoterTop!: number;
}
