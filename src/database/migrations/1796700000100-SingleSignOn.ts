import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in through an OpenID Connect provider (docs/sso.md): the group → role rules HR edits, the
 * SSO-only switch with its break-glass administrator, sign-ins in progress (single-use state)
 * and the ID token of each session opened through the provider (for its sign-out).
 */
export class SingleSignOn1796700000100 implements MigrationInterface {
  name = 'SingleSignOn1796700000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sso_login_state" ("state_hash" bytea NOT NULL, "code_verifier" character varying(128) NOT NULL, "nonce" character varying(128) NOT NULL, "next_path" character varying(2000) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_2de53e84f881ef1fbb7605b91fa" PRIMARY KEY ("state_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sso_login_state_expires" ON "sso_login_state"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sso_rule" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "group_name" character varying(200) NOT NULL, "role" character varying(16) NOT NULL, "team_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_sso_rule_team" CHECK (("role" = 'admin') = ("team_id" IS NULL)), CONSTRAINT "ck_sso_rule_role" CHECK ("role" IN ('admin', 'lead', 'viewer')), CONSTRAINT "PK_b8896e7215bc04775ef4ed9e300" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sso_rule_group" ON "sso_rule"  ("group_name") `);
    await queryRunner.query(
      `CREATE TABLE "sso_session" ("session_hash" bytea NOT NULL, "id_token" text NOT NULL, CONSTRAINT "PK_5039c11e3d35db78bff4cbab709" PRIMARY KEY ("session_hash"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "sso_setting" ("id" smallint NOT NULL DEFAULT '1', "sso_only" boolean NOT NULL DEFAULT false, "break_glass_user_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_sso_setting_break_glass" CHECK (NOT sso_only OR break_glass_user_id IS NOT NULL), CONSTRAINT "ck_sso_setting_single_row" CHECK (id = 1), CONSTRAINT "PK_590be74c4bf396832284dde00e4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "sso_rule" ADD CONSTRAINT "fk_sso_rule_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sso_session" ADD CONSTRAINT "fk_sso_session_session" FOREIGN KEY ("session_hash") REFERENCES "user_session"("id_hash") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sso_setting" ADD CONSTRAINT "fk_sso_setting_user" FOREIGN KEY ("break_glass_user_id") REFERENCES "app_user"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sso_setting" DROP CONSTRAINT "fk_sso_setting_user"`);
    await queryRunner.query(`ALTER TABLE "sso_session" DROP CONSTRAINT "fk_sso_session_session"`);
    await queryRunner.query(`ALTER TABLE "sso_rule" DROP CONSTRAINT "fk_sso_rule_team"`);
    await queryRunner.query(`DROP TABLE "sso_setting"`);
    await queryRunner.query(`DROP TABLE "sso_session"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sso_rule_group"`);
    await queryRunner.query(`DROP TABLE "sso_rule"`);
    await queryRunner.query(`DROP INDEX "public"."ix_sso_login_state_expires"`);
    await queryRunner.query(`DROP TABLE "sso_login_state"`);
  }
}
