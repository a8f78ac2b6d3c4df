import { MigrationInterface, QueryRunner } from 'typeorm';

export class Accounts1795432673152 implements MigrationInterface {
  name = 'Accounts1795432673152';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "rate_limit_bucket" ("key" character varying(200) NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "hits" integer NOT NULL, CONSTRAINT "PK_f1310cfeb2b77745eb48247c6c7" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "name" character varying(200) NOT NULL, "role" character varying(16) NOT NULL, "password_hash" text, "disabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_app_user_role" CHECK ("role" IN ('admin', 'lead', 'viewer')), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_app_user_email" ON "app_user"  ("email") `);
    await queryRunner.query(
      `CREATE TABLE "account_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" bytea NOT NULL, "kind" character varying(16) NOT NULL, "user_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_account_token_kind" CHECK ("kind" IN ('invite', 'reset')), CONSTRAINT "PK_a55842d3341d42534e39f85e931" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_account_token_hash" ON "account_token"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "api_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "token_hash" bytea NOT NULL, "prefix" character varying(16) NOT NULL, "scopes" text array NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_api_token_hash" ON "api_token"  ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE TABLE "user_session" ("id_hash" bytea NOT NULL, "user_id" uuid NOT NULL, "csrf_token" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9eadc73ac263ade23f6fbde6e7f" PRIMARY KEY ("id_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_user_session_user" ON "user_session"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "user_team" ("user_id" uuid NOT NULL, "team_id" uuid NOT NULL, CONSTRAINT "PK_86121d56b6426f7da1f521e3c21" PRIMARY KEY ("user_id", "team_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_user_id" uuid, "actor_token_id" uuid, "action" character varying(64) NOT NULL, "target" character varying(400), "ip" character varying(64), "details" jsonb, CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_event_action" ON "audit_event"  ("action", "at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_event_actor" ON "audit_event"  ("actor_user_id", "at") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_audit_event_at" ON "audit_event"  ("at") `);
    await queryRunner.query(
      `ALTER TABLE "account_token" ADD CONSTRAINT "fk_account_token_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_token" ADD CONSTRAINT "fk_api_token_creator" FOREIGN KEY ("created_by") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_session" ADD CONSTRAINT "fk_user_session_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_team" ADD CONSTRAINT "fk_user_team_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_team" ADD CONSTRAINT "fk_user_team_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_team" DROP CONSTRAINT "fk_user_team_team"`);
    await queryRunner.query(`ALTER TABLE "user_team" DROP CONSTRAINT "fk_user_team_user"`);
    await queryRunner.query(`ALTER TABLE "user_session" DROP CONSTRAINT "fk_user_session_user"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "fk_api_token_creator"`);
    await queryRunner.query(`ALTER TABLE "account_token" DROP CONSTRAINT "fk_account_token_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_event_at"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_event_actor"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_event_action"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
    await queryRunner.query(`DROP TABLE "user_team"`);
    await queryRunner.query(`DROP INDEX "public"."ix_user_session_user"`);
    await queryRunner.query(`DROP TABLE "user_session"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_token_hash"`);
    await queryRunner.query(`DROP TABLE "api_token"`);
    await queryRunner.query(`DROP INDEX "public"."uq_account_token_hash"`);
    await queryRunner.query(`DROP TABLE "account_token"`);
    await queryRunner.query(`DROP INDEX "public"."uq_app_user_email"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP TABLE "rate_limit_bucket"`);
  }
}
