import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A reader pass given to a browser (SERVICES_ACCESS=link): the pass cookie carries this row's id,
 * sealed, and is honoured only while the row exists and has not expired. It names nobody — no
 * address, no employee id — so that reading the directory is not tracked per person; deleting
 * the rows (an HR admin's "revoke all passes") ends every pass at once.
 */
@Entity('services_reader_session')
@Index('ix_services_reader_session_expires', ['expiresAt'])
export class ReaderSession {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_services_reader_session' })
  id!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
