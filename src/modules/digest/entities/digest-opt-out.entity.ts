import {
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { AppUser } from '../../accounts/entities/app-user.entity';

/** A person who unsubscribed from the weekly digest and the alerts (one click in a mail). */
@Entity('digest_opt_out')
export class DigestOptOut {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => AppUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_digest_opt_out_user' })
  user?: Relation<AppUser>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
