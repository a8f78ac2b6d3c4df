import { MigrationInterface, QueryRunner } from 'typeorm';

/** The score columns: score_counts[s + 1] counts score s, 0–10. */
const SCORE_COUNTS = `ARRAY[${Array.from({ length: 11 }, (_, s) => `count(*) FILTER (WHERE a.score = ${s})`).join(', ')}]::int[]`;

/**
 * report_rollup_refresh, as ReportRollups wrote it, plus the campaign rollups
 * (report_wave_question, report_wave_option: per survey, team, day, department and question), so
 * that both stay current in the transaction that writes the answers, by the same triggers.
 */
const REFRESH_FUNCTION = `CREATE OR REPLACE FUNCTION report_rollup_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(7262011);
  CREATE TEMP TABLE IF NOT EXISTS report_rollup_keys (team_id uuid, day date) ON COMMIT DELETE ROWS;
  TRUNCATE report_rollup_keys;
  INSERT INTO report_rollup_keys SELECT DISTINCT t, d FROM unnest(p_teams, p_days) AS k(t, d);
  ANALYZE report_rollup_keys;

  DELETE FROM report_day_question x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;
  DELETE FROM report_day_option x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;
  DELETE FROM report_day_segment x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;
  DELETE FROM report_wave_question x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;
  DELETE FROM report_wave_option x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;

  INSERT INTO report_day_question (team_id, responded_on, source, question_id, n, score_sum, score_counts)
  SELECT r.team_id, r.responded_on, r.source, a.question_id, count(*), coalesce(sum(a.score), 0),
         ${SCORE_COUNTS}
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day
    JOIN answer a ON a.response_id = r.id
   WHERE a.question_id NOT IN (SELECT id FROM question WHERE type = 'multi')
   GROUP BY 1, 2, 3, 4;
  INSERT INTO report_day_question (team_id, responded_on, source, question_id, n, score_sum, score_counts)
  SELECT r.team_id, r.responded_on, r.source, a.question_id, count(DISTINCT a.response_id), 0,
         array_fill(0, ARRAY[11])
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day
    JOIN answer a ON a.response_id = r.id
   WHERE a.question_id IN (SELECT id FROM question WHERE type = 'multi')
   GROUP BY 1, 2, 3, 4;

  INSERT INTO report_day_option (team_id, responded_on, source, question_id, option_key, n)
  SELECT r.team_id, r.responded_on, r.source, a.question_id, a.option_key, count(*)
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day
    JOIN answer a ON a.response_id = r.id
   WHERE a.option_key IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO report_day_segment (team_id, responded_on, source, dimension, value, n, promoters, passives, detractors)
  SELECT r.team_id, r.responded_on, r.source, s.dimension, coalesce(s.value, 'Unknown'), count(*),
         count(*) FILTER (WHERE a.score >= 9), count(*) FILTER (WHERE a.score BETWEEN 7 AND 8),
         count(*) FILTER (WHERE a.score <= 6)
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day
    JOIN answer a ON a.response_id = r.id
   CROSS JOIN LATERAL (VALUES ('department', r.department), ('location', r.location),
                              ('tenure_band', r.tenure_band)) AS s(dimension, value)
   WHERE a.score IS NOT NULL AND a.question_id IN (SELECT id FROM question WHERE type = 'nps')
   GROUP BY 1, 2, 3, 4, 5;

  -- Campaign rollups: pulse responses, per survey (wave) and department.
  INSERT INTO report_wave_question (survey_id, team_id, responded_on, department, question_id, n, score_sum, score_counts)
  SELECT r.survey_id, r.team_id, r.responded_on, coalesce(r.department, 'Unknown'), a.question_id,
         count(DISTINCT a.response_id), coalesce(sum(a.score), 0), ${SCORE_COUNTS}
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day AND r.source = 'pulse'
    JOIN answer a ON a.response_id = r.id
   GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO report_wave_option (survey_id, team_id, responded_on, department, question_id, option_key, n)
  SELECT r.survey_id, r.team_id, r.responded_on, coalesce(r.department, 'Unknown'), a.question_id, a.option_key, count(*)
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day AND r.source = 'pulse'
    JOIN answer a ON a.response_id = r.id
   WHERE a.option_key IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6;

  INSERT INTO report_comment (answer_id, team_id, responded_on, source, sort_key)
  SELECT a.id, r.team_id, r.responded_on, r.source, random()
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day
    JOIN answer a ON a.response_id = r.id
   WHERE a.text IS NOT NULL
  ON CONFLICT (answer_id) DO NOTHING;
END
$fn$`;

/**
 * The truncate trigger empties the campaign rollups too (DELETE, as ReportPeriodRollups has it:
 * a TRUNCATE … CASCADE of response may already be truncating one of these tables).
 */
const truncateFunction = (
  tables: string[],
) => `CREATE OR REPLACE FUNCTION report_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  ${tables.map((table) => `DELETE FROM ${table};`).join('\n  ')}
  RETURN NULL;
END
$fn$`;
const ROLLUP_TABLES = [
  'report_day_question',
  'report_day_option',
  'report_day_segment',
  'report_comment',
  'report_period_question',
  'report_period_option',
  'report_period_segment',
];
const TRUNCATE_FUNCTION = truncateFunction([
  ...ROLLUP_TABLES,
  'report_wave_question',
  'report_wave_option',
]);

const QUESTION_TYPES = (types: string[]) =>
  `ALTER TABLE "question" ADD CONSTRAINT "ck_question_type" CHECK ("type" IN (${types.map((t) => `'${t}'`).join(', ')}))`;

/** Fills the campaign rollups from what is already there. */
const REBUILD_ROLLUPS = `SELECT report_rollup_refresh(array_agg(team_id), array_agg(responded_on))
   FROM (SELECT DISTINCT team_id, responded_on FROM response) k`;

export class CampaignWaves1796013819798 implements MigrationInterface {
  name = 'CampaignWaves1796013819798';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "campaign" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "template" character varying(32), "questionnaire_id" uuid NOT NULL, "subject" character varying(16) NOT NULL, "team_ids" uuid array NOT NULL DEFAULT '{}', "audience" jsonb NOT NULL, "cadence" character varying(16) NOT NULL, "every_weeks" smallint, "rrule" character varying(300), "start_local" character varying(16) NOT NULL, "time_zone" character varying(64) NOT NULL, "window_from" character varying(5) NOT NULL DEFAULT '09:00', "window_to" character varying(5) NOT NULL DEFAULT '17:00', "window_days" character varying array NOT NULL DEFAULT '{mon,tue,wed,thu,fri}', "open_days" smallint NOT NULL, "reminder_days" smallint array NOT NULL DEFAULT '{}', "rotation_size" smallint, "reporting_threshold" smallint NOT NULL, "schedule_from" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_campaign_threshold" CHECK ("reporting_threshold" >= 3), CONSTRAINT "ck_campaign_subject" CHECK ("subject" IN ('teams', 'own_team')), CONSTRAINT "ck_campaign_status" CHECK ("status" IN ('active', 'paused', 'archived')), CONSTRAINT "PK_0ce34d26e7f2eb316a3a592cdc4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "wave" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "campaign_id" uuid NOT NULL, "number" integer NOT NULL, "opens_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closes_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'scheduled', "survey_id" uuid, "invited" integer NOT NULL DEFAULT '0', "reminders_sent" smallint NOT NULL DEFAULT '0', "opened_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_wave_status" CHECK ("status" IN ('scheduled', 'open', 'closed')), CONSTRAINT "PK_07d28eef1d84d7bfc8cbd86339c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_wave_survey" ON "wave"  ("survey_id") WHERE survey_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_wave_due" ON "wave"  ("status", "closes_at") WHERE status <> 'closed'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_wave_campaign_number" ON "wave"  ("campaign_id", "number") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_wave_campaign_opens_at" ON "wave"  ("campaign_id", "opens_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "report_wave_option" ("survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "responded_on" date NOT NULL, "department" character varying(100) NOT NULL, "question_id" uuid NOT NULL, "option_key" character varying(64) NOT NULL, "n" integer NOT NULL, CONSTRAINT "PK_7b31f205333d3b6dc8e23ca2588" PRIMARY KEY ("survey_id", "team_id", "responded_on", "department", "question_id", "option_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_wave_question" ("survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "responded_on" date NOT NULL, "department" character varying(100) NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "score_sum" bigint NOT NULL, "score_counts" integer array NOT NULL, CONSTRAINT "PK_a8bb16004d29b99bc7da8b3f794" PRIMARY KEY ("survey_id", "team_id", "responded_on", "department", "question_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_report_wave_question_survey" ON "report_wave_question"  ("survey_id", "question_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD "subject" character varying(16) NOT NULL DEFAULT 'team'`,
    );
    await queryRunner.query(`ALTER TABLE "survey" ADD "rated_team_ids" uuid array`);
    await queryRunner.query(`ALTER TABLE "survey" ADD "question_ids" uuid array`);
    await queryRunner.query(`ALTER TABLE "employee" ADD "time_zone" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "employee" ADD "team_id" uuid`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD "team_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "invitation" ADD "asks_enps" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "fk_survey_team"`);
    await queryRunner.query(`ALTER TABLE "survey" ALTER COLUMN "team_id" DROP NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_employee_team" ON "employee"  ("team_id") `);
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "ck_survey_team" CHECK (("subject" = 'team') = ("team_id" IS NOT NULL) AND ("subject" = 'teams') = ("rated_team_ids" IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "ck_survey_subject" CHECK ("subject" IN ('team', 'teams', 'own_team'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "campaign" ADD CONSTRAINT "fk_campaign_questionnaire" FOREIGN KEY ("questionnaire_id") REFERENCES "questionnaire"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "fk_survey_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wave" ADD CONSTRAINT "fk_wave_campaign" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "wave" ADD CONSTRAINT "fk_wave_survey" FOREIGN KEY ("survey_id") REFERENCES "survey"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employee" ADD CONSTRAINT "fk_employee_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "question" DROP CONSTRAINT "ck_question_type"`);
    await queryRunner.query(
      QUESTION_TYPES(['nps', 'enps', 'rating', 'ces', 'single', 'multi', 'text']),
    );
    await queryRunner.query(REFRESH_FUNCTION);
    await queryRunner.query(TRUNCATE_FUNCTION);
    await queryRunner.query(REBUILD_ROLLUPS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // The functions go back to what ReportRollups wrote by re-running it is not possible here;
    // dropping the wave tables below makes the refresh fail, so the old bodies are restored.
    await queryRunner.query(
      REFRESH_FUNCTION.replace(/\n {2}DELETE FROM report_wave_[\s\S]*?;/g, '').replace(
        /\n {2}-- Campaign rollups[\s\S]*?GROUP BY 1, 2, 3, 4, 5, 6;\n/,
        '\n',
      ),
    );
    await queryRunner.query(truncateFunction(ROLLUP_TABLES));
    await queryRunner.query(`ALTER TABLE "question" DROP CONSTRAINT "ck_question_type"`);
    await queryRunner.query(QUESTION_TYPES(['nps', 'rating', 'ces', 'single', 'multi', 'text']));
    await queryRunner.query(`ALTER TABLE "employee" DROP CONSTRAINT "fk_employee_team"`);
    await queryRunner.query(`ALTER TABLE "wave" DROP CONSTRAINT "fk_wave_survey"`);
    await queryRunner.query(`ALTER TABLE "wave" DROP CONSTRAINT "fk_wave_campaign"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "fk_survey_team"`);
    await queryRunner.query(`ALTER TABLE "campaign" DROP CONSTRAINT "fk_campaign_questionnaire"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "ck_survey_subject"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "ck_survey_team"`);
    await queryRunner.query(`DROP INDEX "public"."ix_employee_team"`);
    await queryRunner.query(`ALTER TABLE "survey" ALTER COLUMN "team_id" SET NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "fk_survey_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "asks_enps"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "team_id"`);
    await queryRunner.query(`ALTER TABLE "employee" DROP COLUMN "team_id"`);
    await queryRunner.query(`ALTER TABLE "employee" DROP COLUMN "time_zone"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP COLUMN "question_ids"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP COLUMN "rated_team_ids"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP COLUMN "subject"`);
    await queryRunner.query(`DROP INDEX "public"."ix_report_wave_question_survey"`);
    await queryRunner.query(`DROP TABLE "report_wave_question"`);
    await queryRunner.query(`DROP TABLE "report_wave_option"`);
    await queryRunner.query(`DROP INDEX "public"."uq_wave_campaign_opens_at"`);
    await queryRunner.query(`DROP INDEX "public"."uq_wave_campaign_number"`);
    await queryRunner.query(`DROP INDEX "public"."ix_wave_due"`);
    await queryRunner.query(`DROP INDEX "public"."uq_wave_survey"`);
    await queryRunner.query(`DROP TABLE "wave"`);
    await queryRunner.query(`DROP TABLE "campaign"`);
  }
}
