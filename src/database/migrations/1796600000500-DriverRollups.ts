import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyReportRollupSql } from '../sql/report-rollups.sql';

/**
 * "What drives the score" (issue 15, item 4): two rollups of the sums a Pearson correlation
 * needs — per team, day, source and scored question (report_day_driver), and per calendar bucket
 * (report_period_driver) — over the respondents who answered both that question and the iNPS
 * question in the same released response, counting only releases where at least the survey's k
 * gave both. The rollup functions (src/database/sql/report-rollups.sql.ts) now keep them current;
 * the backfill below writes them once for the answers already released, with the same rule.
 */
export class DriverRollups1796600000500 implements MigrationInterface {
  name = 'DriverRollups1796600000500';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "report_day_driver" ("team_id" uuid NOT NULL, "released_on" date NOT NULL, "source" character varying(16) NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "item_sum" bigint NOT NULL, "nps_sum" bigint NOT NULL, "item_squares" bigint NOT NULL, "nps_squares" bigint NOT NULL, "products" bigint NOT NULL, CONSTRAINT "PK_e589a83bbe9a1bd7ce56e2ba800" PRIMARY KEY ("team_id", "released_on", "source", "question_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "report_period_driver" ("grain" character varying(8) NOT NULL, "bucket_start" date NOT NULL, "team_id" uuid NOT NULL, "source" character varying(16) NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "item_sum" bigint NOT NULL, "nps_sum" bigint NOT NULL, "item_squares" bigint NOT NULL, "nps_squares" bigint NOT NULL, "products" bigint NOT NULL, CONSTRAINT "ck_report_period_driver_grain" CHECK ("grain" IN ('week', 'month', 'quarter')), CONSTRAINT "PK_0610dd810fcdeda0ba0ebd4f17a" PRIMARY KEY ("grain", "bucket_start", "team_id", "source", "question_id"))`,
    );
    await applyReportRollupSql((sql) => queryRunner.query(sql));
    // The backfill, as the functions compute it (written out here: a migration keeps its text).
    await queryRunner.query(
      `INSERT INTO report_day_driver (team_id, released_on, source, question_id, n, item_sum, nps_sum,
                                      item_squares, nps_squares, products)
       SELECT p.team_id, p.released_on, p.source, p.question_id, sum(p.n), sum(p.x), sum(p.y),
              sum(p.xx), sum(p.yy), sum(p.xy)
         FROM (SELECT r.team_id, r.released_on, r.source, a.question_id, count(*) AS n,
                      sum(a.score::int) AS x, sum(b.score::int) AS y,
                      sum(a.score::int * a.score::int) AS xx, sum(b.score::int * b.score::int) AS yy,
                      sum(a.score::int * b.score::int) AS xy
                 FROM response r
                 JOIN answer a ON a.response_id = r.id AND a.score IS NOT NULL
                 JOIN question q ON q.id = a.question_id AND q.type IN ('rating', 'ces')
                 JOIN answer b ON b.response_id = r.id AND b.score IS NOT NULL
                 JOIN question qb ON qb.id = b.question_id AND qb.type = 'nps'
                 JOIN survey s ON s.id = r.survey_id
                GROUP BY r.survey_id, r.team_id, r.released_on, r.source, a.question_id,
                         s.reporting_threshold
               HAVING count(*) >= s.reporting_threshold) p
        GROUP BY 1, 2, 3, 4`,
    );
    await queryRunner.query(
      `INSERT INTO report_period_driver (grain, bucket_start, team_id, source, question_id, n, item_sum,
                                         nps_sum, item_squares, nps_squares, products)
       SELECT g.grain, date_trunc(g.grain, d.released_on::timestamp)::date, d.team_id, d.source,
              d.question_id, sum(d.n), sum(d.item_sum), sum(d.nps_sum), sum(d.item_squares),
              sum(d.nps_squares), sum(d.products)
         FROM report_day_driver d
        CROSS JOIN (VALUES ('week'), ('month'), ('quarter')) AS g(grain)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5`,
    );
  }

  public async down(): Promise<void> {
    // The rollup functions of this version write both tables, and a migration cannot restore the
    // earlier functions' text (it lives in the earlier code). Refused rather than leaving every
    // release failing on a missing table: roll back the code, whose ReportRollupSource-style
    // migration rewrites the functions, then drop report_day_driver and report_period_driver.
    throw new Error(
      'DriverRollups cannot be undone on its own: deploy the earlier code first (it rewrites the rollup functions), then drop report_day_driver and report_period_driver.',
    );
  }
}
