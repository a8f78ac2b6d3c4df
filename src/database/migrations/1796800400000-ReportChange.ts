import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyReportRollupSql } from '../sql/report-rollups.sql';

/**
 * The change counter the report cache is keyed on (issue 17, item 5): a sequence and a row per
 * release day, which report_refresh sets to a new value of the sequence for each day it
 * recomputes, in the transaction that writes the answers (src/database/sql/report-rollups.sql.ts,
 * applied again here). Every day that already has responses gets a row now, so that a later
 * change to it (a truncation included) moves the sum a cached page was keyed on.
 */
export class ReportChange1796800400000 implements MigrationInterface {
  name = 'ReportChange1796800400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE "report_change_seq"`);
    await queryRunner.query(
      `CREATE TABLE "report_change" ("day" date NOT NULL, "seq" bigint NOT NULL, CONSTRAINT "PK_b308febccba87ddb64715ea1d2e" PRIMARY KEY ("day"))`,
    );
    await queryRunner.query(
      `INSERT INTO report_change (day, seq)
       SELECT d.released_on, nextval('report_change_seq')
         FROM (SELECT DISTINCT released_on FROM response ORDER BY 1) d`,
    );
    await applyReportRollupSql((sql) => queryRunner.query(sql));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The functions test for the table (to_regclass) and skip the counter without it.
    await queryRunner.query(`DROP TABLE "report_change"`);
    await queryRunner.query(`DROP SEQUENCE "report_change_seq"`);
  }
}
