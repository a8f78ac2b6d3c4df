import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The freeze line of the raw answers (one row): responses, answers and segment rows released
 * before `raw_before` may have been deleted by the raw-answer purge (RETENTION_RAW_ANSWERS_DAYS,
 * docs/retention.md), so the rollups of those days are never recomputed (report_refresh leaves
 * them as they are) and no release may be dated before it. NULL: nothing is frozen. The purge
 * only moves it forward, under the rollup lock; a TRUNCATE of `response` (tests, bench:seed),
 * which empties every rollup, clears it.
 */
@Entity('report_raw_retention')
@Check('ck_report_raw_retention_one_row', '"id"')
export class RawRetention {
  @PrimaryColumn({ type: 'boolean', primaryKeyConstraintName: 'pk_report_raw_retention' })
  id!: boolean;

  @Column({ name: 'raw_before', type: 'date', nullable: true })
  rawBefore!: string | null;
}
