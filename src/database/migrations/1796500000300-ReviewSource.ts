import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anonymous reviews (the reviews feature): a third source of answers beside pulses and surveys
 * after tickets — `review` allowed on survey and response — a team's review survey per month,
 * the questionnaire HR chose for a team's reviews, and the built-in one's key. The rollups need
 * no change: they are kept per source already.
 */
export class ReviewSource1796500000300 implements MigrationInterface {
  name = 'ReviewSource1796500000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "ck_survey_source"`);
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "ck_survey_source" CHECK ("source" IN ('pulse', 'ticket', 'review'))`,
    );
    await queryRunner.query(`ALTER TABLE "response" DROP CONSTRAINT "ck_response_source"`);
    await queryRunner.query(
      `ALTER TABLE "response" ADD CONSTRAINT "ck_response_source" CHECK ("source" IN ('pulse', 'ticket', 'review'))`,
    );
    await queryRunner.query(
      `CREATE TABLE "review_survey" ("team_id" uuid NOT NULL, "period" character varying(7) NOT NULL, "survey_id" uuid NOT NULL, CONSTRAINT "PK_70051ca51958d0aaff0cb91e3a1" PRIMARY KEY ("team_id", "period"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_review_survey_survey" ON "review_survey"  ("survey_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "team_review_setting" ("team_id" uuid NOT NULL, "questionnaire_id" uuid NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d6898b9df3d983ca7aeb387ddac" PRIMARY KEY ("team_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "review_builtin_questionnaire" ("key" character varying(32) NOT NULL, "questionnaire_id" uuid NOT NULL, CONSTRAINT "PK_243cf5ed3e6a0a14255c163d2a5" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "review_survey" ADD CONSTRAINT "fk_review_survey_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "review_survey" ADD CONSTRAINT "fk_review_survey_survey" FOREIGN KEY ("survey_id") REFERENCES "survey"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_review_setting" ADD CONSTRAINT "fk_team_review_setting_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_review_setting" ADD CONSTRAINT "fk_team_review_setting_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "questionnaire"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "review_builtin_questionnaire" ADD CONSTRAINT "fk_review_builtin_questionnaire_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "questionnaire"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "review_builtin_questionnaire" DROP CONSTRAINT "fk_review_builtin_questionnaire_questionnaire"`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_review_setting" DROP CONSTRAINT "fk_team_review_setting_questionnaire"`,
    );
    await queryRunner.query(
      `ALTER TABLE "team_review_setting" DROP CONSTRAINT "fk_team_review_setting_team"`,
    );
    await queryRunner.query(
      `ALTER TABLE "review_survey" DROP CONSTRAINT "fk_review_survey_survey"`,
    );
    await queryRunner.query(`ALTER TABLE "review_survey" DROP CONSTRAINT "fk_review_survey_team"`);
    await queryRunner.query(`DROP TABLE "review_builtin_questionnaire"`);
    await queryRunner.query(`DROP TABLE "team_review_setting"`);
    await queryRunner.query(`DROP INDEX "public"."uq_review_survey_survey"`);
    await queryRunner.query(`DROP TABLE "review_survey"`);
    // Reviews' answers and surveys go with the source they were recorded as.
    await queryRunner.query(`DELETE FROM "response" WHERE "source" = 'review'`);
    await queryRunner.query(`DELETE FROM "survey" WHERE "source" = 'review'`);
    await queryRunner.query(`ALTER TABLE "response" DROP CONSTRAINT "ck_response_source"`);
    await queryRunner.query(
      `ALTER TABLE "response" ADD CONSTRAINT "ck_response_source" CHECK ("source" IN ('pulse', 'ticket'))`,
    );
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "ck_survey_source"`);
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "ck_survey_source" CHECK ("source" IN ('pulse', 'ticket'))`,
    );
  }
}
