import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';
import { Survey } from '../../surveys/entities/survey.entity';

/**
 * An anonymous response. It carries no employee, invitation, token, address or instant: only
 * what reports need. Its id is random and it is written by the mixer, never by the request
 * that submitted it. A test reads these columns and fails if anything identifying appears.
 */
@Entity('response')
@Index('ix_response_team_day', ['teamId', 'respondedOn'])
@Index('ix_response_survey', ['surveyId'])
@Check('ck_response_source', `"source" IN ('pulse', 'ticket')`)
export class Response {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @ManyToOne(() => Survey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'survey_id', foreignKeyConstraintName: 'fk_response_survey' })
  survey?: Relation<Survey>;

  /** The team the answers are about. */
  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_response_team' })
  team?: Relation<ServiceTeam>;

  @Column({ type: 'varchar', length: 16 })
  source!: string;

  /** A day, never an instant. */
  @Column({ name: 'responded_on', type: 'date' })
  respondedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  locale!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  department!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  location!: string | null;

  @Column({ name: 'tenure_band', type: 'varchar', length: 16, nullable: true })
  tenureBand!: string | null;

  /** Coarse attributes of a ticket survey answer (never the ticket or the requester). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  category!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  priority!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel!: string | null;

  /** How long the ticket took to resolve: <4h, 4-24h, 1-3d or 3d+. */
  @Column({ name: 'resolution_band', type: 'varchar', length: 8, nullable: true })
  resolutionBand!: string | null;
}
