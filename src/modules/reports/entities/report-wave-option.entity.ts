import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Rollup for campaign reports: how many chose each option, per release (survey, team, day). */
@Entity('report_wave_option')
export class ReportWaveOption {
  @PrimaryColumn({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ name: 'released_on', type: 'date' })
  releasedOn!: string;

  @PrimaryColumn({ name: 'question_id', type: 'uuid' })
  questionId!: string;

  @PrimaryColumn({ name: 'option_key', type: 'varchar', length: 64 })
  optionKey!: string;

  @Column({ type: 'integer' })
  n!: number;
}
