import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A single-use link that lets its holder read the service directory (SERVICES_ACCESS=link). It
 * names nobody: the address it was mailed to is not kept, only the link's SHA-256, when it
 * expires and whether it was used.
 */
@Entity('services_reader_pass')
@Index('ix_services_reader_pass_expires', ['expiresAt'])
export class ReaderPass {
  @PrimaryColumn({
    name: 'token_hash',
    type: 'bytea',
    primaryKeyConstraintName: 'PK_services_reader_pass',
  })
  tokenHash!: Buffer;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
