import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The service directory's reader passes (SERVICES_ACCESS=link): a single-use link's SHA-256,
 * its expiry and its use. No address or employee id is stored.
 */
export class ServicesReaderPass1796500000400 implements MigrationInterface {
  name = 'ServicesReaderPass1796500000400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "services_reader_pass" ("token_hash" bytea NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_services_reader_pass" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_services_reader_pass_expires" ON "services_reader_pass" ("expires_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_services_reader_pass_expires"`);
    await queryRunner.query(`DROP TABLE "services_reader_pass"`);
  }
}
