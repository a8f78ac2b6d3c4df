import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The directory's reader passes given to browsers, revocable: the pass cookie carries a row's id
 * (sealed) and counts only while the row exists and has not expired. No address or employee id
 * is stored. Passes given before this migration carried no id: they stop working (a reader asks
 * for a new link).
 */
export class ServicesReaderSession1796500000600 implements MigrationInterface {
  name = 'ServicesReaderSession1796500000600';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "services_reader_session" ("id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_services_reader_session" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_services_reader_session_expires" ON "services_reader_session" ("expires_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_services_reader_session_expires"`);
    await queryRunner.query(`DROP TABLE "services_reader_session"`);
  }
}
