import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Employee } from '../../directory/entities/employee.entity';
import { Survey } from '../../surveys/entities/survey.entity';

/**
 * Whom a survey was sent to, and whether it was answered — never what, nor when. The token is
 * random (256 bits) and only its SHA-256 hash is kept. The segment attributes are those of the
 * moment the invitation was created, so a later directory change does not move an answer into
 * another group; answers never carry them (the mixer aggregates them at release).
 */
@Entity('invitation')
@Index('uq_invitation_survey_employee', ['surveyId', 'employeeId'], { unique: true })
// The fatigue budget asks "was this person invited since …": src/modules/fatigue/fatigue.sql.ts.
@Index('ix_invitation_employee_created', ['employeeId', 'createdAt'])
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId!: string;

  @ManyToOne(() => Survey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'survey_id', foreignKeyConstraintName: 'fk_invitation_survey' })
  survey?: Relation<Survey>;

  @Column({ name: 'employee_id', type: 'uuid' })
  employeeId!: string;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'employee_id', foreignKeyConstraintName: 'fk_invitation_employee' })
  employee?: Relation<Employee>;

  /** SHA-256 of the link token; null until the mail carrying it is prepared. */
  @Index('uq_invitation_token_hash', { unique: true, where: 'token_hash IS NOT NULL' })
  @Column({ name: 'token_hash', type: 'bytea', nullable: true })
  tokenHash!: Buffer | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  department!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  location!: string | null;

  @Column({ name: 'tenure_band', type: 'varchar', length: 16, nullable: true })
  tenureBand!: string | null;

  /** The person's own team when the wave opened (for surveys about the respondent's own team). */
  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  /** Whether this person is asked the eNPS question (at most once a quarter per person). */
  @Column({ name: 'asks_enps', type: 'boolean', default: false })
  asksEnps!: boolean;

  /**
   * How long the ticket behind a survey after a ticket took to resolve (<4h, 4-24h, 1-3d, 3d+):
   * the only ticket attribute kept, for the by-band breakdown the mixer aggregates at release.
   */
  @Column({ name: 'resolution_band', type: 'varchar', length: 8, nullable: true })
  resolutionBand!: string | null;

  /** When the invitation mail was accepted by the mail server (or the outbox). */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /**
   * Earliest time its next mail may go (e.g. a send window in the person's own time zone),
   * filled by whoever queues it; null = at once. Copied into the mail row when it is queued.
   */
  @Column({ name: 'send_after', type: 'timestamptz', nullable: true })
  sendAfter!: Date | null;

  /** Set when the link was withdrawn (the person was deactivated); expires_at is then now. */
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /**
   * Set by the mixer in the transaction that releases the answer (with at least m others), not
   * by the submit: nothing records when a person answered. Until then, the claim is known only
   * by its keyed hash in pending_response.
   */
  @Column({ type: 'boolean', default: false })
  answered!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
