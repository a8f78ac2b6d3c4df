import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup for "what drives the score": report_day_driver summed per calendar bucket (week, month,
 * quarter), team, source and question by report_period_refresh(), so the driver analysis of a
 * period reads a few rows per team whatever the number of responses. Sums only: the driver
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

  /** Respondents who answered both the question and the iNPS question. */
  @Column({ type: 'integer' })
  n!: number;

  @Column({ name: 'item_sum', type: 'bigint' })
  itemSum!: string;

  @Column({ name: 'nps_sum', type: 'bigint' })
  npsSum!: string;

  @Column({ name: 'item_squares', type: 'bigint' })
  itemSquares!: string;

  @Column({ name: 'nps_squares', type: 'bigint' })
  npsSquares!: string;

  @Column({ type: 'bigint' })
  products!: string;
}
