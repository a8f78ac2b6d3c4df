import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `retention.purge` keeps the demo outbox's copy of an invitation's mail until its survey has
 * closed (docs/retention.md): the copy says whose invitation it is (rows written before this
 * say nothing and go by age, as before), and each batch reads the oldest through an index.
 * The outbox is a demo table: small, so a plain index build is fine.
 */
export class RetentionOutboxInvitation1796800310000 implements MigrationInterface {
  name = 'RetentionOutboxInvitation1796800310000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_message" ADD "invitation_id" uuid`);
    await queryRunner.query(
      `CREATE INDEX "ix_outbox_message_created" ON "outbox_message" ("created_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_outbox_message_created"`);
    await queryRunner.query(`ALTER TABLE "outbox_message" DROP COLUMN "invitation_id"`);
  }
}
