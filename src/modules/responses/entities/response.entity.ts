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
 * An anonymous response, written by the mixer when it releases a batch, never by the request that
 * submitted it. It carries only what reports need: the survey it belongs to, the rated team, the
 * source and the day of its release — no person, invitation, token, address, segment, language,
 * ticket attribute or instant. Its id is random. Every response of a release shares its
 * transaction and its day with at least m others of different people (see release-plan.ts); a
 * test reads these columns and fails if anything else appears.
 */
@Entity('response')
@Index('ix_response_team_day', ['teamId', 'releasedOn'])
@Index('ix_response_survey', ['surveyId'])
@Index('ix_response_released_on', ['releasedOn'])
@Check('ck_response_source', `"source" IN ('pulse', 'ticket', 'review')`)
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

  /** The day of the release that wrote it (never the day it was answered). */
  @Column({ name: 'released_on', type: 'date' })
  releasedOn!: string;
}
