/**
 * The one source of the functions and triggers that keep the report rollups current: what the
 * database holds is exactly this text (test/integration/sql-functions.spec.ts compares
 * `pg_get_functiondef` and `pg_get_triggerdef` with it), so nobody has to find the last migration
 * that touched them. To change one: edit it here and add a migration whose `up` calls
 * `applyReportRollupSql` (as ReportRollupSource does); the test fails until that migration runs.
 *
 * The rollups are built from releases: a release is what the mixer wrote for one survey, rated
 * team and day (every response of it is a different person, and there are at least m of them).
 * A release shows a question only where at least the survey's k answered it (its comment
 * threshold for text questions); otherwise that question's answers of that release count
 * nowhere — in no day, period, tree group or wave. Every figure a report shows is then a sum of
 * whole releases that each reach k, so no two figures can differ by fewer than k answers.
 */

import {
  DRIVER_CELLS,
  DRIVER_COLUMNS,
  DRIVER_PAIRS,
  SUM_DRIVER_COLUMNS,
} from './driver-rollups.sql';

export { DRIVER_CELLS };

/**
 * The rollup lock (a transaction-level advisory lock): one rollup writer at a time, and the lock
 * under which the raw-answer purge moves the freeze line. The functions below spell it out.
 */
export const REPORT_ROLLUP_LOCK = 7262011;

/** Score columns: c[s + 1] counts score s, 0–10. */
const SCORE_COUNTS = `ARRAY[${Array.from({ length: 11 }, (_, s) => `count(*) FILTER (WHERE a.score = ${s})`).join(', ')}]::int[]`;
const SUM_SCORE_COUNTS = (alias: string) =>
  `ARRAY[${Array.from({ length: 11 }, (_, i) => `sum(${alias}.score_counts[${i + 1}])`).join(', ')}]::int[]`;
const DETRACTORS = (alias: string) =>
  Array.from({ length: 7 }, (_, s) => `${alias}.score_counts[${s + 1}]`).join(' + ');

/** The release of a response and one of its answers, as report_release_question keys it. */
const RELEASE_OF = `u.survey_id = r.survey_id AND u.team_id = r.team_id AND u.released_on = r.released_on
     AND u.source = r.source AND u.question_id = a.question_id`;

/**
 * Whether the driver rollups exist yet: an earlier migration (AnonymousRelease) applies these
 * functions and refreshes every rollup before migration DriverRollups creates them.
 */
const DRIVERS_EXIST = `to_regclass('report_period_driver') IS NOT NULL`;

/**
 * Whether migration RawAnswerRetention has run: it creates the freeze line
 * (report_raw_retention) and gives report_comment its own copy of each comment's text and
 * question. Earlier migrations apply these functions and refresh rollups before either exists.
 */
const RAW_LINE_EXISTS = `to_regclass('report_raw_retention') IS NOT NULL`;

/**
 * The text answers of the refreshed days whose release shows its comments, in random order (the
 * rows of report_comment, with or without their own copy of the text: see ROLLUP_REFRESH).
 */
const SHOWN_COMMENTS = `FROM report_rollup_keys k
      JOIN response r ON r.team_id = k.team_id AND r.released_on = k.day
      JOIN answer a ON a.response_id = r.id AND a.text IS NOT NULL
      JOIN report_release_question u ON ${RELEASE_OF}
     ORDER BY random()`;

const ROLLUP_REFRESH = `CREATE OR REPLACE FUNCTION report_rollup_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  -- One writer at a time: each statement below then sees what an earlier writer committed.
  PERFORM pg_advisory_xact_lock(7262011);
  CREATE TEMP TABLE IF NOT EXISTS report_rollup_keys (team_id uuid, day date) ON COMMIT DELETE ROWS;
  TRUNCATE report_rollup_keys;
  INSERT INTO report_rollup_keys SELECT DISTINCT t, d FROM unnest(p_teams, p_days) AS k(t, d);
  ANALYZE report_rollup_keys;

  DELETE FROM report_day_question x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.released_on = k.day;
  DELETE FROM report_day_option x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.released_on = k.day;
  DELETE FROM report_day_segment x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.released_on = k.day;
  DELETE FROM report_wave_question x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.released_on = k.day;
  DELETE FROM report_wave_option x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.released_on = k.day;

  -- Per release and question: how many answered, with which scores — where the release shows it.
  CREATE TEMP TABLE IF NOT EXISTS report_release_question (survey_id uuid, team_id uuid,
    released_on date, source varchar(16), question_id uuid, n int, score_sum bigint,
    score_counts int[]) ON COMMIT DELETE ROWS;
  TRUNCATE report_release_question;
  -- One answer row per response for every type but multi, which has one per chosen option.
  INSERT INTO report_release_question
  SELECT r.survey_id, r.team_id, r.released_on, r.source, a.question_id, count(*),
         coalesce(sum(a.score), 0), ${SCORE_COUNTS}
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.released_on = k.day
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id AND q.type <> 'multi'
    JOIN survey s ON s.id = r.survey_id
   GROUP BY r.survey_id, r.team_id, r.released_on, r.source, a.question_id, q.type,
            s.reporting_threshold, s.comment_threshold
  HAVING count(*) >= CASE WHEN q.type = 'text' THEN s.comment_threshold ELSE s.reporting_threshold END;
  INSERT INTO report_release_question
  SELECT r.survey_id, r.team_id, r.released_on, r.source, a.question_id,
         count(DISTINCT a.response_id), 0, array_fill(0, ARRAY[11])
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.released_on = k.day
    JOIN answer a ON a.response_id = r.id
    JOIN question q ON q.id = a.question_id AND q.type = 'multi'
    JOIN survey s ON s.id = r.survey_id
   GROUP BY r.survey_id, r.team_id, r.released_on, r.source, a.question_id, s.reporting_threshold
  HAVING count(DISTINCT a.response_id) >= s.reporting_threshold;
  ANALYZE report_release_question;

  INSERT INTO report_day_question (team_id, released_on, source, question_id, n, score_sum, score_counts)
  SELECT u.team_id, u.released_on, u.source, u.question_id, sum(u.n), sum(u.score_sum),
         ${SUM_SCORE_COUNTS('u')}
    FROM report_release_question u
   GROUP BY 1, 2, 3, 4;

  INSERT INTO report_wave_question (survey_id, team_id, released_on, question_id, n, score_sum, score_counts)
  SELECT u.survey_id, u.team_id, u.released_on, u.question_id, u.n, u.score_sum, u.score_counts
    FROM report_release_question u WHERE u.source = 'pulse';

  INSERT INTO report_day_option (team_id, released_on, source, question_id, option_key, n)
  SELECT r.team_id, r.released_on, r.source, a.question_id, a.option_key, count(*)
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.released_on = k.day
    JOIN answer a ON a.response_id = r.id AND a.option_key IS NOT NULL
    JOIN report_release_question u ON ${RELEASE_OF}
   GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO report_wave_option (survey_id, team_id, released_on, question_id, option_key, n)
  SELECT r.survey_id, r.team_id, r.released_on, a.question_id, a.option_key, count(*)
    FROM report_rollup_keys k
    JOIN response r ON r.team_id = k.team_id AND r.released_on = k.day AND r.source = 'pulse'
    JOIN answer a ON a.response_id = r.id AND a.option_key IS NOT NULL
    JOIN report_release_question u ON ${RELEASE_OF}
   GROUP BY 1, 2, 3, 4, 5;

  -- The segment values releases named (response_segment), for the iNPS question where the
  -- release shows it. What they do not name is the rest of the team's total.
  INSERT INTO report_day_segment (team_id, released_on, source, dimension, value, n, promoters, passives, detractors)
  SELECT c.team_id, c.released_on, c.source, c.dimension, c.value, sum(c.n),
         sum(c.score_counts[10] + c.score_counts[11]), sum(c.score_counts[8] + c.score_counts[9]),
         sum(${DETRACTORS('c')})
    FROM report_rollup_keys k
    JOIN response_segment c ON c.team_id = k.team_id AND c.released_on = k.day
    JOIN question q ON q.id = c.question_id AND q.type = 'nps'
    JOIN report_release_question u ON u.survey_id = c.survey_id AND u.team_id = c.team_id
     AND u.released_on = c.released_on AND u.source = c.source AND u.question_id = c.question_id
   GROUP BY 1, 2, 3, 4, 5;

  IF ${DRIVERS_EXIST} THEN
    DELETE FROM report_day_driver x USING report_rollup_keys k WHERE x.team_id = k.team_id AND x.released_on = k.day;
    INSERT INTO report_day_driver (team_id, released_on, source, question_id, ${DRIVER_COLUMNS})
    SELECT p.team_id, p.released_on, p.source, p.question_id, ${SUM_DRIVER_COLUMNS('p')}
      FROM (${DRIVER_PAIRS}) p
     GROUP BY 1, 2, 3, 4;
  END IF;

  -- Comments of the releases that show them, each keeping the random sort key it was first given
  -- (those of a release that no longer shows them, and those whose answer was deleted, go: no
  -- foreign key ties a comment to its answer, which a purge of old raw rows may delete).
  DELETE FROM report_comment x USING report_rollup_keys k
   WHERE x.team_id = k.team_id AND x.released_on = k.day
     AND NOT EXISTS (SELECT 1 FROM answer a
                       JOIN response r ON r.id = a.response_id
                       JOIN report_release_question u ON ${RELEASE_OF}
                      WHERE a.id = x.answer_id);
  -- Written in random order (ORDER BY random()), so that one person's comments on several open
  -- questions do not sit side by side in the table's physical order. Rows written before this
  -- change keep the order they were written in: nothing rewrites them.
  IF ${RAW_LINE_EXISTS} THEN
    -- The comment keeps its text and question, so its day's reports outlive the raw rows.
    INSERT INTO report_comment (answer_id, team_id, released_on, source, question_id, text, sort_key)
    SELECT a.id, r.team_id, r.released_on, r.source, a.question_id, a.text, random()
      ${SHOWN_COMMENTS}
    ON CONFLICT (answer_id) DO NOTHING;
  ELSE
    INSERT INTO report_comment (answer_id, team_id, released_on, source, sort_key)
    SELECT a.id, r.team_id, r.released_on, r.source, random()
      ${SHOWN_COMMENTS}
    ON CONFLICT (answer_id) DO NOTHING;
  END IF;
END
$fn$`;

/**
 * report_period_refresh(teams, days): the week, month and quarter rows that hold the given
 * (team, day) pairs, as sums of the daily rows report_rollup_refresh has just recomputed. Rows are
 * written in key order so that a bucket's rows sit together on disk after a backfill.
 */
const PERIOD_REFRESH = `CREATE OR REPLACE FUNCTION report_period_refresh(p_teams uuid[], p_days date[]) RETURNS void
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
         ${SUM_SCORE_COUNTS('d')}
    FROM report_period_keys k
    JOIN report_day_question d ON d.team_id = k.team_id
     AND d.released_on >= k.bucket_start AND d.released_on < k.bucket_end
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5;
  INSERT INTO report_period_option (grain, bucket_start, question_id, team_id, source, option_key, n)
  SELECT k.grain, k.bucket_start, d.question_id, k.team_id, d.source, d.option_key, sum(d.n)
    FROM report_period_keys k
    JOIN report_day_option d ON d.team_id = k.team_id
     AND d.released_on >= k.bucket_start AND d.released_on < k.bucket_end
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6;
  INSERT INTO report_period_segment (grain, dimension, bucket_start, team_id, source, value, n, promoters, passives, detractors)
  SELECT k.grain, d.dimension, k.bucket_start, k.team_id, d.source, d.value, sum(d.n),
         sum(d.promoters), sum(d.passives), sum(d.detractors)
    FROM report_period_keys k
    JOIN report_day_segment d ON d.team_id = k.team_id
     AND d.released_on >= k.bucket_start AND d.released_on < k.bucket_end
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6;
  IF ${DRIVERS_EXIST} THEN
    DELETE FROM report_period_driver x USING report_period_keys k
     WHERE x.grain = k.grain AND x.bucket_start = k.bucket_start AND x.team_id = k.team_id;
    INSERT INTO report_period_driver (grain, bucket_start, team_id, source, question_id, ${DRIVER_COLUMNS})
    SELECT k.grain, k.bucket_start, k.team_id, d.source, d.question_id, ${SUM_DRIVER_COLUMNS('d')}
      FROM report_period_keys k
      JOIN report_day_driver d ON d.team_id = k.team_id
       AND d.released_on >= k.bucket_start AND d.released_on < k.bucket_end
     GROUP BY 1, 2, 3, 4, 5
     ORDER BY 1, 2, 3, 4, 5;
  END IF;
END
$fn$`;

/** The change counter exists (migration ReportChange); earlier migrations' backfills run without it. */
const CHANGES_EXIST = `to_regclass('report_change') IS NOT NULL`;

/**
 * report_refresh: the daily rows, then the period rows (what the triggers call), then the change
 * counter of each day refreshed (report_change), in the same transaction: a new value of
 * report_change_seq, drawn once the row is locked, so a day's seq only grows, and the sum of the
 * seqs over a page's days changes with every committed refresh of one of them (the report
 * cache's key, docs/reports.md).
 *
 * Days before the freeze line (report_raw_retention.raw_before, moved by the raw-answer purge,
 * docs/retention.md) are left exactly as they are: their raw rows may be gone, and recomputing
 * them from what remains would empty them. The line is read under the rollup lock, the lock the
 * purge moves it under, so a refresh never works on a day the purge is emptying.
 */
const REFRESH = `CREATE OR REPLACE FUNCTION report_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_line date;
  v_teams uuid[] := p_teams;
  v_days date[] := p_days;
BEGIN
  IF ${RAW_LINE_EXISTS} THEN
    PERFORM pg_advisory_xact_lock(7262011);
    SELECT raw_before INTO v_line FROM report_raw_retention;
    IF v_line IS NOT NULL THEN
      SELECT coalesce(array_agg(k.t), '{}'), coalesce(array_agg(k.d), '{}') INTO v_teams, v_days
        FROM unnest(p_teams, p_days) AS k(t, d) WHERE k.d >= v_line;
      IF cardinality(v_days) = 0 THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  PERFORM report_rollup_refresh(v_teams, v_days);
  PERFORM report_period_refresh(v_teams, v_days);
  IF ${CHANGES_EXIST} THEN
    INSERT INTO report_change (day, seq)
    SELECT d.day, nextval('report_change_seq')
      FROM (SELECT DISTINCT day FROM unnest(v_days) AS u(day) WHERE day IS NOT NULL ORDER BY day) d
        ON CONFLICT (day) DO UPDATE SET seq = nextval('report_change_seq');
  END IF;
END
$fn$`;

/** Every rollup table, emptied when `response` is truncated. */
export const ROLLUP_TABLES = [
  'report_day_question',
  'report_day_option',
  'report_day_segment',
  'report_comment',
  'report_period_question',
  'report_period_option',
  'report_period_segment',
  'report_wave_question',
  'report_wave_option',
];

/**
 * The driver rollups (migration DriverRollups), emptied with the others when `response` is
 * truncated. Kept apart from ROLLUP_TABLES, which the earlier migration AnonymousRelease empties
 * before these exist.
 */
export const DRIVER_ROLLUP_TABLES = ['report_day_driver', 'report_period_driver'];

/**
 * Statement-level triggers call report_refresh once per INSERT of answers (the mixer writes a
 * release's responses, segments and then answers) and per DELETE of responses. DELETE rather
 * than TRUNCATE on truncation: a TRUNCATE … CASCADE of response may already be truncating one of
 * these tables in the same statement, and TRUNCATE refuses a table in use.
 *
 * With the freeze line: a DELETE of responses of frozen days changes no rollup (the raw-answer
 * purge relies on it); an INSERT of answers into a frozen day is refused, never silently left out
 * of the reports (the mixer dates a release on the line at the earliest, so only a release racing
 * the purge's move of the line meets this, and its retry is dated on the new line); a TRUNCATE
 * empties every rollup, frozen days' too, and clears the line (tests and bench:seed only).
 */
const TRIGGER_FUNCTIONS = [
  `CREATE OR REPLACE FUNCTION report_rollup_after_answers() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_line date;
BEGIN
  IF ${RAW_LINE_EXISTS} THEN
    -- Under the rollup lock, held to the commit: the line cannot move past these days meanwhile.
    PERFORM pg_advisory_xact_lock(7262011);
    SELECT raw_before INTO v_line FROM report_raw_retention;
    IF EXISTS (SELECT 1 FROM new_answers a JOIN response r ON r.id = a.response_id
                WHERE r.released_on < v_line) THEN
      RAISE EXCEPTION 'answers released on a day before the raw-answer line %', v_line
        USING ERRCODE = 'check_violation',
              HINT = 'the rollups of days before the line are frozen: date the release on the line or later';
    END IF;
  END IF;
  PERFORM report_refresh(array_agg(team_id), array_agg(released_on))
     FROM (SELECT DISTINCT r.team_id, r.released_on
             FROM new_answers a JOIN response r ON r.id = a.response_id) k
    HAVING count(*) > 0;
  RETURN NULL;
END
$fn$`,
  `CREATE OR REPLACE FUNCTION report_rollup_after_responses_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM report_refresh(array_agg(team_id), array_agg(released_on))
     FROM (SELECT DISTINCT team_id, released_on FROM old_responses) k
    HAVING count(*) > 0;
  RETURN NULL;
END
$fn$`,
  `CREATE OR REPLACE FUNCTION report_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  ${ROLLUP_TABLES.map((table) => `DELETE FROM ${table};`).join('\n  ')}
  IF ${DRIVERS_EXIST} THEN
    ${DRIVER_ROLLUP_TABLES.map((table) => `DELETE FROM ${table};`).join('\n    ')}
  END IF;
  IF ${CHANGES_EXIST} THEN
    UPDATE report_change SET seq = nextval('report_change_seq');
  END IF;
  -- Every rollup is gone, frozen days' too: nothing is left to protect, so no day is frozen.
  IF ${RAW_LINE_EXISTS} THEN
    UPDATE report_raw_retention SET raw_before = NULL;
  END IF;
  RETURN NULL;
END
$fn$`,
];

/** The statements that (re)create every function above, in order. */
export const REPORT_ROLLUP_FUNCTIONS = [
  ROLLUP_REFRESH,
  PERIOD_REFRESH,
  REFRESH,
  ...TRIGGER_FUNCTIONS,
];

/**
 * The statement-level triggers on `answer` and `response` that call the functions above.
 * CREATE OR REPLACE TRIGGER (PostgreSQL 14+) makes applying them again a no-op.
 */
export const REPORT_ROLLUP_TRIGGERS = [
  `CREATE OR REPLACE TRIGGER trg_answer_rollup AFTER INSERT ON answer REFERENCING NEW TABLE AS new_answers
     FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_after_answers()`,
  `CREATE OR REPLACE TRIGGER trg_response_rollup AFTER DELETE ON response REFERENCING OLD TABLE AS old_responses
     FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_after_responses_deleted()`,
  `CREATE OR REPLACE TRIGGER trg_response_rollup_truncate AFTER TRUNCATE ON response
     FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_truncate()`,
];

/** (Re)creates every function and trigger of this file; what a migration that changes them runs. */
export async function applyReportRollupSql(
  query: (sql: string) => Promise<unknown>,
): Promise<void> {
  for (const statement of [...REPORT_ROLLUP_FUNCTIONS, ...REPORT_ROLLUP_TRIGGERS]) {
    await query(statement);
  }
}

/**
 * Every rollup row, recomputed from `response` and `answer` (a backfill, bench:seed) — except
 * the days before the freeze line, which report_refresh leaves as they are (their raw rows may
 * be gone).
 */
export const REBUILD_ROLLUPS_SQL = `SELECT report_refresh(array_agg(team_id), array_agg(released_on))
   FROM (SELECT DISTINCT team_id, released_on FROM response) k`;
