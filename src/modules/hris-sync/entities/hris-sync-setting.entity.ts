import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The HRIS file sync's settings (one row; docs/directory.md): where the file is (a path under
 * HRIS_SYNC_DIR or an https URL), its format, which column holds each employee field, when it
 * runs, and the safety stop (the largest share of active people one run may deactivate).
 */
@Entity('hris_sync_setting')
@Check('ck_hris_sync_setting_single_row', 'id = 1')
@Check('ck_hris_sync_setting_format', `format IN ('csv', 'json')`)
@Check('ck_hris_sync_setting_max_deactivate', 'max_deactivate_percent BETWEEN 0 AND 100')
export class HrisSyncSetting {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'PK_hris_sync_setting' })
  id!: number;

  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @Column({ type: 'varchar', length: 2000, default: '' })
  source!: string;

  @Column({ type: 'varchar', length: 8, default: 'csv' })
  format!: 'csv' | 'json';

  /** Employee field → the file's column (CSV header) or key (JSON). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  mapping!: Record<string, string>;

  /** A five-field cron expression in ORGANISATION_TIME_ZONE. */
  @Column({ type: 'varchar', length: 100, default: '0 5 * * *' })
  cron!: string;

  @Column({ name: 'max_deactivate_percent', type: 'smallint', default: 10 })
  maxDeactivatePercent!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
