import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup: per calendar bucket, team, source and respondent segment value named by a release (see
 * report_day_segment), the iNPS counts.
 */
@Entity('report_period_segment')
@Check('ck_report_period_segment_grain', `"grain" IN ('week', 'month', 'quarter')`)
export class ReportPeriodSegment {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  grain!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension!: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'date' })
  bucketStart!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  value!: string;

  @Column({ type: 'integer' })
  n!: number;

  @Column({ type: 'integer' })
  promoters!: number;

  @Column({ type: 'integer' })
  passives!: number;

  @Column({ type: 'integer' })
  detractors!: number;
}
