import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Rollup: per team, day, source and respondent segment (department, location or tenure band; for
 * answers after tickets, the resolution-time band), the iNPS counts of the values that releases
 * name (response_segment). What no value names is the rest of the team's total.
 */
@Entity('report_day_segment')
export class ReportDaySegment {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  dimension!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

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
