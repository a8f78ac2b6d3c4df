import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `retention.purge` finds done mails by their last change (docs/retention.md): an index on
 * `updated_at` of those rows only, so each batch reads the oldest without a scan of the table.
 */
export class RetentionMailIndex1796800300000 implements MigrationInterface {
  name = 'RetentionMailIndex1796800300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_mail_message_done" ON "mail_message" ("updated_at") WHERE status IN ('sent', 'failed', 'dead', 'cancelled')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_mail_message_done"`);
  }
}
