import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';
import { Questionnaire } from './questionnaire.entity';

/**
 * A questionnaire about one team, sent to chosen employees until it closes. Ticket surveys
 * (`source` = 'ticket') are made by the tickets feature, one per team and month.
 */
@Entity('survey')
@Check('ck_survey_source', `"source" IN ('pulse', 'ticket')`)
export class Survey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'questionnaire_id', type: 'uuid' })
  questionnaireId!: string;

  @ManyToOne(() => Questionnaire, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'questionnaire_id', foreignKeyConstraintName: 'fk_survey_questionnaire' })
  questionnaire?: Relation<Questionnaire>;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_survey_team' })
  team?: Relation<ServiceTeam>;

  /** Reporting threshold k, fixed when the survey is created and shown to respondents. */
  @Column({ name: 'reporting_threshold', type: 'smallint' })
  reportingThreshold!: number;

  /** What its answers are recorded as: a pulse, or a survey after a ticket. */
  @Column({ type: 'varchar', length: 16, default: 'pulse' })
  source!: 'pulse' | 'ticket';

  /** Links stop working at this instant; the mixer may then flush a last, smaller batch. */
  @Column({ name: 'closes_at', type: 'timestamptz' })
  closesAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
