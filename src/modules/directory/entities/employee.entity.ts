import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

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

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
