import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `retention.purge` finds done mails by their last change (docs/retention.md): an index on
 * `updated_at` of those rows only, so each batch reads the oldest without a scan of the table.
 * Built CONCURRENTLY, so that instances still running during a rolling upgrade keep queueing
 * mail meanwhile (a plain build blocks every INSERT into mail_message for its whole length);
 * that cannot run inside a transaction, hence `transaction = false`. IF NOT EXISTS: a build
 * interrupted half-way leaves an invalid index, which the retry must drop first (see down).
 */
export class RetentionMailIndex1796800300000 implements MigrationInterface {
  name = 'RetentionMailIndex1796800300000';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    // An invalid index left by an interrupted build would satisfy IF NOT EXISTS: drop it first.
    await queryRunner.query(
      `DO $$ BEGIN
         IF EXISTS (SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                     WHERE c.relname = 'ix_mail_message_done' AND NOT x.indisvalid) THEN
           DROP INDEX "public"."ix_mail_message_done";
         END IF;
       END $$`,
    );
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "ix_mail_message_done" ON "mail_message" ("updated_at") WHERE status IN ('sent', 'failed', 'dead', 'cancelled')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "public"."ix_mail_message_done"`);
  }
}
