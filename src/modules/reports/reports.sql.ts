/**
 * The SQL of every report aggregate, in one file with no imports, so that the reports
 * benchmark runs exactly these statements as its raw-PostgreSQL baseline.
 *
 * They read the period rollups (report_period_question, report_period_option,
 * report_period_segment: one row per week, month or quarter, team, source and question) and the
 * comments (report_comment, each with its own copy of the text), which triggers keep current in the transaction that writes the
 * answers; see the ReportRollups and ReportPeriodRollups migrations. Every range is a whole number
 * of buckets of its grain. Score counts are an array where score s sits at index s + 1.
 *
 * Every statement reads one source of answers: pulses for the team page's main figures, ticket
 * surveys for its "after tickets" part (the `ticket…` statements) and anonymous reviews for its
 * reviews part (`review…`), which show a period only once it has closed (see anonymity.ts).
 *
 * Groups of teams (a team rolled up with its sub-teams) come as JSON pairs {key, id}, or, for
 * the whole tree, from TREE_GROUPS; the rows are summed per team first, then per group. ReportsRepository runs each statement as a named
 * prepared statement (`report_<name>`), and so does the benchmark's baseline.
 */
const PROMOTERS = 'd.score_counts[10] + d.score_counts[11]';
const PASSIVES = 'd.score_counts[8] + d.score_counts[9]';
const DETRACTORS = Array.from({ length: 7 }, (_, s) => `d.score_counts[${s + 1}]`).join(' + ');

/**
 * Every team rolled up with its sub-teams, and the organisation ($1 names its key): the groups
 * the visibility rule needs, worked out here from service_team rather than sent by the app.
 */
const TREE_GROUPS = `WITH RECURSIVE tree(key, id) AS (
           SELECT id::text, id FROM service_team
            UNION ALL
           SELECT tree.key, c.id FROM tree JOIN service_team c ON c.parent_id = tree.id
         ), g AS (SELECT key, id FROM tree UNION ALL SELECT $1::text, id FROM service_team)`;

/** Which answers a statement reads: pulses, surveys after tickets, or anonymous reviews. */
type Source = 'pulse' | 'ticket' | 'review';

/**
 * iNPS counts per source, tree group (TREE_GROUPS) and calendar bucket ($2: week, month or
 * quarter): both sources in one statement, since a team's page shows both.
 */
const npsByTreeAndBucket = `${TREE_GROUPS}
       SELECT t.source, g.key, to_char(t.bucket_start, 'YYYY-MM-DD') AS bucket,
              sum(t.n)::int AS n, sum(t.promoters)::int AS promoters,
              sum(t.passives)::int AS passives, sum(t.detractors)::int AS detractors
         FROM (SELECT d.source, d.team_id, d.bucket_start, sum(d.n) AS n, sum(${PROMOTERS}) AS promoters,
                      sum(${PASSIVES}) AS passives, sum(${DETRACTORS}) AS detractors
                 FROM report_period_question d
                WHERE d.grain = $2 AND d.bucket_start >= $3 AND d.bucket_start < $4
                  AND d.question_id IN (SELECT id FROM question WHERE type = 'nps')
                GROUP BY 1, 2, 3) t
         JOIN g ON g.id = t.team_id
        GROUP BY 1, 2, 3`;

/**
 * Per tree group and question of every type: respondents, share of 4–5 and mean (rating, effort),
 * comments (text). The counts let the service apply the tree rule question by question.
 */
const questionCountsByTree = `${TREE_GROUPS}
       SELECT t.source, g.key, t.question_id, sum(t.n)::int AS n, sum(t.top2)::int AS top2,
              sum(t.score_sum)::float / nullif(sum(t.n), 0) AS mean
         FROM (SELECT d.source, d.team_id, d.question_id, sum(d.n) AS n,
                      sum(d.score_counts[5] + d.score_counts[6]) AS top2, sum(d.score_sum) AS score_sum
                 FROM report_period_question d
                WHERE d.grain = $2 AND d.bucket_start >= $3 AND d.bucket_start < $4
                GROUP BY 1, 2, 3) t
         JOIN g ON g.id = t.team_id
        GROUP BY 1, 2, 3`;

/**
 * A sample of the period's comments: those with the smallest random sort keys (so reloading
 * the page shows the same ones), shuffled again for display.
 */
const commentSample = (source: Source) => `SELECT s.text
         FROM (SELECT c.text FROM report_comment c
                WHERE c.team_id = ANY($1::uuid[]) AND c.source = '${source}' AND c.released_on >= $2 AND c.released_on < $3
                ORDER BY c.sort_key LIMIT $4) s
        ORDER BY random()`;

export const REPORT_SQL = {
  npsByTreeAndBucket,
  questionCountsByTree,
  /**
   * The questions answered in the period, in questionnaire order, each with the campaign its
   * questionnaire belongs to (the name of its waves' surveys: only campaigns make surveys of
   * subject teams or own_team), or null for the pulse surveys' questionnaires.
   */
  questionsInPeriod: `WITH q AS (
         SELECT id, type, text, options, position, questionnaire_id FROM question
          WHERE id IN (SELECT DISTINCT question_id FROM report_period_question
                        WHERE grain = $1 AND bucket_start >= $2 AND bucket_start < $3)
       ), wave_name AS (
         SELECT DISTINCT ON (s.questionnaire_id) s.questionnaire_id, s.name FROM survey s
          WHERE s.subject <> 'team' AND s.questionnaire_id IN (SELECT questionnaire_id FROM q)
          ORDER BY s.questionnaire_id, s.created_at DESC
       )
       SELECT q.id, q.type, q.text, q.options, q.position, c.name AS campaign
         FROM q LEFT JOIN wave_name c ON c.questionnaire_id = q.questionnaire_id
        ORDER BY (c.name IS NOT NULL), c.name, q.questionnaire_id, q.position`,
  /** How many chose each option of the choice questions, per group. */
  optionCountsByGroup: `SELECT g.key, d.question_id, d.option_key, sum(d.n)::int AS n
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN report_period_option d ON d.team_id = g.id AND d.grain = $2 AND d.source = 'pulse'
          AND d.bucket_start >= $3 AND d.bucket_start < $4
        GROUP BY 1, 2, 3`,
  /** iNPS counts per group, respondent segment (department, location, tenure_band) and value. */
  npsBySegmentAndGroup: `SELECT g.key, d.dimension, d.value, sum(d.n)::int AS n,
              sum(d.promoters)::int AS promoters, sum(d.passives)::int AS passives,
              sum(d.detractors)::int AS detractors
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN report_period_segment d ON d.team_id = g.id AND d.grain = $2 AND d.source = 'pulse'
          AND d.dimension IN ('department', 'location', 'tenure_band')
          AND d.bucket_start >= $3 AND d.bucket_start < $4
        GROUP BY 1, 2, 3`,
  /** How many answered each iNPS score, 0–10. */
  npsDistribution: `SELECT s - 1 AS score, sum(d.score_counts[s])::int AS n
         FROM report_period_question d CROSS JOIN generate_series(1, 11) AS s
        WHERE d.team_id = ANY($1::uuid[]) AND d.grain = $2 AND d.bucket_start >= $3 AND d.bucket_start < $4
          AND d.source = 'pulse' AND d.question_id IN (SELECT id FROM question WHERE type = 'nps')
        GROUP BY s ORDER BY s`,
  /**
   * The report cache's version of a range of release days: the sum of the days' change counters
   * (report_change, set by report_refresh), which grows with every committed refresh of one of
   * them. One index range scan of a row per day.
   */
  /**
   * The cache key's database part, in one statement so both halves come from the server the
   * figures are read from: the sum of the change counters of the days, and a hash of the team
   * tree that server's report statements roll up with (ids, parents, slugs, names, targets).
   */
  changeVersion: `SELECT (SELECT coalesce(sum(seq), 0) FROM report_change
                          WHERE day >= $1::date AND day < $2::date)::text
         || '.' || (SELECT left(md5(coalesce(string_agg(concat_ws('|', id, parent_id, slug, name,
                      nps_target, csat_target, first_response_target_minutes,
                      resolution_target_minutes), E'\\n' ORDER BY id), '')), 16)
                      FROM service_team) AS version`,
  commentSample: commentSample('pulse'),
  /**
   * Participation by release unit: the invitations of the pulse surveys about these teams that
   * were released in the period (a survey is released once, when it closes, and dated by that
   * day), each survey whole and only when at least its k answered — never by when a mail went
   * out, so that figures of two periods differ only by whole surveys, each shown on its own in
   * the survey list.
   */
  responseRate: `SELECT coalesce(sum(u.invited), 0)::int AS invited, coalesce(sum(u.answered), 0)::int AS answered
         FROM (SELECT count(*) AS invited, count(*) FILTER (WHERE i.answered) AS answered
                 FROM survey s JOIN invitation i ON i.survey_id = s.id
                WHERE s.team_id = ANY($1::uuid[]) AND s.source = 'pulse' AND s.released
                  AND (s.closes_at AT TIME ZONE 'UTC')::date >= $2::date
                  AND (s.closes_at AT TIME ZONE 'UTC')::date < $3::date
                GROUP BY s.id, s.reporting_threshold
               HAVING count(*) FILTER (WHERE i.answered) >= s.reporting_threshold) u`,
  /** Campaign waves: invited and answered people per survey (wave) and department. */
  waveParticipation: `SELECT i.survey_id, coalesce(i.department, 'Unknown') AS department,
              count(*)::int AS invited, count(*) FILTER (WHERE i.answered)::int AS answered
         FROM invitation i WHERE i.survey_id = ANY($1::uuid[])
        GROUP BY 1, 2`,
  /**
   * Campaign waves: per survey, rated team and question, the answers' counts (of the releases
   * that show the question), and the same per department value its releases named
   * (response_segment), department 'Unknown' standing for the whole.
   */
  waveQuestionCounts: `SELECT d.survey_id, d.team_id, NULL AS department, d.question_id, sum(d.n)::int AS n,
              sum(d.score_sum)::float AS score_sum,
              ARRAY[${Array.from({ length: 11 }, (_, s) => `sum(d.score_counts[${s + 1}])`).join(', ')}]::int[] AS score_counts
         FROM report_wave_question d WHERE d.survey_id = ANY($1::uuid[])
        GROUP BY 1, 2, 3, 4
        UNION ALL
       SELECT c.survey_id, c.team_id, c.value, c.question_id, sum(c.n)::int, sum(c.score_sum)::float,
              ARRAY[${Array.from({ length: 11 }, (_, s) => `sum(c.score_counts[${s + 1}])`).join(', ')}]::int[]
         FROM response_segment c
         JOIN report_wave_question d ON d.survey_id = c.survey_id AND d.team_id = c.team_id
          AND d.released_on = c.released_on AND d.question_id = c.question_id
        WHERE c.survey_id = ANY($1::uuid[]) AND c.dimension = 'department'
        GROUP BY 1, 2, 3, 4`,
  /** Campaign waves: how many chose each option, per survey, rated team and question. */
  waveOptionCounts: `SELECT d.survey_id, d.team_id, d.question_id, d.option_key, sum(d.n)::int AS n
         FROM report_wave_option d WHERE d.survey_id = ANY($1::uuid[])
        GROUP BY 1, 2, 3, 4`,

  // Surveys after tickets: the same figures, of the other source.
  ticketCommentSample: commentSample('ticket'),
  /**
   * Anonymous reviews: a sample of one question's comments (reviews ask several open questions,
   * each shown on its own), as commentSample picks them.
   */
  reviewCommentSample: `SELECT s.text
         FROM (SELECT c.text, c.sort_key FROM report_comment c
                WHERE c.team_id = ANY($1::uuid[]) AND c.source = 'review' AND c.released_on >= $2 AND c.released_on < $3
                  AND c.question_id = $5
                ORDER BY c.sort_key LIMIT $4) s
        ORDER BY random()`,
  /** iNPS counts per group and resolution-time band of the ticket (a dimension of the segment rollup). */
  ticketNpsByBandAndGroup: `SELECT g.key, d.value, sum(d.n)::int AS n, sum(d.promoters)::int AS promoters,
              sum(d.passives)::int AS passives, sum(d.detractors)::int AS detractors
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN report_period_segment d ON d.team_id = g.id AND d.grain = $2 AND d.source = 'ticket'
          AND d.dimension = 'resolution_band' AND d.bucket_start >= $3 AND d.bucket_start < $4
        GROUP BY 1, 2`,
};

/** Recomputes every rollup row from `response` and `answer` (bench:seed, after a bulk load). */
export { REBUILD_ROLLUPS_SQL } from '../../database/sql/report-rollups.sql';
