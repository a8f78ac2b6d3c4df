import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../../common/access/roles';

/** A person who reads reports or manages inpulse. Respondents never have an account. */
@Entity('app_user')
@Check('ck_app_user_role', `"role" IN ('admin', 'lead', 'viewer')`)
export class AppUser {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_app_user_email', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  /** argon2id, PHC string; null until the invitation to set a password is used. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** The language of the signed-in pages and of mails to this person; null: the browser's. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  locale!: string | null;

  /** IANA time zone for dates in pages and mails (the digest's hour); null: the organisation's. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
