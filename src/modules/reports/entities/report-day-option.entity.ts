import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Rollup: per team, day, source, choice question and option, how many chose it. */
@Entity('report_day_option')
@Index('ix_report_day_option_team_day', ['teamId', 'releasedOn'])
export class ReportDayOption {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  source!: string;

  @PrimaryColumn({ name: 'option_key', type: 'varchar', length: 64 })
  optionKey!: string;

  @Column({ type: 'integer' })
  n!: number;
}
