import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyReportRollupSql } from '../sql/report-rollups.sql';

/**
 * The rollup functions and triggers from their one source, src/database/sql/report-rollups.sql.ts
 * (the triggers included, which earlier migrations wrote inline). It changes nothing in a database
 * that already holds that text; a later change to the source comes with a migration like this one.
 */
export class ReportRollupSource1796456841499 implements MigrationInterface {
  name = 'ReportRollupSource1796456841499';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await applyReportRollupSql((sql) => queryRunner.query(sql));
  }

  public async down(): Promise<void> {
    // Nothing to undo: the definitions are those the previous migration left.
  }
}
