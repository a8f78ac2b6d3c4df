import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { Employee } from '../../directory/entities/employee.entity';

/**
 * What SCIM knows of an employee that the directory does not keep: the identity provider's own
 * id for the person (SCIM `externalId`), the parts of the name, the manager, and whether the
 * provider deleted them (an employee row stays, inactive: invitations refer to it).
 */
@Entity('scim_user')
export class ScimUser {
  @PrimaryColumn({ name: 'employee_id', type: 'uuid' })
  employeeId!: string;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'employee_id', foreignKeyConstraintName: 'fk_scim_user_employee' })
  employee?: Relation<Employee>;

  @Index('uq_scim_user_external_id', { unique: true, where: 'external_id IS NOT NULL' })
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @Column({ name: 'given_name', type: 'varchar', length: 100, nullable: true })
  givenName!: string | null;

  @Column({ name: 'family_name', type: 'varchar', length: 100, nullable: true })
  familyName!: string | null;

  @Column({ name: 'manager_id', type: 'uuid', nullable: true })
  managerId!: string | null;

  @ManyToOne(() => Employee, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'manager_id', foreignKeyConstraintName: 'fk_scim_user_manager' })
  manager?: Relation<Employee> | null;

  /** Set by a SCIM DELETE: the person is gone for SCIM (404) and inactive in the directory. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
