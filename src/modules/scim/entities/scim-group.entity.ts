import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Employee } from '../../directory/entities/employee.entity';

/**
 * A group an identity provider pushes (SCIM Groups): a name and its members, employees. Kept
 * apart from service teams on purpose: a provider pushes whatever groups are assigned to the
 * app, and none of them should appear in the org chart or take a team's reports with it when
 * deleted. An employee's own team comes from the user's `team` attribute (docs/scim.md).
 */
@Entity('scim_group')
export class ScimGroup {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_scim_group_display_name', { unique: true })
  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  @Index('uq_scim_group_external_id', { unique: true, where: 'external_id IS NOT NULL' })
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('scim_group_member')
@Index('ix_scim_group_member_employee', ['employeeId'])
export class ScimGroupMember {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId!: string;

  @PrimaryColumn({ name: 'employee_id', type: 'uuid' })
  employeeId!: string;

  @ManyToOne(() => ScimGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_scim_group_member_group' })
  group?: Relation<ScimGroup>;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'employee_id', foreignKeyConstraintName: 'fk_scim_group_member_employee' })
  employee?: Relation<Employee>;
}
