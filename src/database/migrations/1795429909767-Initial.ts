import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795429909767 implements MigrationInterface {
  name = 'Initial1795429909767';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "employee" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(320) NOT NULL, "external_id" character varying(100), "name" character varying(200) NOT NULL, "department" character varying(100), "location" character varying(100), "hire_date" date, "locale" character varying(16) NOT NULL DEFAULT 'en', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3c2bc72f03fd5abbbc5ac169498" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_employee_email" ON "employee"  ("email") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_employee_external_id" ON "employee"  ("external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "service_team" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "parent_id" uuid, "nps_target" smallint, "csat_target" smallint, "first_response_target_minutes" integer, "resolution_target_minutes" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_73ce63c26f5f61a675c23afe2a2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_service_team_slug" ON "service_team"  ("slug") `,
    );
    await queryRunner.query(
      `CREATE TABLE "question" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "questionnaire_id" uuid NOT NULL, "position" smallint NOT NULL, "type" character varying(16) NOT NULL, "required" boolean NOT NULL DEFAULT false, "text" jsonb NOT NULL, "options" jsonb, "max_length" integer, CONSTRAINT "ck_question_type" CHECK ("type" IN ('nps', 'rating', 'ces', 'single', 'multi', 'text')), CONSTRAINT "PK_21e5786aa0ea704ae185a79b2d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_question_position" ON "question"  ("questionnaire_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "questionnaire" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "default_locale" character varying(16) NOT NULL DEFAULT 'en', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e8232a11eaabac903636eb7e71e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "survey" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "questionnaire_id" uuid NOT NULL, "team_id" uuid NOT NULL, "reporting_threshold" smallint NOT NULL, "closes_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f0da32b9181e9c02ecf0be11ed3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "invitation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "survey_id" uuid NOT NULL, "employee_id" uuid NOT NULL, "token_hash" bytea, "department" character varying(100), "location" character varying(100), "tenure_band" character varying(16), "sent_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "answered_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_beb994737756c0f18a1c1f8669c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_invitation_employee" ON "invitation"  ("employee_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_invitation_token_hash" ON "invitation"  ("token_hash") WHERE token_hash IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_invitation_survey_employee" ON "invitation"  ("survey_id", "employee_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "outbox_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "to_address" character varying(320) NOT NULL, "subject" character varying(300) NOT NULL, "html" text NOT NULL, "text" text NOT NULL, "kind" character varying(32) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2f36ee5236f2793f3e7bd554589" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "response" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "responded_on" date NOT NULL, "locale" character varying(16) NOT NULL, "department" character varying(100), "location" character varying(100), "tenure_band" character varying(16), CONSTRAINT "ck_response_source" CHECK ("source" IN ('pulse', 'ticket')), CONSTRAINT "PK_f64544baf2b4dc48ba623ce768f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_response_survey" ON "response"  ("survey_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_response_team_day" ON "response"  ("team_id", "responded_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "answer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "response_id" uuid NOT NULL, "question_id" uuid NOT NULL, "score" smallint, "option_key" character varying(64), "text" text, CONSTRAINT "PK_9232db17b63fb1e94f97e5c224f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_answer_response" ON "answer"  ("response_id") `);
    await queryRunner.query(`CREATE INDEX "ix_answer_question" ON "answer"  ("question_id") `);
    await queryRunner.query(
      `CREATE TABLE "pending_response" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "responded_on" date NOT NULL, "locale" character varying(16) NOT NULL, "department" character varying(100), "location" character varying(100), "tenure_band" character varying(16), "answers" jsonb NOT NULL, CONSTRAINT "PK_10bde2bd3fe38127b131efa8dc7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "instance_secret" ("name" character varying(64) NOT NULL, "value" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e1da09bd14e6c83b59ab8a261bb" PRIMARY KEY ("name"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "service_team" ADD CONSTRAINT "fk_service_team_parent" FOREIGN KEY ("parent_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "question" ADD CONSTRAINT "fk_question_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "questionnaire"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "fk_survey_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "questionnaire"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "fk_survey_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitation" ADD CONSTRAINT "fk_invitation_survey" FOREIGN KEY ("survey_id") REFERENCES "survey"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitation" ADD CONSTRAINT "fk_invitation_employee" FOREIGN KEY ("employee_id") REFERENCES "employee"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "response" ADD CONSTRAINT "fk_response_survey" FOREIGN KEY ("survey_id") REFERENCES "survey"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "response" ADD CONSTRAINT "fk_response_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "answer" ADD CONSTRAINT "fk_answer_response" FOREIGN KEY ("response_id") REFERENCES "response"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "answer" ADD CONSTRAINT "fk_answer_question" FOREIGN KEY ("question_id") REFERENCES "question"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "answer" DROP CONSTRAINT "fk_answer_question"`);
    await queryRunner.query(`ALTER TABLE "answer" DROP CONSTRAINT "fk_answer_response"`);
    await queryRunner.query(`ALTER TABLE "response" DROP CONSTRAINT "fk_response_team"`);
    await queryRunner.query(`ALTER TABLE "response" DROP CONSTRAINT "fk_response_survey"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP CONSTRAINT "fk_invitation_employee"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP CONSTRAINT "fk_invitation_survey"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "fk_survey_team"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "fk_survey_questionnaire"`);
    await queryRunner.query(`ALTER TABLE "question" DROP CONSTRAINT "fk_question_questionnaire"`);
    await queryRunner.query(`ALTER TABLE "service_team" DROP CONSTRAINT "fk_service_team_parent"`);
    await queryRunner.query(`DROP TABLE "instance_secret"`);
    await queryRunner.query(`DROP TABLE "pending_response"`);
    await queryRunner.query(`DROP INDEX "public"."ix_answer_question"`);
    await queryRunner.query(`DROP INDEX "public"."ix_answer_response"`);
    await queryRunner.query(`DROP TABLE "answer"`);
    await queryRunner.query(`DROP INDEX "public"."ix_response_team_day"`);
    await queryRunner.query(`DROP INDEX "public"."ix_response_survey"`);
    await queryRunner.query(`DROP TABLE "response"`);
    await queryRunner.query(`DROP TABLE "outbox_message"`);
    await queryRunner.query(`DROP INDEX "public"."uq_invitation_survey_employee"`);
    await queryRunner.query(`DROP INDEX "public"."uq_invitation_token_hash"`);
    await queryRunner.query(`DROP INDEX "public"."ix_invitation_employee"`);
    await queryRunner.query(`DROP TABLE "invitation"`);
    await queryRunner.query(`DROP TABLE "survey"`);
    await queryRunner.query(`DROP TABLE "questionnaire"`);
    await queryRunner.query(`DROP INDEX "public"."uq_question_position"`);
    await queryRunner.query(`DROP TABLE "question"`);
    await queryRunner.query(`DROP INDEX "public"."uq_service_team_slug"`);
    await queryRunner.query(`DROP TABLE "service_team"`);
    await queryRunner.query(`DROP INDEX "public"."uq_employee_external_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_employee_email"`);
    await queryRunner.query(`DROP TABLE "employee"`);
  }
}
