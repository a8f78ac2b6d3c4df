import { Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';
import { AppUser } from './app-user.entity';

/** A team a lead or viewer may read, with all its sub-teams. */
@Entity('user_team')
export class UserTeam {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => AppUser, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_team_user' })
  user?: Relation<AppUser>;

  @ManyToOne(() => ServiceTeam, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_user_team_team' })
  team?: Relation<ServiceTeam>;
}
