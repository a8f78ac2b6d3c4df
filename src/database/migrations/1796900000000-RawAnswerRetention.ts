import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyReportRollupSql } from '../sql/report-rollups.sql';

/**
 * Raw answers become optional (issue 17, item 4; docs/retention.md, "Raw answers"):
 *
 * - `report_comment` keeps its own copy of each comment's text and question, backfilled from
 *   `answer`, and loses its foreign key to `answer`: the comment lists, search and themes then
 *   read it alone, and a comment outlives its raw row. The backfill is one UPDATE, not batches:
 *   it must finish before the columns become NOT NULL in this same transaction (a batched one
 *   would leave the table half-copied between transactions, with readers already reading the
 *   copy), and report_comment holds one narrow row per shown comment, rewritten once.
 * - `report_raw_retention`, one row: the freeze line. report_refresh leaves the days before it as
 *   they are, and refuses answers released into them (report-rollups.sql.ts, applied again here).
 *   NULL until the first purge with RETENTION_RAW_ANSWERS_DAYS set.
 * - `ix_response_released_on`, so that each batch of the purge finds its oldest responses through
 *   an index. Built in the migration's transaction: it blocks only the mixer's writes to
 *   `response` (once a minute) while it builds.
 */
export class RawAnswerRetention1796900000000 implements MigrationInterface {
  name = 'RawAnswerRetention1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "report_comment" ADD "question_id" uuid, ADD "text" text`);
    await queryRunner.query(
      `UPDATE report_comment c SET question_id = a.question_id, text = a.text
         FROM answer a WHERE a.id = c.answer_id`,
    );
    // The foreign key (ON DELETE CASCADE) and the rollup's insert (text IS NOT NULL) leave none
    // without a text; should one exist anyway, it could not be shown: it goes.
    await queryRunner.query(`DELETE FROM report_comment WHERE text IS NULL OR question_id IS NULL`);
    await queryRunner.query(
      `ALTER TABLE "report_comment" ALTER COLUMN "question_id" SET NOT NULL, ALTER COLUMN "text" SET NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_comment" DROP CONSTRAINT "fk_report_comment_answer"`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_raw_retention" ("id" boolean NOT NULL, "raw_before" date, CONSTRAINT "ck_report_raw_retention_one_row" CHECK ("id"), CONSTRAINT "pk_report_raw_retention" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `INSERT INTO report_raw_retention (id, raw_before) VALUES (true, NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_response_released_on" ON "response" ("released_on") `,
    );
    await applyReportRollupSql((sql) => queryRunner.query(sql));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_response_released_on"`);
    // The functions test for the table (to_regclass) and go back to the answers' own text.
    await queryRunner.query(`DROP TABLE "report_raw_retention"`);
    // Comments whose answer was purged cannot point to it again.
    await queryRunner.query(
      `DELETE FROM report_comment c WHERE NOT EXISTS (SELECT 1 FROM answer a WHERE a.id = c.answer_id)`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_comment" ADD CONSTRAINT "fk_report_comment_answer" FOREIGN KEY ("answer_id") REFERENCES "answer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_comment" DROP COLUMN "text", DROP COLUMN "question_id"`,
    );
  }
}
