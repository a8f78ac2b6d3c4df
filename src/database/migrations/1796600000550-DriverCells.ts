import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyReportRollupSql } from '../sql/report-rollups.sql';

/**
 * The driver rollups hold a contingency table instead of raw-score sums (issue 15, item 4, after
 * review): per team, day (report_day_driver) or calendar bucket (report_period_driver), source and
 * scored question, n and six counts — iNPS category (detractor, passive, promoter) × whether the
 * answer to the question is favourable (4–5 of a rating, 5–7 of an effort score). Each response
 * is paired with one iNPS answer (its first iNPS question), and the release rule counts people
 * (distinct responses), not pairs. The sums' columns go: they let a correlation shown beside the
 * score distribution and the question's mean pin one person's answer (docs/reports.md, What
 * drives the score). The rollup functions (src/database/sql/report-rollups.sql.ts) are applied
 * again, and both tables rebuilt from the answers already released, by the same rule.
 */
export class DriverCells1796600000550 implements MigrationInterface {
  name = 'DriverCells1796600000550';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "report_period_driver"`);
    await queryRunner.query(`DROP TABLE "report_day_driver"`);
    await queryRunner.query(
      `CREATE TABLE "report_day_driver" ("team_id" uuid NOT NULL, "released_on" date NOT NULL, "source" character varying(16) NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "detractor_low" integer NOT NULL, "detractor_top" integer NOT NULL, "passive_low" integer NOT NULL, "passive_top" integer NOT NULL, "promoter_low" integer NOT NULL, "promoter_top" integer NOT NULL, CONSTRAINT "PK_e589a83bbe9a1bd7ce56e2ba800" PRIMARY KEY ("team_id", "released_on", "source", "question_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_period_driver" ("grain" character varying(8) NOT NULL, "bucket_start" date NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "detractor_low" integer NOT NULL, "detractor_top" integer NOT NULL, "passive_low" integer NOT NULL, "passive_top" integer NOT NULL, "promoter_low" integer NOT NULL, "promoter_top" integer NOT NULL, CONSTRAINT "ck_report_period_driver_grain" CHECK ("grain" IN ('week', 'month', 'quarter')), CONSTRAINT "PK_0610dd810fcdeda0ba0ebd4f17a" PRIMARY KEY ("grain", "bucket_start", "team_id", "source", "question_id"))`,
    );
    await applyReportRollupSql((sql) => queryRunner.query(sql));
    // The backfill, as the functions compute it (written out here: a migration keeps its text).
    await queryRunner.query(
      `INSERT INTO report_day_driver (team_id, released_on, source, question_id, n, detractor_low,
                                      detractor_top, passive_low, passive_top, promoter_low, promoter_top)
       SELECT p.team_id, p.released_on, p.source, p.question_id, sum(p.n), sum(p.dl), sum(p.dt),
              sum(p.pl), sum(p.pt), sum(p.rl), sum(p.rt)
         FROM (SELECT r.team_id, r.released_on, r.source, a.question_id, count(DISTINCT r.id) AS n,
                      count(*) FILTER (WHERE b.score <= 6 AND NOT t.top) AS dl,
                      count(*) FILTER (WHERE b.score <= 6 AND t.top) AS dt,
                      count(*) FILTER (WHERE b.score BETWEEN 7 AND 8 AND NOT t.top) AS pl,
                      count(*) FILTER (WHERE b.score BETWEEN 7 AND 8 AND t.top) AS pt,
                      count(*) FILTER (WHERE b.score >= 9 AND NOT t.top) AS rl,
                      count(*) FILTER (WHERE b.score >= 9 AND t.top) AS rt
                 FROM response r
                 JOIN answer a ON a.response_id = r.id AND a.score IS NOT NULL
                 JOIN question q ON q.id = a.question_id AND q.type IN ('rating', 'ces')
                 CROSS JOIN LATERAL (SELECT a.score >= CASE WHEN q.type = 'ces' THEN 5 ELSE 4 END AS top) t
                 JOIN (SELECT DISTINCT ON (nb.response_id) nb.response_id, nb.score
                         FROM answer nb
                         JOIN question qb ON qb.id = nb.question_id AND qb.type = 'nps'
                        WHERE nb.score IS NOT NULL
                        ORDER BY nb.response_id, qb.position, qb.id) b ON b.response_id = r.id
                 JOIN survey s ON s.id = r.survey_id
                GROUP BY r.survey_id, r.team_id, r.released_on, r.source, a.question_id,
                         s.reporting_threshold
               HAVING count(DISTINCT r.id) >= s.reporting_threshold) p
        GROUP BY 1, 2, 3, 4`,
    );
    await queryRunner.query(
      `INSERT INTO report_period_driver (grain, bucket_start, team_id, source, question_id, n,
                                         detractor_low, detractor_top, passive_low, passive_top,
                                         promoter_low, promoter_top)
       SELECT g.grain, date_trunc(g.grain, d.released_on::timestamp)::date, d.team_id, d.source,
              d.question_id, sum(d.n), sum(d.detractor_low), sum(d.detractor_top),
              sum(d.passive_low), sum(d.passive_top), sum(d.promoter_low), sum(d.promoter_top)
         FROM report_day_driver d
        CROSS JOIN (VALUES ('week'), ('month'), ('quarter')) AS g(grain)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5`,
    );
  }

  public async down(): Promise<void> {
    // The rollup functions of this version write the cell columns, and a migration cannot restore
    // the earlier functions' text (it lives in the earlier code). As DriverRollups: roll back the
    // code first, whose migrations rewrite the functions, then rebuild the two tables.
    throw new Error(
      'DriverCells cannot be undone on its own: deploy the earlier code first (it rewrites the rollup functions), then rebuild report_day_driver and report_period_driver.',
    );
  }
}
