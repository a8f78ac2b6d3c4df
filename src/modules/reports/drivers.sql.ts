/**
 * The SQL of the driver analysis ("what drives the score"), with no imports, so that the reports
 * benchmark can run it as a raw-PostgreSQL baseline like the rest of REPORT_SQL.
 *
 * It reads report_period_driver: per calendar bucket, team, source and scored question, the sums
 * of the pairs (question score x, iNPS score y) of the respondents who gave both in the same
 * response, counting only releases where at least the survey's k did (src/database/sql/
 * report-rollups.sql.ts). Pearson's r is worked out here from those sums:
 *
 *   r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²) · (nΣy² − (Σy)²))
 *
 * in exact numeric arithmetic, null when either side has no spread. The driver rules (threshold,
 * tree rule, rounding) are applied above it, in DriverReportService.
 */
export const DRIVER_SQL = {
  /**
   * For the pulses of a team's subtree ($1) in [$3, $4) of grain $2: per scored question, the
   * respondents who answered it and the iNPS question, and the correlation of the two. One
   * statement for every question of the period.
   */
  driversOfTeams: `SELECT s.question_id, s.n::int AS n,
              CASE WHEN s.vx > 0 AND s.vy > 0 THEN (s.cov / sqrt(s.vx * s.vy))::float8 END AS correlation
         FROM (SELECT d.question_id, sum(d.n) AS n,
                      sum(d.n) * sum(d.products) - sum(d.item_sum) * sum(d.nps_sum) AS cov,
                      sum(d.n) * sum(d.item_squares) - sum(d.item_sum) * sum(d.item_sum) AS vx,
                      sum(d.n) * sum(d.nps_squares) - sum(d.nps_sum) * sum(d.nps_sum) AS vy
                 FROM report_period_driver d
                WHERE d.team_id = ANY($1::uuid[]) AND d.grain = $2 AND d.source = 'pulse'
                  AND d.bucket_start >= $3 AND d.bucket_start < $4
                GROUP BY d.question_id) s`,
};
