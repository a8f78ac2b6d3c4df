import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { AppUser } from '../../accounts/entities/app-user.entity';

/**
 * Which person at the provider an account belongs to: the ID token's issuer and `sub`, kept at
 * the account's first sign-in through that provider. Later sign-ins find the account by
 * (issuer, sub); a verified e-mail that names an account bound to another `sub` of the same
 * issuer is refused (the address was handed to someone else). One binding per account and issuer.
 */
@Entity('sso_identity')
@Index('uq_sso_identity_user', ['issuer', 'userId'], { unique: true })
export class SsoIdentity {
  @PrimaryColumn({ type: 'varchar', length: 500, primaryKeyConstraintName: 'pk_sso_identity' })
  issuer!: string;

  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'pk_sso_identity' })
  subject!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => AppUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_sso_identity_user' })
  user?: Relation<AppUser>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
