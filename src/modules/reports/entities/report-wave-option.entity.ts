import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Rollup for campaign reports: how many chose each option, per survey, team, day and department. */
@Entity('report_wave_option')
export class ReportWaveOption {
  @PrimaryColumn({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'responded_on', type: 'date' })
  respondedOn!: string;

  @PrimaryColumn({ type: 'varchar', length: 100 })
  department!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @PrimaryColumn({ name: 'option_key', type: 'varchar', length: 64 })
  optionKey!: string;

  @Column({ type: 'integer' })
  n!: number;
}
