import { MigrationInterface, QueryRunner } from 'typeorm';

/** The score columns: score_counts[s + 1] counts score s, 0–10. */
const SCORE_COUNTS = `ARRAY[${Array.from({ length: 11 }, (_, s) => `count(*) FILTER (WHERE a.score = ${s})`).join(', ')}]::int[]`;

/**
 * report_rollup_refresh(teams, days) recomputes the rollup rows of the given (team, day) pairs
 * from `response` and `answer`, and indexes their new comments. It is what the triggers call
 * after answers are written (the mixer, the demo seed) or responses deleted, so the rollups
 * change in the same transaction as what they summarise; called with every pair it rebuilds
 * everything (the backfill below, and bench:seed after its bulk load).
 */
const REFRESH_FUNCTION = `CREATE FUNCTION report_rollup_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  -- One writer at a time: each statement below then sees what an earlier writer committed.
  PERFORM pg_advisory_xact_lock(7262011);
  CREATE TEMP TABLE IF NOT EXISTS report_rollup_keys (team_id uuid, day date) ON COMMIT DELETE ROWS;
  TRUNCATE report_rollup_keys;
  INSERT INTO report_rollup_keys SELECT DISTINCT t, d FROM unnest(p_teams, p_days) AS k(t, d);
  ANALYZE report_rollup_keys;

  DELETE FROM report_day_question x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;
  DELETE FROM report_day_option x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;
  DELETE FROM report_day_segment x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.responded_on = k.day;

  -- One answer row per response for every type but multi, which has one per chosen option.
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

  -- Comments keep the random sort key they were given when first indexed.
  INSERT INTO report_comment (answer_id, team_id, responded_on, source, sort_key)
  SELECT a.id, r.team_id, r.responded_on, r.source, random()
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.responded_on = k.day
    JOIN answer a ON a.response_id = r.id
   WHERE a.text IS NOT NULL
  ON CONFLICT (answer_id) DO NOTHING;
END
$fn$`;

/** Statement-level triggers: one refresh per INSERT of answers or DELETE of responses. */
const TRIGGERS = [
  `CREATE FUNCTION report_rollup_after_answers() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM report_rollup_refresh(array_agg(team_id), array_agg(responded_on))
     FROM (SELECT DISTINCT r.team_id, r.responded_on
             FROM new_answers a JOIN response r ON r.id = a.response_id) k
    HAVING count(*) > 0;
  RETURN NULL;
END
$fn$`,
  `CREATE TRIGGER trg_answer_rollup AFTER INSERT ON answer REFERENCING NEW TABLE AS new_answers
     FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_after_answers()`,
  `CREATE FUNCTION report_rollup_after_responses_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM report_rollup_refresh(array_agg(team_id), array_agg(responded_on))
     FROM (SELECT DISTINCT team_id, responded_on FROM old_responses) k
    HAVING count(*) > 0;
  RETURN NULL;
END
$fn$`,
  `CREATE TRIGGER trg_response_rollup AFTER DELETE ON response REFERENCING OLD TABLE AS old_responses
     FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_after_responses_deleted()`,
  `CREATE FUNCTION report_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  TRUNCATE report_day_question, report_day_option, report_day_segment, report_comment;
  RETURN NULL;
END
$fn$`,
  `CREATE TRIGGER trg_response_rollup_truncate AFTER TRUNCATE ON response
     FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_truncate()`,
];

/** The backfill: every (team, day) that has responses. */
const REBUILD_ROLLUPS = `SELECT report_rollup_refresh(array_agg(team_id), array_agg(responded_on))
   FROM (SELECT DISTINCT team_id, responded_on FROM response) k`;

export class ReportRollups1795448930031 implements MigrationInterface {
  name = 'ReportRollups1795448930031';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "report_comment" ("answer_id" uuid NOT NULL, "team_id" uuid NOT NULL, "responded_on" date NOT NULL, "source" character varying(16) NOT NULL, "sort_key" double precision NOT NULL, CONSTRAINT "PK_9a64cb7f25281b3dc11088ddb04" PRIMARY KEY ("answer_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_report_comment_team_day" ON "report_comment"  ("team_id", "responded_on", "sort_key", "answer_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "report_day_option" ("team_id" uuid NOT NULL, "question_id" uuid NOT NULL, "responded_on" date NOT NULL, "source" character varying(16) NOT NULL, "option_key" character varying(64) NOT NULL, "n" integer NOT NULL, CONSTRAINT "PK_3a5d6981153b1ffdd41f493935c" PRIMARY KEY ("team_id", "question_id", "responded_on", "source", "option_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_day_question" ("team_id" uuid NOT NULL, "question_id" uuid NOT NULL, "responded_on" date NOT NULL, "source" character varying(16) NOT NULL, "n" integer NOT NULL, "score_sum" bigint NOT NULL, "score_counts" integer array NOT NULL, CONSTRAINT "PK_75541236d3fe1739e4627d5286f" PRIMARY KEY ("team_id", "question_id", "responded_on", "source"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_day_segment" ("team_id" uuid NOT NULL, "dimension" character varying(16) NOT NULL, "responded_on" date NOT NULL, "source" character varying(16) NOT NULL, "value" character varying(100) NOT NULL, "n" integer NOT NULL, "promoters" integer NOT NULL, "passives" integer NOT NULL, "detractors" integer NOT NULL, CONSTRAINT "PK_9bfb40572c89a80beec52cf7bf0" PRIMARY KEY ("team_id", "dimension", "responded_on", "source", "value"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "report_comment" ADD CONSTRAINT "fk_report_comment_answer" FOREIGN KEY ("answer_id") REFERENCES "answer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(REFRESH_FUNCTION);
    for (const statement of TRIGGERS) await queryRunner.query(statement);
    await queryRunner.query(REBUILD_ROLLUPS);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_response_rollup_truncate" ON "response"`);
    await queryRunner.query(`DROP TRIGGER "trg_response_rollup" ON "response"`);
    await queryRunner.query(`DROP TRIGGER "trg_answer_rollup" ON "answer"`);
    await queryRunner.query(`DROP FUNCTION report_rollup_truncate()`);
    await queryRunner.query(`DROP FUNCTION report_rollup_after_responses_deleted()`);
    await queryRunner.query(`DROP FUNCTION report_rollup_after_answers()`);
    await queryRunner.query(`DROP FUNCTION report_rollup_refresh(uuid[], date[])`);
    await queryRunner.query(
      `ALTER TABLE "report_comment" DROP CONSTRAINT "fk_report_comment_answer"`,
    );
    await queryRunner.query(`DROP TABLE "report_day_segment"`);
    await queryRunner.query(`DROP TABLE "report_day_question"`);
    await queryRunner.query(`DROP TABLE "report_day_option"`);
    await queryRunner.query(`DROP INDEX "public"."ix_report_comment_team_day"`);
    await queryRunner.query(`DROP TABLE "report_comment"`);
  }
}
