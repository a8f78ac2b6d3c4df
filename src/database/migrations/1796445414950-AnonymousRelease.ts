import { MigrationInterface, QueryRunner } from 'typeorm';
import { mixBatchSizeFromEnv } from '../../config/app-config';
import { REPORT_ROLLUP_FUNCTIONS, ROLLUP_TABLES } from '../sql/report-rollups.sql';

/**
 * Answers are released by the mixer in batches of at least m different people of one release
 * (see ResponsesService), and nothing else ties an answer to a person:
 *
 * - `response` keeps only survey, team, source and the day of its release; segments become
 *   aggregates per release (`response_segment`), never per person; the language and the ticket
 *   attributes go.
 * - `invitation` records whether it was answered (set by the release), not when; it keeps of the
 *   ticket only its resolution-time band.
 * - `pending_response` holds sealed answers under a keyed claim; the requester of a ticket is
 *   kept sealed; the throttle's keyed hash goes (the throttle reads invitations).
 * - Rollups count only what a release may show (the survey's k answers of a question).
 *
 * What the database already holds is brought to that shape, by the mixer's rules (release-plan.ts),
 * since before this any survey could be answered by one person. Answers still pending (plaintext,
 * the old way) are first released as the old mixer would have. Then every earlier answer is put in
 * a release of at least m different people, or deleted unread, comments included (its invitation
 * still says answered, as the mixer leaves it):
 * - pulses: each survey's responses about a team are one release (every one of them a different
 *   person: one invitation each), dated by the survey's close day, as the mixer dates it — also
 *   for a survey still open, whose later answers the mixer releases on that same day;
 * - answers after tickets: a team's periods (a week within a month, as they were already dated)
 *   are pooled in order until the pool holds m different people (counted from the answered
 *   invitations of those periods) and m responses; a remainder below that joins the team's last
 *   pool, or is deleted when there is none. A pool is dated by its last period, as the mixer dates
 *   a period's release (by its first day), and filed under its newest survey, as the mixer files
 *   a team's release;
 * - eNPS answers count only where at least m of the release's answerers were asked (the survey's,
 *   for a survey about named teams: which of them each person rated was never recorded).
 * Segments become aggregates by the same rule (values shared by at least m people who answered the
 * iNPS question, the rest 0 or at least m). m is MIX_BATCH_SIZE read from the environment as the
 * app reads it (default 10, never below k): run the upgrade with the app's environment.
 * Every response, answer, invitation and follow-up is rewritten, so that none keeps the
 * transaction of an old claim or batch; the follow-up migration (AnonymousReleaseScrub) then
 * rewrites the tables in random order and drops their old row versions (the deleted answers
 * among them) and dropped columns.
 */
const SCORE_COUNTS = `ARRAY[${Array.from({ length: 11 }, (_, s) => `count(*) FILTER (WHERE a.score = ${s})`).join(', ')}]::int[]`;

/** The period (a week within a month) holding a day, as answers after tickets were dated. */
const PERIOD_OF = (day: string) =>
  `greatest(date_trunc('week', ${day}::timestamp), date_trunc('month', ${day}::timestamp))::date`;

/** A team's answers after tickets of one period, and who answered in it (from the invitations). */
interface TicketPeriod {
  teamId: string;
  period: string;
  responses: number;
  people: string[];
}

/**
 * Each team's periods, in order, pooled until a pool holds at least m different people and m
 * responses; a remainder below that joins the team's last pool (none: it is not released). Every
 * period of a pool is released on the pool's last period's first day.
 */
function poolTicketPeriods(
  periods: TicketPeriod[],
  m: number,
): { teamId: string; period: string; released_on: string }[] {
  const released: { teamId: string; period: string; released_on: string }[] = [];
  const byTeam = new Map<string, TicketPeriod[]>();
  for (const p of periods) byTeam.set(p.teamId, [...(byTeam.get(p.teamId) ?? []), p]);
  for (const [teamId, list] of byTeam) {
    const pools: string[][] = [];
    let pool: string[] = [];
    let people = new Set<string>();
    let responses = 0;
    for (const p of list) {
      pool.push(p.period);
      p.people.forEach((person) => people.add(person));
      responses += p.responses;
      if (people.size >= m && responses >= m) {
        pools.push(pool);
        [pool, people, responses] = [[], new Set(), 0];
      }
    }
    if (pool.length > 0 && pools.length > 0) pools[pools.length - 1].push(...pool);
    for (const periodsOfPool of pools) {
      const day = periodsOfPool[periodsOfPool.length - 1];
      for (const period of periodsOfPool) released.push({ teamId, period, released_on: day });
    }
  }
  return released;
}

export class AnonymousRelease1796445414950 implements MigrationInterface {
  name = 'AnonymousRelease1796445414950';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string, values?: unknown[]) => queryRunner.query(sql, values);

    // 1. Answers still pending, released the old way (they were claimed; their invitations say so).
    await q(`WITH moved AS (DELETE FROM pending_response RETURNING *),
         shuffled AS MATERIALIZED (SELECT gen_random_uuid() AS response_id, moved.* FROM moved ORDER BY random()),
         responses AS (
           INSERT INTO response (id, survey_id, team_id, source, responded_on, locale, department, location,
                                 tenure_band, category, priority, channel, resolution_band)
           SELECT response_id, survey_id, team_id, source, responded_on, locale, department, location,
                  tenure_band, category, priority, channel, resolution_band FROM shuffled)
         INSERT INTO answer (response_id, question_id, score, option_key, text)
         SELECT s.response_id, a.question_id, a.score, a.option_key, a.text
           FROM shuffled s CROSS JOIN LATERAL jsonb_to_recordset(s.answers)
             AS a(question_id uuid, score smallint, option_key text, text text)`);

    // 2. Releases of at least m different people, dated as the mixer dates them; what cannot
    // make one is deleted unread (answers go with their response).
    const m = mixBatchSizeFromEnv();
    await q(`ALTER TABLE "response" ADD "released_on" date`);
    // Pulses: a survey's responses about a team, dated by its close day; below m, deleted.
    await q(`UPDATE response r SET released_on = (s.closes_at AT TIME ZONE 'UTC')::date
               FROM survey s WHERE s.id = r.survey_id AND r.source = 'pulse'`);
    await q(
      `DELETE FROM response r
        USING (SELECT survey_id, team_id FROM response WHERE source = 'pulse'
                GROUP BY 1, 2 HAVING count(*) < $1) small
        WHERE r.source = 'pulse' AND r.survey_id = small.survey_id AND r.team_id = small.team_id`,
      [m],
    );
    // eNPS (asked to some only): kept where at least m of the release's answerers were asked it.
    await q(
      `WITH asked AS (
         SELECT u.survey_id, u.team_id
           FROM (SELECT DISTINCT survey_id, team_id FROM response) u
           JOIN survey s ON s.id = u.survey_id
           JOIN invitation i ON i.survey_id = u.survey_id AND i.answered_on IS NOT NULL AND i.asks_enps
            AND (s.subject <> 'own_team' OR i.team_id = u.team_id)
          GROUP BY 1, 2 HAVING count(*) >= $1)
       DELETE FROM answer a USING response r, question qn
        WHERE r.id = a.response_id AND qn.id = a.question_id AND qn.type = 'enps'
          AND NOT EXISTS (SELECT 1 FROM asked WHERE asked.survey_id = r.survey_id AND asked.team_id = r.team_id)`,
      [m],
    );
    // After tickets: periods pooled per team (poolTicketPeriods); a pool's answers are filed
    // under its newest survey; periods in no pool, deleted.
    const ticketPeriods: TicketPeriod[] = await q(
      `WITH answers AS (
         SELECT team_id, ${PERIOD_OF('responded_on')} AS period, count(*)::int AS responses
           FROM response WHERE source = 'ticket' GROUP BY 1, 2),
       answerers AS (
         SELECT s.team_id, ${PERIOD_OF('i.answered_on')} AS period, array_agg(DISTINCT i.employee_id::text) AS people
           FROM invitation i JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket'
          WHERE i.answered_on IS NOT NULL GROUP BY 1, 2)
       SELECT a.team_id AS "teamId", to_char(a.period, 'YYYY-MM-DD') AS period, a.responses,
              coalesce(p.people, '{}'::text[]) AS people
         FROM answers a LEFT JOIN answerers p ON p.team_id = a.team_id AND p.period = a.period
        ORDER BY a.team_id, a.period`,
    );
    await q(
      `UPDATE response r SET released_on = p.released_on
         FROM jsonb_to_recordset($1::jsonb) AS p("teamId" uuid, period date, released_on date)
        WHERE r.source = 'ticket' AND r.team_id = p."teamId" AND ${PERIOD_OF('r.responded_on')} = p.period`,
      [JSON.stringify(poolTicketPeriods(ticketPeriods, m))],
    );
    await q(`DELETE FROM response WHERE source = 'ticket' AND released_on IS NULL`);
    await q(`UPDATE response r SET survey_id = newest.survey_id
               FROM (SELECT DISTINCT ON (x.team_id, x.released_on) x.team_id, x.released_on, x.survey_id
                       FROM response x JOIN survey s ON s.id = x.survey_id
                      WHERE x.source = 'ticket'
                      ORDER BY x.team_id, x.released_on, s.created_at DESC, s.id DESC) newest
              WHERE r.source = 'ticket' AND r.team_id = newest.team_id
                AND r.released_on = newest.released_on AND r.survey_id <> newest.survey_id`);
    await q(`ALTER TABLE "response" ALTER COLUMN "released_on" SET NOT NULL`);

    // 3. Segments as aggregates per release: values shared by at least m of those who answered
    // the iNPS question, less the smallest while the rest is above 0 and below m.
    await q(
      `CREATE TABLE "response_segment" ("survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "released_on" date NOT NULL, "source" character varying(16) NOT NULL, "dimension" character varying(16) NOT NULL, "value" character varying(100) NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "score_sum" bigint NOT NULL, "score_counts" integer array NOT NULL, CONSTRAINT "PK_b16bbef786a667fd6560aef7bc3" PRIMARY KEY ("survey_id", "team_id", "released_on", "dimension", "value", "question_id"))`,
    );
    await q(
      `CREATE INDEX "ix_response_segment_team_day" ON "response_segment"  ("team_id", "released_on") `,
    );
    await q(`WITH basis AS (
           SELECT r.id, r.survey_id, r.team_id, r.released_on, r.source, s.dimension, coalesce(s.value, 'Unknown') AS value
             FROM response r
            CROSS JOIN LATERAL (VALUES ('department', r.department), ('location', r.location),
                                       ('tenure_band', r.tenure_band), ('resolution_band', r.resolution_band)) AS s(dimension, value)
            WHERE (r.source = 'pulse') = (s.dimension <> 'resolution_band')
              AND (EXISTS (SELECT 1 FROM answer a JOIN question qn ON qn.id = a.question_id AND qn.type = 'nps'
                            WHERE a.response_id = r.id AND a.score IS NOT NULL)
                   OR NOT EXISTS (SELECT 1 FROM survey sv JOIN question qn ON qn.questionnaire_id = sv.questionnaire_id
                                   WHERE sv.id = r.survey_id AND qn.type = 'nps'))),
         people AS (
           SELECT survey_id, team_id, released_on, source, dimension, value, count(*) AS n
             FROM basis GROUP BY 1, 2, 3, 4, 5, 6),
         ranked AS (
           SELECT p.*,
                  sum(CASE WHEN n < ${m} THEN n ELSE 0 END) OVER w AS small,
                  sum(CASE WHEN n >= ${m} THEN n ELSE 0 END) OVER (PARTITION BY survey_id, team_id, released_on, dimension
                       ORDER BY CASE WHEN n >= ${m} THEN n END, value ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
             FROM people p
           WINDOW w AS (PARTITION BY survey_id, team_id, released_on, dimension)),
         kept AS (
           SELECT r.*,
                  -- a large value folds in while the rest (the small ones and the folded) is below m
                  (r.small = 0 OR r.small + coalesce(r.before, 0) >= ${m}) AS stays
             FROM ranked r WHERE r.n >= ${m}),
         -- (When every value folds and the rest is still below m, none stays: nothing is named.)
         named AS (SELECT k.* FROM kept k WHERE k.stays)
         INSERT INTO response_segment (survey_id, team_id, released_on, source, dimension, value, question_id, n, score_sum, score_counts)
         SELECT b.survey_id, b.team_id, b.released_on, b.source, b.dimension, b.value, a.question_id, count(*),
                coalesce(sum(a.score), 0), ${SCORE_COUNTS}
           FROM basis b
           JOIN named n ON n.survey_id = b.survey_id AND n.team_id = b.team_id AND n.released_on = b.released_on
            AND n.dimension = b.dimension AND n.value = b.value
           JOIN answer a ON a.response_id = b.id AND a.score IS NOT NULL
           JOIN question qn ON qn.id = a.question_id AND qn.type IN ('nps', 'enps', 'rating', 'ces')
          GROUP BY 1, 2, 3, 4, 5, 6, 7`);

    // 4. Responses keep survey, team, source and day; every row rewritten (a new version).
    for (const column of [
      'locale',
      'department',
      'location',
      'tenure_band',
      'category',
      'priority',
      'channel',
      'resolution_band',
      'responded_on',
    ])
      await q(`ALTER TABLE "response" DROP COLUMN "${column}"`);
    await q(`CREATE INDEX "ix_response_team_day_new" ON "response" ("team_id", "released_on")`);
    await q(`UPDATE response SET released_on = released_on`);
    await q(`UPDATE answer SET question_id = question_id`);

    // 5. Invitations: whether answered, not when; of the ticket only its band.
    await q(`ALTER TABLE "invitation" ADD "answered" boolean NOT NULL DEFAULT false`);
    await q(`UPDATE invitation SET answered = (answered_on IS NOT NULL)`);
    for (const column of ['answered_on', 'category', 'priority', 'channel'])
      await q(`ALTER TABLE "invitation" DROP COLUMN "${column}"`);

    // 6. Pending answers: sealed, under a keyed claim (the table is empty after step 1).
    await q(`DROP TABLE "pending_response"`);
    await q(
      `CREATE TABLE "pending_response" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "survey_id" uuid NOT NULL, "claim_key" bytea NOT NULL, "sealed" bytea NOT NULL, CONSTRAINT "PK_10bde2bd3fe38127b131efa8dc7" PRIMARY KEY ("id"))`,
    );
    await q(
      `CREATE UNIQUE INDEX "uq_pending_response_claim" ON "pending_response"  ("claim_key") `,
    );
    await q(`CREATE INDEX "ix_pending_response_survey" ON "pending_response"  ("survey_id") `);
    await q(
      `CREATE TABLE "pending_ticket_invitation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sealed" bytea NOT NULL, CONSTRAINT "PK_063a68737c460f6c069499d50ab" PRIMARY KEY ("id"))`,
    );
    await q(
      `CREATE TABLE "pending_follow_up" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sealed" bytea NOT NULL, CONSTRAINT "PK_ff42a0b218f481139bdb36b9def" PRIMARY KEY ("id"))`,
    );
    await q(
      `CREATE TABLE "release_marker" ("name" character varying(32) NOT NULL, "released_through" date NOT NULL, CONSTRAINT "PK_a2138459d954bcf62ae33cd4c4f" PRIMARY KEY ("name"))`,
    );

    // 7. Tickets: the requester sealed — what is there now cannot be sealed without APP_SECRET,
    // so it is forgotten (a survey still waiting is then skipped: no requester); no keyed hash.
    await q(`ALTER TABLE "ticket_event" ADD "requester_email_sealed" bytea`);
    await q(`ALTER TABLE "ticket_event" ADD "requester_external_id_sealed" bytea`);
    for (const column of ['requester_email', 'requester_external_id', 'requester_hash'])
      await q(`ALTER TABLE "ticket_event" DROP COLUMN "${column}"`);
    await q(`UPDATE ticket_event SET survey_attempts = survey_attempts`);
    await q(`DROP TABLE "ticket_survey_throttle"`);
    await q(`UPDATE follow_up SET requested_on = requested_on`);
    // Done survey jobs kept the ticket they were about.
    const jobs: { job: string | null; archive: string | null }[] = await q(
      `SELECT to_regclass('pgboss.job')::text AS job, to_regclass('pgboss.archive')::text AS archive`,
    );
    for (const table of [jobs[0].job, jobs[0].archive])
      if (table)
        await q(
          `DELETE FROM ${table} WHERE name IN ('ticket.survey', 'ticket.survey.dead') AND state IN ('completed', 'cancelled', 'failed')`,
        );

    // 8. Surveys: a comment threshold fixed like k; closed pulses count as released.
    await q(`ALTER TABLE "survey" ADD "comment_threshold" smallint NOT NULL DEFAULT '5'`);
    await q(`UPDATE survey SET comment_threshold = greatest(5, reporting_threshold)`);
    await q(`ALTER TABLE "survey" ADD "released" boolean NOT NULL DEFAULT false`);
    await q(`UPDATE survey SET released = true WHERE source = 'pulse' AND closes_at <= now()`);

    // 9. Rollups: the day column renamed, campaign rollups per release (departments come from
    // response_segment), new functions, everything recomputed.
    for (const table of ROLLUP_TABLES) await q(`DELETE FROM ${table}`);
    await q(`DROP INDEX "public"."ix_report_comment_team_day"`);
    await q(`DROP INDEX "public"."ix_report_day_option_team_day"`);
    await q(`DROP INDEX "public"."ix_report_day_question_team_day"`);
    await q(`ALTER INDEX "ix_response_team_day_new" RENAME TO "ix_response_team_day"`);
    for (const [table, pk, renamed] of [
      ['report_comment', null, null],
      ['report_day_option', 'PK_3a5d6981153b1ffdd41f493935c', 'PK_30a7da105c27332c0e4d3f93f42'],
      ['report_day_question', 'PK_75541236d3fe1739e4627d5286f', 'PK_f220a0bcd19da0caf9866a08032'],
      ['report_day_segment', 'PK_9bfb40572c89a80beec52cf7bf0', 'PK_a39501a858e9867f50ad36eb8a2'],
    ]) {
      await q(`ALTER TABLE "${table}" RENAME COLUMN "responded_on" TO "released_on"`);
      if (pk) await q(`ALTER TABLE "${table}" RENAME CONSTRAINT "${pk}" TO "${renamed}"`);
    }
    await q(`DROP TABLE "report_wave_option"`);
    await q(`DROP TABLE "report_wave_question"`);
    await q(
      `CREATE TABLE "report_wave_option" ("survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "released_on" date NOT NULL, "question_id" uuid NOT NULL, "option_key" character varying(64) NOT NULL, "n" integer NOT NULL, CONSTRAINT "PK_edcab6e02c7b56226daabce98db" PRIMARY KEY ("survey_id", "team_id", "released_on", "question_id", "option_key"))`,
    );
    await q(
      `CREATE TABLE "report_wave_question" ("survey_id" uuid NOT NULL, "team_id" uuid NOT NULL, "released_on" date NOT NULL, "question_id" uuid NOT NULL, "n" integer NOT NULL, "score_sum" bigint NOT NULL, "score_counts" integer array NOT NULL, CONSTRAINT "PK_35f4234a8ec58acbb20b282b454" PRIMARY KEY ("survey_id", "team_id", "released_on", "question_id"))`,
    );
    await q(
      `CREATE INDEX "ix_report_wave_question_survey" ON "report_wave_question"  ("survey_id", "question_id") `,
    );
    await q(
      `CREATE INDEX "ix_report_comment_team_day" ON "report_comment"  ("team_id", "released_on", "sort_key", "answer_id") `,
    );
    await q(
      `CREATE INDEX "ix_report_day_option_team_day" ON "report_day_option"  ("team_id", "released_on") `,
    );
    await q(
      `CREATE INDEX "ix_report_day_question_team_day" ON "report_day_question"  ("team_id", "released_on") `,
    );
    await q(`DROP FUNCTION report_band_refresh(uuid[], date[])`);
    for (const statement of REPORT_ROLLUP_FUNCTIONS) await q(statement);
    await q(`SELECT report_refresh(array_agg(team_id), array_agg(released_on))
               FROM (SELECT DISTINCT team_id, released_on FROM response) k`);
  }

  public async down(): Promise<void> {
    // Going back would need what this migration erased on purpose (when people answered, their
    // segments per answer, the requesters of tickets): it cannot be undone.
    throw new Error('AnonymousRelease cannot be reverted: it erases what tied answers to people.');
  }
}
