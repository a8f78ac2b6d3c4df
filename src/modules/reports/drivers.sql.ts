/**
 * The SQL of the driver analysis ("what drives the score"), with no imports, so that the reports
 * benchmark can run it as a raw-PostgreSQL baseline like the rest of REPORT_SQL.
 *
 * It reads report_period_driver: per calendar bucket, team, source and scored question, a
 * contingency table of the respondents who gave both it and the iNPS question in the same
 * response — iNPS category (detractor, passive, promoter) × whether the answer is favourable —
 * counting only releases where at least the survey's k did (src/database/sql/
 * report-rollups.sql.ts). It sums the six cells over the team's subtree and the period; the
 * correlation and the driver rules (cells, thresholds, tree rule, rounding) are worked out above
 * it, in DriverReportService, from those counts alone.
 */
export const DRIVER_SQL = {
  /**
   * For the pulses of a team's subtree ($1) in [$3, $4) of grain $2: per scored question, the
   * respondents who answered it and the iNPS question, and their six cells. One statement for
   * every question of the period.
   */
  driversOfTeams: `SELECT d.question_id, sum(d.n)::int AS n,
              sum(d.detractor_low)::int AS detractor_low, sum(d.detractor_top)::int AS detractor_top,
              sum(d.passive_low)::int AS passive_low, sum(d.passive_top)::int AS passive_top,
              sum(d.promoter_low)::int AS promoter_low, sum(d.promoter_top)::int AS promoter_top
         FROM report_period_driver d
        WHERE d.team_id = ANY($1::uuid[]) AND d.grain = $2 AND d.source = 'pulse'
          AND d.bucket_start >= $3 AND d.bucket_start < $4
        GROUP BY d.question_id`,
};
