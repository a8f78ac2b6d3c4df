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
 * - The purge's indexes (`ix_response_released_on`, `ix_response_segment_unread_released_on`) are
 *   built by the next migration, CONCURRENTLY (RawAnswerRetentionIndexes).
 *
 * Locks. Dropping the foreign key takes ACCESS EXCLUSIVE on both report_comment and answer, held
 * to the end of the transaction — through the backfill. An old instance still running during a
 * rolling upgrade writes a release in the order response → answer → report_comment (the
 * answers' trigger writes the comments); taking report_comment first (ALTER TABLE) and answer
 * later (the foreign key) could deadlock with it. So the migration takes its locks first, in the
 * mixer's order, each in the mode it will need by the end, so that none is upgraded later:
 * response SHARE ROW EXCLUSIVE (CREATE OR REPLACE TRIGGER on it; reads go on, writes wait),
 * answer and report_comment ACCESS EXCLUSIVE (the foreign key's drop, ALTER TABLE). A release
 * waits for the migration (a short one: report_comment holds one narrow row per shown comment),
 * or the migration for the release, never both for each other.
 */
export class RawAnswerRetention1796900000000 implements MigrationInterface {
  name = 'RawAnswerRetention1796900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`LOCK TABLE response IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`LOCK TABLE answer, report_comment IN ACCESS EXCLUSIVE MODE`);
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
    await applyReportRollupSql((sql) => queryRunner.query(sql));
  }

  /**
   * Refused once a purge has moved the freeze line: the days before it have no raw rows left, and
   * without the line the next refresh of such a day (a migration, REBUILD_ROLLUPS_SQL) would
   * recompute it from nothing and empty its reports. Only a database whose line was never set
   * (RETENTION_RAW_ANSWERS_DAYS never set, or no purge yet) goes back.
   */
  public async down(queryRunner: QueryRunner): Promise<void> {
    const [{ line }]: { line: string | null }[] = await queryRunner.query(
      `SELECT to_char(raw_before, 'YYYY-MM-DD') AS line FROM report_raw_retention`,
    );
    if (line !== null)
      throw new Error(
        `RawAnswerRetention cannot be reverted: raw answers released before ${line} were purged ` +
          `(RETENTION_RAW_ANSWERS_DAYS), and without the freeze line the next rollup refresh ` +
          `would empty the reports of those days. Restore a backup taken before the first purge.`,
      );
    await queryRunner.query(`LOCK TABLE response IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`LOCK TABLE answer, report_comment IN ACCESS EXCLUSIVE MODE`);
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
