import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { AppUser } from '../../accounts/entities/app-user.entity';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

/**
 * The digest of one person for one week (the Monday of that week in their zone): claimed in the
 * transaction that queues the mail, so a tick run twice, or on two instances at once, queues one.
 */
@Entity('digest_sent')
export class DigestSent {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'week_start', type: 'date' })
  weekStart!: string;

  @ManyToOne(() => AppUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_digest_sent_user' })
  user?: Relation<AppUser>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The alert about one team's significant drop in one period: sent once (claimed like a digest). */
@Entity('digest_alert')
export class DigestAlert {
  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  grain!: string;

  @PrimaryColumn({ name: 'period_start', type: 'date' })
  periodStart!: string;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_digest_alert_team' })
  team?: Relation<ServiceTeam>;

  @Column({ type: 'real' })
  delta!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
