import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** Rollup: per calendar bucket, team, source, choice question and option, how many chose it. */
@Entity('report_period_option')
@Check('ck_report_period_option_grain', `"grain" IN ('week', 'month', 'quarter')`)
export class ReportPeriodOption {
  @PrimaryColumn({ type: 'varchar', length: 8 })
  grain!: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'date' })
  bucketStart!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  @PrimaryColumn({ name: 'option_key', type: 'varchar', length: 64 })
  optionKey!: string;

  @Column({ type: 'integer' })
  n!: number;
}
