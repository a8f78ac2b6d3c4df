import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The change counter of the rollups: per release day, the value of `report_change_seq` drawn the
 * last time report_refresh recomputed that day (src/database/sql/report-rollups.sql.ts). The
 * report cache keys a closed period's results on the sum over the days they cover.
 */
@Entity('report_change')
export class ReportChange {
  @PrimaryColumn({ type: 'date' })
  day!: string;

  @Column({ type: 'bigint' })
  seq!: string;
}
