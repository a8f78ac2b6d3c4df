import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Survey } from '../../surveys/entities/survey.entity';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

/**
 * The survey that a team's ticket invitations go out on, one per calendar month: answers flow
 * through the usual invitation, pending table and mixer like any other survey's.
 */
@Entity('ticket_survey')
export class TicketSurvey {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_ticket_survey_team' })
  team?: Relation<ServiceTeam>;

  /** YYYY-MM */
  @PrimaryColumn({ type: 'varchar', length: 7 })
  period!: string;

  @Index('uq_ticket_survey_survey', { unique: true })
  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @ManyToOne(() => Survey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'survey_id', foreignKeyConstraintName: 'fk_ticket_survey_survey' })
  survey?: Relation<Survey>;
}

/**
 * "You may contact me about this": explicitly NOT anonymous, and not tied to the answer. Written
 * in a transaction of its own after the answer was stored; it holds who asked, about which team,
 * on which day, and only what they chose to write here — no score, comment, ticket or attribute.
 */
@Entity('follow_up')
@Index('ix_follow_up_team_requested', ['teamId', 'requestedOn'])
export class FollowUp {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_follow_up_team' })
  team?: Relation<ServiceTeam>;

  @Column({ name: 'employee_name', type: 'varchar', length: 200 })
  employeeName!: string;

  @Column({ name: 'employee_email', type: 'varchar', length: 320 })
  employeeEmail!: string;

  /** What the person wrote for the lead, knowing it is not anonymous. */
  @Column({ type: 'text', nullable: true })
  message!: string | null;

  /** A day, not an instant. */
  @Column({ name: 'requested_on', type: 'date' })
  requestedOn!: string;

  @Column({ name: 'done_on', type: 'date', nullable: true })
  doneOn!: string | null;
}
