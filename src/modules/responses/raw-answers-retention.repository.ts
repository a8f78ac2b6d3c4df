import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REPORT_ROLLUP_LOCK } from '../../database/sql/report-rollups.sql';

/**
 * The responses feature's part of `retention.purge` (docs/retention.md, "Raw answers"): the
 * freeze line, then the raw rows released before it, one batch per statement (each its own short
 * transaction, nothing held between them: it works through a transaction-mode pooler).
 */
@Injectable()
export class RawAnswersRetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Moves the freeze line to `days` days before today (UTC, the calendar of release days), never
   * backwards, under the rollup lock — so no rollup refresh is half-way through a day the line
   * passes — and answers the line in force (YYYY-MM-DD).
   */
  async advanceLine(days: number): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [REPORT_ROLLUP_LOCK]);
      const [{ line }]: { line: string }[] = await manager.query(
        `WITH moved AS (
           UPDATE report_raw_retention
              SET raw_before = greatest(raw_before, (now() AT TIME ZONE 'UTC')::date - $1::int)
           RETURNING raw_before)
         SELECT to_char(raw_before, 'YYYY-MM-DD') AS line FROM moved`,
        [days],
      );
      return line;
    });
  }

  /**
   * One batch of responses released before `line`; their answers go with them (fk_answer_response,
   * ON DELETE CASCADE). The rollups of their days stay as they are: report_refresh leaves days
   * before the line alone. Answers how many responses went — never how many answers: see
   * PurgeCounts (retention.service.ts).
   */
  async purgeResponsesBatch(line: string, limit: number): Promise<number> {
    const [row]: { responses: number }[] = await this.dataSource.query(
      `WITH old AS MATERIALIZED (
         SELECT id FROM response WHERE released_on < $1::date LIMIT $2),
       gone AS (DELETE FROM response r USING old WHERE r.id = old.id AND r.released_on < $1::date
                RETURNING 1)
       SELECT count(*)::int AS responses FROM gone`,
      [line, limit],
    );
    return row.responses;
  }

  /**
   * One batch of segment aggregates released before `line` that no report reads any more: those
   * of answers after tickets and of reviews (their day and period rollups are frozen). A pulse
   * release's stay: a campaign wave's report reads them directly, by department (waveQuestionCounts),
   * and they are aggregates of at least m people, like the rollups.
   */
  async purgeSegmentsBatch(line: string, limit: number): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `WITH gone AS (
         DELETE FROM response_segment
          WHERE ctid = ANY(ARRAY(SELECT ctid FROM response_segment
                                  WHERE released_on < $1::date AND source <> 'pulse' LIMIT $2))
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [line, limit],
    );
    return row.n;
  }

  /**
   * The deleted rows out of the heap, as the mixer does for its pending rows: they held answers.
   * One statement, outside any transaction (VACUUM refuses one), so it goes through the pooler.
   */
  async vacuum(): Promise<void> {
    await this.dataSource.query('VACUUM answer, response, response_segment');
  }
}
