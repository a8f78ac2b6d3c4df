import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';

/** A team that serves employees. Teams form a tree; reports roll up along it. */
@Entity('service_team')
export class ServiceTeam {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_service_team_slug', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => ServiceTeam, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_service_team_parent' })
  parent?: Relation<ServiceTeam> | null;

  /** Target iNPS, from -100 to 100. */
  @Column({ name: 'nps_target', type: 'smallint', nullable: true })
  npsTarget!: number | null;

  /** Target CSAT, percent of 4–5 ratings. */
  @Column({ name: 'csat_target', type: 'smallint', nullable: true })
  csatTarget!: number | null;

  @Column({ name: 'first_response_target_minutes', type: 'integer', nullable: true })
  firstResponseTargetMinutes!: number | null;

  @Column({ name: 'resolution_target_minutes', type: 'integer', nullable: true })
  resolutionTargetMinutes!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
