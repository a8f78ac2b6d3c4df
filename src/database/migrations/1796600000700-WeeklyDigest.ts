import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The weekly digest: the organisation's settings (one row), who unsubscribed, and the claims
 * that make the tick idempotent (one digest per person and week, one alert per team and period).
 * Holds no answer and no figure beyond the size of an alerted drop.
 */
export class WeeklyDigest1796600000700 implements MigrationInterface {
  name = 'WeeklyDigest1796600000700';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "digest_setting" ("id" smallint NOT NULL DEFAULT '1', "enabled" boolean NOT NULL DEFAULT true, "weekday" smallint NOT NULL DEFAULT '1', "hour" smallint NOT NULL DEFAULT '8', "grain" character varying(8) NOT NULL DEFAULT 'month', "locale" character varying(16) NOT NULL DEFAULT 'en', "time_zone" character varying(64), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_digest_setting_grain" CHECK (grain IN ('week', 'month', 'quarter')), CONSTRAINT "ck_digest_setting_hour" CHECK (hour BETWEEN 0 AND 23), CONSTRAINT "ck_digest_setting_weekday" CHECK (weekday BETWEEN 1 AND 7), CONSTRAINT "ck_digest_setting_single_row" CHECK (id = 1), CONSTRAINT "PK_digest_setting" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "digest_opt_out" ("user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_digest_opt_out" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "digest_sent" ("user_id" uuid NOT NULL, "week_start" date NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_digest_sent" PRIMARY KEY ("user_id", "week_start"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "digest_alert" ("team_id" uuid NOT NULL, "grain" character varying(8) NOT NULL, "period_start" date NOT NULL, "delta" real NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_digest_alert" PRIMARY KEY ("team_id", "grain", "period_start"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "digest_opt_out" ADD CONSTRAINT "fk_digest_opt_out_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "digest_sent" ADD CONSTRAINT "fk_digest_sent_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "digest_alert" ADD CONSTRAINT "fk_digest_alert_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "digest_alert" DROP CONSTRAINT "fk_digest_alert_team"`);
    await queryRunner.query(`ALTER TABLE "digest_sent" DROP CONSTRAINT "fk_digest_sent_user"`);
    await queryRunner.query(
      `ALTER TABLE "digest_opt_out" DROP CONSTRAINT "fk_digest_opt_out_user"`,
    );
    await queryRunner.query(`DROP TABLE "digest_alert"`);
    await queryRunner.query(`DROP TABLE "digest_sent"`);
    await queryRunner.query(`DROP TABLE "digest_opt_out"`);
    await queryRunner.query(`DROP TABLE "digest_setting"`);
  }
}
