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
 * A signed-in employee's browser (docs/employees.md): the cookie carries this row's id, sealed,
 * and counts only while the row exists, has not expired and its employee is active. It is read
 * by the employee's own pages only (/me, /services): never on the answer path (/s/…).
 */
@Entity('employee_session')
@Index('ix_employee_session_expires', ['expiresAt'])
export class EmployeeSession {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_employee_session' })
  id!: string;

  @Index('ix_employee_session_employee')
  @Column({ name: 'employee_id', type: 'uuid' })
  employeeId!: string;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'employee_id', foreignKeyConstraintName: 'fk_employee_session_employee' })
  employee?: Relation<Employee>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
