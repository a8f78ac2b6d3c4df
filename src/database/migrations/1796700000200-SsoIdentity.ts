import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provider's person behind each account (docs/sso.md): issuer and `sub`, kept at the first
 * sign-in through the provider, so that later sign-ins match by them rather than by e-mail.
 */
export class SsoIdentity1796700000200 implements MigrationInterface {
  name = 'SsoIdentity1796700000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sso_identity" ("issuer" character varying(500) NOT NULL, "subject" character varying(255) NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_sso_identity" PRIMARY KEY ("issuer", "subject"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sso_identity_user" ON "sso_identity" ("issuer", "user_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "sso_identity" ADD CONSTRAINT "fk_sso_identity_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sso_identity" DROP CONSTRAINT "fk_sso_identity_user"`);
    await queryRunner.query(`DROP INDEX "public"."uq_sso_identity_user"`);
    await queryRunner.query(`DROP TABLE "sso_identity"`);
  }
}
