import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup: per team, day, source and respondent segment (department, location or tenure band,
 * 'Unknown' when not recorded), the iNPS counts.
 */
@Entity('report_day_segment')
export class ReportDaySegment {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension!: string;

  @PrimaryColumn({ name: 'responded_on', type: 'date' })
  respondedOn!: string;

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
