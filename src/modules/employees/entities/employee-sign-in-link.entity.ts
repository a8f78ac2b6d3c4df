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
import { Employee } from '../../directory/entities/employee.entity';

/**
 * A single-use sign-in link mailed to an employee's directory address (docs/employees.md): only
 * the link's SHA-256 is kept, with whom it signs in, when it expires and whether it was used.
 */
@Entity('employee_sign_in_link')
@Index('ix_employee_sign_in_link_expires', ['expiresAt'])
export class EmployeeSignInLink {
  @PrimaryColumn({
    name: 'token_hash',
    type: 'bytea',
    primaryKeyConstraintName: 'PK_employee_sign_in_link',
  })
  tokenHash!: Buffer;

  @Index('ix_employee_sign_in_link_employee')
  @Column({ name: 'employee_id', type: 'uuid' })
  employeeId!: string;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'employee_id',
    foreignKeyConstraintName: 'fk_employee_sign_in_link_employee',
  })
  employee?: Relation<Employee>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
