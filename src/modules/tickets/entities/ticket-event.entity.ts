import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';
import { Integration } from './integration.entity';

/**
 * Where a ticket's survey stands: none yet (null); `pending` until its job runs at resolution +
 * delay; `mailing` while its invitation mail goes out; `sent`; `skipped:<reason>`; `cancelled`
 * by a reopen (a later resolution makes it `pending` again); `dead` when its job failed for good.
 */
export type SurveyState =
  'pending' | 'mailing' | 'sent' | 'cancelled' | 'dead' | `skipped:${string}`;

/**
 * One ticket of a source, normalised and deduplicated on (integration, ticket id): operational
 * data for the service standards and the state of its one survey. The requester's e-mail or id,
 * needed to find the employee, is kept sealed (AES-256-GCM under a key derived from APP_SECRET,
 * so neither a dead tuple nor the WAL shows it) and only until the survey job has decided, then
 * set to null. No response, invitation or job refers to a ticket.
 */
@Entity('ticket_event')
@Index('uq_ticket_event_ticket', ['integrationId', 'externalTicketId'], { unique: true })
@Index('ix_ticket_event_team_created', ['teamId', 'ticketCreatedAt'])
@Index('ix_ticket_event_team_resolved', ['teamId', 'resolvedAt'])
@Index('ix_ticket_event_team_closed', ['teamId', 'closedAt'])
@Index('ix_ticket_event_integration_updated', ['integrationId', 'updatedAt'])
export class TicketEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'integration_id', type: 'uuid' })
  integrationId!: string;

  @ManyToOne(() => Integration, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'integration_id', foreignKeyConstraintName: 'fk_ticket_event_integration' })
  integration?: Relation<Integration>;

  @Column({ name: 'external_ticket_id', type: 'varchar', length: 200 })
  externalTicketId!: string;

  /** The team its group mapped to, when the newest event arrived. */
  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_ticket_event_team' })
  team?: Relation<ServiceTeam>;

  /** The source's group / queue / assignment group, as it named it (to check mapping rules). */
  @Column({ name: 'source_group', type: 'varchar', length: 200, nullable: true })
  sourceGroup!: string | null;

  /** The requester's e-mail, sealed; kept only until the survey job has decided (then null). */
  @Column({ name: 'requester_email_sealed', type: 'bytea', nullable: true })
  requesterEmailSealed!: Buffer | null;

  /** The requester's id at the source, sealed, likewise. */
  @Column({ name: 'requester_external_id_sealed', type: 'bytea', nullable: true })
  requesterExternalIdSealed!: Buffer | null;

  @Column({ name: 'requester_is_assignee', type: 'boolean', default: false })
  requesterIsAssignee!: boolean;

  @Column({ type: 'varchar', length: 100, nullable: true })
  category!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  priority!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  channel!: string | null;

  @Column({ name: 'ticket_created_at', type: 'timestamptz', nullable: true })
  ticketCreatedAt!: Date | null;

  @Column({ name: 'first_response_at', type: 'timestamptz', nullable: true })
  firstResponseAt!: Date | null;

  /** The latest resolution. The ticket is resolved while this is after `last_reopened_at`. */
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'last_reopened_at', type: 'timestamptz', nullable: true })
  lastReopenedAt!: Date | null;

  @Column({ name: 'reopen_count', type: 'integer', default: 0 })
  reopenCount!: number;

  /** When the newest event applied happened at the source. */
  @Column({ name: 'last_event_at', type: 'timestamptz' })
  lastEventAt!: Date;

  @Column({ name: 'survey_state', type: 'varchar', length: 48, nullable: true })
  surveyState!: SurveyState | null;

  @Column({ name: 'survey_due_at', type: 'timestamptz', nullable: true })
  surveyDueAt!: Date | null;

  @Column({ name: 'survey_attempts', type: 'integer', default: 0 })
  surveyAttempts!: number;

  /** The last failure of the survey job (an error message, never ticket content). */
  @Column({ name: 'survey_error', type: 'varchar', length: 500, nullable: true })
  surveyError!: string | null;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every delivery applied, by the sender's event id: a replay finds its row and stops. */
@Entity('ticket_event_receipt')
@Index('ix_ticket_event_receipt_received', ['receivedAt'])
export class TicketEventReceipt {
  @PrimaryColumn({ name: 'integration_id', type: 'uuid' })
  integrationId!: string;

  @ManyToOne(() => Integration, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'integration_id',
    foreignKeyConstraintName: 'fk_ticket_event_receipt_integration',
  })
  integration?: Relation<Integration>;

  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 200 })
  eventId!: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
