/**
 * The SQL of every report aggregate, in one file with no imports, so that the reports
 * benchmark runs exactly these statements as its raw-PostgreSQL baseline.
 */
export const REPORT_SQL = {
  npsByBucket: `SELECT to_char(date_trunc($2, r.responded_on), 'YYYY-MM-DD') AS bucket, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM response r
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $3 AND r.responded_on < $4
        GROUP BY 1 ORDER BY 1`,
  npsByGroupAndBucket: `SELECT g.key, to_char(date_trunc($2, r.responded_on), 'YYYY-MM-DD') AS bucket, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN response r ON r.team_id = g.id AND r.responded_on >= $3 AND r.responded_on < $4
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        GROUP BY 1, 2`,
  questionScoresByGroup: `SELECT g.key, q.id AS question_id, q.type, q.text, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 4)::int AS top2, avg(a.score)::float AS mean
         FROM jsonb_to_recordset($1::jsonb) AS g(key text, id uuid)
         JOIN response r ON r.team_id = g.id AND r.responded_on >= $2 AND r.responded_on < $3
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type IN ('rating', 'ces')
        GROUP BY 1, 2, 3, 4, q.position ORDER BY q.position`,
  /** The column comes from a fixed list, never from input. */
  npsBySegment: (
    segment: 'department' | 'location' | 'tenure_band',
  ) => `SELECT coalesce(r.${segment}, 'Unknown') AS key, count(*)::int AS n,
              count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
              count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
              count(*) FILTER (WHERE a.score <= 6)::int AS detractors
         FROM response r
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3
        GROUP BY 1`,
  npsDistribution: `SELECT a.score::int AS score, count(*)::int AS n
         FROM response r
         JOIN answer a ON a.response_id = r.id
         JOIN question q ON q.id = a.question_id AND q.type = 'nps'
        WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3
        GROUP BY 1 ORDER BY 1`,
  questionResults: `WITH answers AS (
         SELECT a.question_id, a.response_id, a.score, a.option_key
           FROM response r JOIN answer a ON a.response_id = r.id
          WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3),
       per_question AS (
         SELECT question_id, count(DISTINCT response_id)::int AS respondents,
                avg(score)::float AS mean, count(*) FILTER (WHERE score >= 4)::int AS top2
           FROM answers GROUP BY question_id),
       per_option AS (
         SELECT question_id, jsonb_object_agg(option_key, n) AS option_counts
           FROM (SELECT question_id, option_key, count(*)::int AS n FROM answers
                  WHERE option_key IS NOT NULL GROUP BY 1, 2) o
          GROUP BY question_id)
       SELECT q.id AS question_id, q.type, q.text, q.options, q.position, p.respondents, p.mean, p.top2,
              o.option_counts
         FROM per_question p JOIN question q ON q.id = p.question_id
         LEFT JOIN per_option o ON o.question_id = p.question_id
        WHERE q.type IN ('rating', 'ces', 'single', 'multi')
        ORDER BY q.questionnaire_id, q.position`,
  comments: `WITH texts AS (
         SELECT a.text FROM response r JOIN answer a ON a.response_id = r.id
          WHERE r.team_id = ANY($1::uuid[]) AND r.responded_on >= $2 AND r.responded_on < $3
            AND a.text IS NOT NULL)
       SELECT (SELECT count(*)::int FROM texts) AS total,
              coalesce((SELECT array_agg(text) FROM (SELECT text FROM texts ORDER BY random() LIMIT $4) s), '{}') AS texts`,
  responseRate: `SELECT count(*)::int AS invited, count(i.answered_on)::int AS answered
         FROM invitation i JOIN survey s ON s.id = i.survey_id
        WHERE s.team_id = ANY($1::uuid[]) AND i.sent_at >= $2 AND i.sent_at < $3`,
};
