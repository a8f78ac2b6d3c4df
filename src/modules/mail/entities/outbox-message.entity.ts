import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Mail kept instead of sent when no SMTP_URL is configured, so that a demo works offline.
 * It holds the links it carries, exactly as a mailbox would: never use it in production.
 */
@Entity('outbox_message')
@Index('ix_outbox_message_created', ['createdAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'to_address', type: 'varchar', length: 320 })
  toAddress!: string;

  @Column({ type: 'varchar', length: 300 })
  subject!: string;

  @Column({ type: 'text' })
  html!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  /**
   * The invitation whose mail this is (none for other mails): `retention.purge` keeps the copy
   * until its survey has closed, as it may hold the only copy of a link that still works.
   */
  @Column({ name: 'invitation_id', type: 'uuid', nullable: true })
  invitationId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
