import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Invitation } from '../../invitations/entities/invitation.entity';

export const MAIL_STATUSES = ['queued', 'sending', 'sent', 'failed', 'dead', 'cancelled'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * One row per mail that must go out, written before any job runs. A mail of an invitation is
 * unique per (invitation, sequence) — 0 the invitation, 1–3 its reminders — and a one-off mail
 * per its dedupe key, so a retried or re-run job, a second instance or a repeated queueing call
 * can never make the same mail twice. A sender claims a row (queued → sending, `due_at` = end of
 * its lease) before SMTP and marks it sent right after. The row never holds a link token: links
 * are made when the mail is built, and only their hash is kept (on the invitation).
 */
@Entity('mail_message')
@Check('ck_mail_message_status', `status IN (${MAIL_STATUSES.map((s) => `'${s}'`).join(', ')})`)
@Check('ck_mail_message_sequence', 'sequence BETWEEN 0 AND 3')
@Check('ck_mail_message_key', '(invitation_id IS NULL) <> (dedupe_key IS NULL)')
@Index('uq_mail_message_invitation_sequence', ['invitationId', 'sequence'], {
  unique: true,
  where: 'invitation_id IS NOT NULL',
})
@Index('uq_mail_message_dedupe_key', ['dedupeKey'], {
  unique: true,
  where: 'dedupe_key IS NOT NULL',
})
@Index('ix_mail_message_due', ['dueAt'], { where: `status IN ('queued', 'sending')` })
@Index('ix_mail_message_batch', ['queueId', 'batchNo'])
@Index('ix_mail_message_problems', ['updatedAt'], { where: `status IN ('failed', 'dead')` })
@Index('ix_mail_message_done', ['updatedAt'], {
  where: `status IN ('sent', 'failed', 'dead', 'cancelled')`,
})
export class MailMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** `invitation`, `reminder`, `test`, … : which builder makes its content at send time. */
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'invitation_id', type: 'uuid', nullable: true })
  invitationId!: string | null;

  @ManyToOne(() => Invitation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invitation_id', foreignKeyConstraintName: 'fk_mail_message_invitation' })
  invitation?: Relation<Invitation>;

  /** 0 for the invitation mail, 1–3 for its reminders; 0 for one-off mails. */
  @Column({ type: 'smallint', default: 0 })
  sequence!: number;

  /** The caller's key of a one-off mail: the same key is the same mail. */
  @Column({ name: 'dedupe_key', type: 'varchar', length: 200, nullable: true })
  dedupeKey!: string | null;

  @Column({ name: 'to_address', type: 'varchar', length: 320 })
  toAddress!: string;

  @Column({ type: 'varchar', length: 16 })
  locale!: string;

  /** views/emails/<template>.html.hbs and .text.hbs, for mails of a kind with no builder. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  template!: string | null;

  /** What a one-off mail's template or builder needs (never a secret, never a link token). */
  @Column({ type: 'jsonb', nullable: true })
  context!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: MailStatus;

  /** Attempts so far, the one under way included. */
  @Column({ type: 'smallint', default: 0 })
  attempts!: number;

  /** Queued: not before this (send window, back-off). Sending: when the sender's lease ends. */
  @Column({ name: 'due_at', type: 'timestamptz', default: () => 'now()' })
  dueAt!: Date;

  /** The queueing call that made the row, and its batch: what a `mail.send` job carries. */
  @Column({ name: 'queue_id', type: 'uuid' })
  queueId!: string;

  @Column({ name: 'batch_no', type: 'integer', default: 0 })
  batchNo!: number;

  /** Why the last attempt failed or the mail was cancelled, for HR (never a link). */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
