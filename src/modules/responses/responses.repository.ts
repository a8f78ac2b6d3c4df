import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import type { PendingAnswer } from './entities/pending-response.entity';

/** Arbitrary, fixed key: one mixer at a time across every instance. */
const MIXER_LOCK_KEY = 7_215_301_915;
/** Upper bound of one mixing transaction. */
const MAX_BATCH = 20_000;

/**
 * The day an answer is dated by. A ticket survey answer carries its ticket's coarse attributes,
 * which narrow who could have given it, so its date is coarser too: the first day of its week
 * (or of its month, when the week began in the month before), which keeps it in the right
 * week, month and quarter of every report.
 */
const RESPONDED_ON = `CASE WHEN c.source = 'ticket'
  THEN greatest(date_trunc('week', current_date), date_trunc('month', current_date))::date
  ELSE current_date END`;

@Injectable()
export class ResponsesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The submit, as one statement: claim the invitation behind the token (if it is still open,
   * its person active and it belongs to this survey) and, only if that claimed it, keep the
   * answer as pending with the segments the invitation recorded. This is the one place the
   * answer path touches `invitation`; doing both in one statement makes them atomic without a
   * transaction's round trips. A second, simultaneous claim waits on the row lock and then
   * finds it answered.
   */
  async claimAndStore(input: {
    tokenHash: Buffer;
    surveyId: string;
    locale: string;
    /** One pending response per rated team (a survey about one team has one). */
    blocks: { teamId: string; answers: PendingAnswer[] }[];
  }): Promise<boolean> {
    const rows = await preparedQuery<{ claimed: number }>(
      this.dataSource,
      'responses_claim_and_store_blocks',
      `WITH claimed AS (
         UPDATE invitation i SET answered_on = current_date
           FROM employee e, survey s
          WHERE i.token_hash = $1 AND i.survey_id = $2 AND i.answered_on IS NULL AND i.expires_at > now()
            AND e.id = i.employee_id AND e.active AND s.id = i.survey_id AND s.closes_at > now()
         RETURNING s.source, i.department, i.location, i.tenure_band,
                   i.category, i.priority, i.channel, i.resolution_band),
       stored AS (
         INSERT INTO pending_response
           (survey_id, team_id, source, responded_on, locale, department, location, tenure_band,
            category, priority, channel, resolution_band, answers)
         SELECT $2, b.team_id, c.source, ${RESPONDED_ON}, $3, c.department, c.location, c.tenure_band,
                c.category, c.priority, c.channel, c.resolution_band, b.answers
           FROM claimed c CROSS JOIN jsonb_to_recordset($4::jsonb) AS b(team_id uuid, answers jsonb)
         RETURNING 1)
       SELECT (SELECT count(*) FROM claimed)::int AS claimed, (SELECT count(*) FROM stored)::int AS stored`,
      [
        input.tokenHash,
        input.surveyId,
        input.locale,
        JSON.stringify(input.blocks.map((b) => ({ team_id: b.teamId, answers: b.answers }))),
      ],
    );
    return rows[0]?.claimed === 1;
  }

  /**
   * Moves pending answers into `response` and `answer` in one transaction of its own, in random
   * order, with fresh random ids, and deletes them from pending. It moves nothing unless at least
   * `minBatch` answers wait, except those of surveys that have closed, which may go as a smaller
   * last batch. Returns how many responses it moved.
   */
  mixPending(minBatch: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        MIXER_LOCK_KEY,
      ]);
      if (!locked) return 0;
      const waiting: { id: string; closed: boolean }[] = await manager.query(
        `SELECT p.id, s.closes_at <= now() AS closed
           FROM pending_response p JOIN survey s ON s.id = p.survey_id
          ORDER BY p.id LIMIT $1 FOR UPDATE OF p`,
        [MAX_BATCH],
      );
      const ids =
        waiting.length >= minBatch
          ? waiting.map((w) => w.id)
          : waiting.filter((w) => w.closed).map((w) => w.id);
      if (ids.length === 0) return 0;
      await manager.query(
        `WITH moved AS (
           DELETE FROM pending_response WHERE id = ANY($1::uuid[]) RETURNING *),
         shuffled AS MATERIALIZED (
           SELECT gen_random_uuid() AS response_id, moved.* FROM moved ORDER BY random()),
         responses AS (
           INSERT INTO response (id, survey_id, team_id, source, responded_on, locale, department, location,
                                 tenure_band, category, priority, channel, resolution_band)
           SELECT response_id, survey_id, team_id, source, responded_on, locale, department, location,
                  tenure_band, category, priority, channel, resolution_band
             FROM shuffled)
         INSERT INTO answer (response_id, question_id, score, option_key, text)
         SELECT s.response_id, a.question_id, a.score, a.option_key, a.text
           FROM shuffled s
           CROSS JOIN LATERAL jsonb_to_recordset(s.answers)
             AS a(question_id uuid, score smallint, option_key text, text text)`,
        [ids],
      );
      return ids.length;
    });
  }

  async countPending(): Promise<number> {
    const [{ count }] = await this.dataSource.query(
      'SELECT count(*)::int AS count FROM pending_response',
    );
    return count;
  }
}
