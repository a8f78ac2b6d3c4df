import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { SyncPlanSummary } from '../../directory/directory-sync';

/** A run's plan as kept and shown, with the safety stop's verdict. */
export type RunPlan = SyncPlanSummary & {
  wouldStop: boolean;
  maxDeactivatePercent: number;
  /** Deactivated by applied runs since the last confirmed one, within the safety window. */
  deactivatedBefore?: number;
};

/**
 * One run of the HRIS file sync: a dry run, an applied run, a run the safety stop held (until an
 * HR admin confirms it), or a failed one, with what it would change or changed.
 */
@Entity('hris_sync_run')
@Index('ix_hris_sync_run_created', ['createdAt'])
@Check(
  'ck_hris_sync_run_status',
  `status IN ('dry_run', 'applied', 'stopped', 'confirmed', 'failed')`,
)
export class HrisSyncRun {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_hris_sync_run' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'dry_run' | 'applied' | 'stopped' | 'confirmed' | 'failed';

  /** 'schedule' or 'manual'. */
  @Column({ type: 'varchar', length: 16 })
  trigger!: string;

  /** SHA-256 of the file read: a stopped run is confirmed only for the same file. */
  @Column({ name: 'file_hash', type: 'bytea', nullable: true })
  fileHash!: Buffer | null;

  /** What the run would change, or changed (lists cut to their first rows). */
  @Column({ type: 'jsonb', nullable: true })
  plan!: RunPlan | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  error!: string | null;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
