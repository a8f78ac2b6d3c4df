import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { ServiceTeam } from '../../teams/entities/service-team.entity';

/** The employee directory. E-mail is stored lower-cased and is unique. */
@Entity('employee')
export class Employee {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_employee_email', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Index('uq_employee_external_id', { unique: true, where: 'external_id IS NOT NULL' })
  @Column({ name: 'external_id', type: 'varchar', length: 100, nullable: true })
  externalId!: string | null;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  department!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  location!: string | null;

  @Column({ name: 'hire_date', type: 'date', nullable: true })
  hireDate!: string | null;

  /** BCP 47 tag, e.g. en, es, ja, fa. */
  @Column({ type: 'varchar', length: 16, default: 'en' })
  locale!: string;

  /** IANA time zone for send windows; null: the organisation's (ORGANISATION_TIME_ZONE). */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  /** The person's own team (engagement and eNPS campaigns rate it); a team of the tree. */
  @Index('ix_employee_team')
  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  @ManyToOne(() => ServiceTeam, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'fk_employee_team' })
  team?: Relation<ServiceTeam> | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** When the address last changed (employee sign-in waits EMPLOYEE_ADDRESS_HOLD_DAYS after it). */
  @Column({ name: 'email_changed_at', type: 'timestamptz', nullable: true })
  emailChangedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
