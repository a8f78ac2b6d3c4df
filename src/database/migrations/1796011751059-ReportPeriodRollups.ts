import { MigrationInterface, QueryRunner } from 'typeorm';

/** Element-wise sum of the 11 score counts of the daily rows. */
const SUM_SCORE_COUNTS = `ARRAY[${Array.from({ length: 11 }, (_, i) => `sum(d.score_counts[${i + 1}])`).join(', ')}]::int[]`;

/**
 * report_period_refresh(teams, days) recomputes the week, month and quarter rollup rows that
 * hold the given (team, day) pairs, by summing the daily rows (report_day_*), which
 * report_rollup_refresh has just recomputed. Reports read only these period rows: a few hundred
 * per page, however many responses there are. Rows are written in key order so that a bucket's
 * rows sit together on disk after a backfill, as they do when written live.
 */
const PERIOD_FUNCTION = `CREATE FUNCTION report_period_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(7262011);
  CREATE TEMP TABLE IF NOT EXISTS report_period_keys (grain varchar(8), bucket_start date, bucket_end date, team_id uuid) ON COMMIT DELETE ROWS;
  TRUNCATE report_period_keys;
  INSERT INTO report_period_keys
  SELECT DISTINCT g.grain, date_trunc(g.grain, k.d::timestamp)::date,
         (date_trunc(g.grain, k.d::timestamp) + g.span)::date, k.t
    FROM unnest(p_teams, p_days) AS k(t, d)
   CROSS JOIN (VALUES ('week', interval '7 days'), ('month', interval '1 month'),
                      ('quarter', interval '3 months')) AS g(grain, span);
  ANALYZE report_period_keys;

  DELETE FROM report_period_question x USING report_period_keys k
   WHERE x.grain = k.grain AND x.bucket_start = k.bucket_start AND x.team_id = k.team_id;
  DELETE FROM report_period_option x USING report_period_keys k
   WHERE x.grain = k.grain AND x.bucket_start = k.bucket_start AND x.team_id = k.team_id;
  DELETE FROM report_period_segment x USING report_period_keys k
   WHERE x.grain = k.grain AND x.bucket_start = k.bucket_start AND x.team_id = k.team_id;

  INSERT INTO report_period_question (grain, bucket_start, question_id, team_id, source, n, score_sum, score_counts)
  SELECT k.grain, k.bucket_start, d.question_id, k.team_id, d.source, sum(d.n), sum(d.score_sum),
         ${SUM_SCORE_COUNTS}
    FROM report_period_keys k
    JOIN report_day_question d ON d.team_id = k.team_id
     AND d.responded_on >= k.bucket_start AND d.responded_on < k.bucket_end
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5;
  INSERT INTO report_period_option (grain, bucket_start, question_id, team_id, source, option_key, n)
  SELECT k.grain, k.bucket_start, d.question_id, k.team_id, d.source, d.option_key, sum(d.n)
    FROM report_period_keys k
    JOIN report_day_option d ON d.team_id = k.team_id
     AND d.responded_on >= k.bucket_start AND d.responded_on < k.bucket_end
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6;
  INSERT INTO report_period_segment (grain, dimension, bucket_start, team_id, source, value, n, promoters, passives, detractors)
  SELECT k.grain, d.dimension, k.bucket_start, k.team_id, d.source, d.value, sum(d.n),
         sum(d.promoters), sum(d.passives), sum(d.detractors)
    FROM report_period_keys k
    JOIN report_day_segment d ON d.team_id = k.team_id
     AND d.responded_on >= k.bucket_start AND d.responded_on < k.bucket_end
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6;
END
$fn$`;

/**
 * report_refresh: the daily rows, then the period rows. The triggers of the ReportRollups
 * migration now call it (same names, new bodies); the truncate trigger empties the new tables too.
 */
const REFRESH_FUNCTION = `CREATE FUNCTION report_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM report_rollup_refresh(p_teams, p_days);
  PERFORM report_period_refresh(p_teams, p_days);
END
$fn$`;

const triggerFunctions = (refresh: string, periodTables: string[]) => [
  `CREATE OR REPLACE FUNCTION report_rollup_after_answers() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM ${refresh}(array_agg(team_id), array_agg(responded_on))
     FROM (SELECT DISTINCT r.team_id, r.responded_on
             FROM new_answers a JOIN response r ON r.id = a.response_id) k
    HAVING count(*) > 0;
  RETURN NULL;
END
$fn$`,
  `CREATE OR REPLACE FUNCTION report_rollup_after_responses_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM ${refresh}(array_agg(team_id), array_agg(responded_on))
     FROM (SELECT DISTINCT team_id, responded_on FROM old_responses) k
    HAVING count(*) > 0;
  RETURN NULL;
END
$fn$`,
  // DELETE rather than TRUNCATE: a TRUNCATE … CASCADE of response may already be truncating
  // report_comment in the same statement, and TRUNCATE refuses a table in use.
  `CREATE OR REPLACE FUNCTION report_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  ${[
    'report_day_question',
    'report_day_option',
    'report_day_segment',
    'report_comment',
    ...periodTables,
  ]
    .map((table) => `DELETE FROM ${table};`)
    .join('\n  ')}
  RETURN NULL;
END
$fn$`,
];

/** The backfill: the period rows of every (team, day) that has daily rows. */
const BACKFILL = `SELECT report_period_refresh(array_agg(team_id), array_agg(responded_on))
   FROM (SELECT DISTINCT team_id, responded_on FROM report_day_question) k`;

export class ReportPeriodRollups1796011751059 implements MigrationInterface {
  name = 'ReportPeriodRollups1796011751059';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "report_period_option" ("grain" character varying(8) NOT NULL, "bucket_start" date NOT NULL, "question_id" uuid NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "option_key" character varying(64) NOT NULL, "n" integer NOT NULL, CONSTRAINT "ck_report_period_option_grain" CHECK ("grain" IN ('week', 'month', 'quarter')), CONSTRAINT "PK_69eb14f2879b69a25ea023afcce" PRIMARY KEY ("grain", "bucket_start", "question_id", "team_id", "source", "option_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_period_question" ("grain" character varying(8) NOT NULL, "bucket_start" date NOT NULL, "question_id" uuid NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "n" integer NOT NULL, "score_sum" bigint NOT NULL, "score_counts" integer array NOT NULL, CONSTRAINT "ck_report_period_question_grain" CHECK ("grain" IN ('week', 'month', 'quarter')), CONSTRAINT "PK_f5d574a4de1a7bd6365b5fe73e4" PRIMARY KEY ("grain", "bucket_start", "question_id", "team_id", "source"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_period_segment" ("grain" character varying(8) NOT NULL, "dimension" character varying(16) NOT NULL, "bucket_start" date NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "value" character varying(100) NOT NULL, "n" integer NOT NULL, "promoters" integer NOT NULL, "passives" integer NOT NULL, "detractors" integer NOT NULL, CONSTRAINT "ck_report_period_segment_grain" CHECK ("grain" IN ('week', 'month', 'quarter')), CONSTRAINT "PK_5722e1021c7c6520c0d947c2ad5" PRIMARY KEY ("grain", "dimension", "bucket_start", "team_id", "source", "value"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_report_day_question_team_day" ON "report_day_question" ("team_id", "responded_on")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_report_day_option_team_day" ON "report_day_option" ("team_id", "responded_on")`,
    );
    await queryRunner.query(PERIOD_FUNCTION);
    await queryRunner.query(REFRESH_FUNCTION);
    for (const statement of triggerFunctions('report_refresh', [
      'report_period_question',
      'report_period_option',
      'report_period_segment',
    ]))
      await queryRunner.query(statement);
    await queryRunner.query(BACKFILL);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of triggerFunctions('report_rollup_refresh', []))
      await queryRunner.query(statement);
    await queryRunner.query(`DROP FUNCTION report_refresh(uuid[], date[])`);
    await queryRunner.query(`DROP FUNCTION report_period_refresh(uuid[], date[])`);
    await queryRunner.query(`DROP INDEX "public"."ix_report_day_option_team_day"`);
    await queryRunner.query(`DROP INDEX "public"."ix_report_day_question_team_day"`);
    await queryRunner.query(`DROP TABLE "report_period_segment"`);
    await queryRunner.query(`DROP TABLE "report_period_question"`);
    await queryRunner.query(`DROP TABLE "report_period_option"`);
  }
}
