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
} from 'typeorm';
import type { Role } from '../../../common/access/roles';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

/**
 * A mapping rule HR edits at /admin/sso: whoever the identity provider puts in `group_name` gets
 * `role` (with `team_id` for a lead or viewer). Applied afresh at every sign-in.
 */
@Entity('sso_rule')
@Check('ck_sso_rule_role', `"role" IN ('admin', 'lead', 'viewer')`)
@Check('ck_sso_rule_team', `("role" = 'admin') = ("team_id" IS NULL)`)
@Index('ix_sso_rule_group', ['groupName'])
export class SsoRule {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'group_name', type: 'varchar', length: 200 })
  groupName!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_sso_rule_team' })
  team?: Relation<ServiceTeam>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
