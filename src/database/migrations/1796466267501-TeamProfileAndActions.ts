import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closing the loop: a team's self-description for the service directory (purpose per language,
 * opening hours in its time zone with exceptions, contact channels) and its action plans
 * ("you said, we did"). Existing teams get empty profiles; nothing is backfilled.
 */
export class TeamProfileAndActions1796466267501 implements MigrationInterface {
  name = 'TeamProfileAndActions1796466267501';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "team_action" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "heard" text NOT NULL, "planned" text NOT NULL, "locale" character varying(8) NOT NULL, "translations" jsonb NOT NULL DEFAULT '{}', "origin" character varying(16) NOT NULL DEFAULT 'other', "origin_ref" jsonb, "owner_user_id" uuid, "due_on" date, "status" character varying(16) NOT NULL DEFAULT 'planned', "done_on" date, "published" boolean NOT NULL DEFAULT false, "reminded_for" date, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_team_action_done" CHECK (("status" = 'done') = ("done_on" IS NOT NULL)), CONSTRAINT "ck_team_action_origin" CHECK ("origin" IN ('question', 'comments', 'follow_up', 'other')), CONSTRAINT "ck_team_action_status" CHECK ("status" IN ('planned', 'in_progress', 'done', 'dropped')), CONSTRAINT "PK_08e076fa4fe058e7979c78f6ffd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_team_action_team" ON "team_action"  ("team_id", "status") `,
    );
    await queryRunner.query(`ALTER TABLE "service_team" ADD "purpose" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(
      `ALTER TABLE "service_team" ADD "profile_locale" character varying(8) NOT NULL DEFAULT 'en'`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_team" ADD "time_zone" character varying(64) NOT NULL DEFAULT 'UTC'`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_team" ADD "opening_hours" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_team" ADD "hours_exceptions" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_team" ADD "contact_channels" jsonb NOT NULL DEFAULT '[]'`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_action" ADD CONSTRAINT "fk_team_action_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_action" ADD CONSTRAINT "fk_team_action_owner" FOREIGN KEY ("owner_user_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "team_action" DROP CONSTRAINT "fk_team_action_owner"`);
    await queryRunner.query(`ALTER TABLE "team_action" DROP CONSTRAINT "fk_team_action_team"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP COLUMN "contact_channels"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP COLUMN "hours_exceptions"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP COLUMN "opening_hours"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP COLUMN "time_zone"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP COLUMN "profile_locale"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP COLUMN "purpose"`);
    await queryRunner.query(`DROP INDEX "public"."ix_team_action_team"`);
    await queryRunner.query(`DROP TABLE "team_action"`);
  }
}
