import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The iNPS by resolution-time band of answers after tickets, kept in the segment rollups as one
 * more dimension ('resolution_band'), so that the team page no longer reads `response` and
 * `answer` for it. report_band_refresh adds the band rows of the (team, day) pairs that
 * report_rollup_refresh has just recomputed (it runs in the same transaction and reads the same
 * key table); report_refresh runs it between the daily and the period refresh.
 */
const BAND_FUNCTION = `CREATE FUNCTION report_band_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO report_day_segment (team_id, responded_on, source, dimension, value, n, promoters, passives, detractors)
  SELECT r.team_id, r.responded_on, r.source, 'resolution_band', coalesce(r.resolution_band, 'Unknown'),
         count(*), count(*) FILTER (WHERE a.score >= 9), count(*) FILTER (WHERE a.score BETWEEN 7 AND 8),
         count(*) FILTER (WHERE a.score <= 6)
    FROM (SELECT DISTINCT t, d FROM unnest(p_teams, p_days) AS k(t, d)) k
    JOIN response r ON r.team_id = k.t AND r.responded_on = k.d AND r.source = 'ticket'
    JOIN answer a ON a.response_id = r.id
   WHERE a.score IS NOT NULL AND a.question_id IN (SELECT id FROM question WHERE type = 'nps')
   GROUP BY 1, 2, 3, 4, 5;
END
$fn$`;

const refreshFunction = (
  band: boolean,
) => `CREATE OR REPLACE FUNCTION report_refresh(p_teams uuid[], p_days date[]) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM report_rollup_refresh(p_teams, p_days);${band ? '\n  PERFORM report_band_refresh(p_teams, p_days);' : ''}
  PERFORM report_period_refresh(p_teams, p_days);
END
$fn$`;

/** The backfill: the band rows of every (team, day) with answers after tickets, then their periods. */
const BACKFILL = [
  `SELECT report_band_refresh(array_agg(team_id), array_agg(responded_on))
     FROM (SELECT DISTINCT team_id, responded_on FROM response WHERE source = 'ticket') k`,
  `SELECT report_period_refresh(array_agg(team_id), array_agg(responded_on))
     FROM (SELECT DISTINCT team_id, responded_on FROM response WHERE source = 'ticket') k`,
];

export class ResolutionBandRollup1796017355953 implements MigrationInterface {
  name = 'ResolutionBandRollup1796017355953';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(BAND_FUNCTION);
    await queryRunner.query(refreshFunction(true));
    for (const statement of BACKFILL) await queryRunner.query(statement);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(refreshFunction(false));
    await queryRunner.query(`DROP FUNCTION report_band_refresh(uuid[], date[])`);
    await queryRunner.query(`DELETE FROM report_day_segment WHERE dimension = 'resolution_band'`);
    await queryRunner.query(
      `DELETE FROM report_period_segment WHERE dimension = 'resolution_band'`,
    );
  }
}
