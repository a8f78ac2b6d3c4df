import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Who did what to inpulse: sign-ins, refusals, changes to users, roles, tokens and settings,
 * exports. Never anything about survey answers.
 */
@Entity('audit_event')
@Index('ix_audit_event_at', ['at'])
@Index('ix_audit_event_actor', ['actorUserId', 'at'])
@Index('ix_audit_event_action', ['action', 'at'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'actor_token_id', type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  /** What was attempted or done, e.g. `auth.login`, `auth.login_failed`, `user.invited`. */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  /** What it was done to, e.g. a user's e-mail, a token's name, a path. */
  @Column({ type: 'varchar', length: 400, nullable: true })
  target!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;
}
