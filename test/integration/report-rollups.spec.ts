import { randomInt } from 'node:crypto';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  submitSurvey,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The rollups that reports read (report_period_*) are kept by triggers in the transaction that
 * writes or deletes answers. Here they are compared, grain by grain, with the same numbers
 * computed straight from `response`, `answer` and `response_segment` — counting only what a
 * release may show: a question of a release (survey, team, day) with at least the survey's k
 * answers (its comment threshold for text) — after inserts in several statements, after
 * deletes, and after the real mixer.
 */
describe('report rollups', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MIX_BATCH_SIZE: '10' });
  });
  afterAll(() => t.close());

  const GRAINS = ['week', 'month', 'quarter'];
  const SCORE_COUNTS = `ARRAY[${Array.from({ length: 11 }, (_, s) => `count(*) FILTER (WHERE score = ${s})`).join(', ')}]::int[]::text`;

  /** The answers of the releases that show their question, with their release's keys. */
  const SHOWN = `WITH counted AS (
      SELECT r.survey_id, r.team_id, r.released_on, r.source, a.question_id,
             count(DISTINCT a.response_id) AS n
        FROM response r JOIN answer a ON a.response_id = r.id GROUP BY 1, 2, 3, 4, 5),
    shown AS (
      SELECT c.* FROM counted c JOIN survey s ON s.id = c.survey_id JOIN question q ON q.id = c.question_id
       WHERE c.n >= CASE WHEN q.type = 'text' THEN s.comment_threshold ELSE s.reporting_threshold END),
    x AS (
      SELECT r.released_on, r.team_id, r.source, a.question_id, a.response_id, a.score, a.option_key, a.text
        FROM response r JOIN answer a ON a.response_id = r.id
        JOIN shown u ON u.survey_id = r.survey_id AND u.team_id = r.team_id
         AND u.released_on = r.released_on AND u.source = r.source AND u.question_id = a.question_id)`;

  /** Rollup rows and the same figures from the raw rows, as sorted text lines. */
  async function compare() {
    for (const grain of GRAINS) {
      const rolled: { line: string }[] = await t.dataSource.query(
        `SELECT concat_ws('|', bucket_start, team_id, source, question_id, n, score_sum, score_counts::text) AS line
           FROM report_period_question WHERE grain = $1 ORDER BY 1`,
        [grain],
      );
      const raw: { line: string }[] = await t.dataSource.query(
        `${SHOWN}
         SELECT concat_ws('|', date_trunc($1, released_on::timestamp)::date, team_id, source, question_id,
                count(DISTINCT response_id), coalesce(sum(score), 0), ${SCORE_COUNTS}) AS line
           FROM x GROUP BY date_trunc($1, released_on::timestamp), team_id, source, question_id ORDER BY 1`,
        [grain],
      );
      // A multi question has one answer row per chosen option: its score sum is 0, its n counts responses.
      expect({ grain, rows: rolled.map((r) => r.line) }).toEqual({
        grain,
        rows: raw.map((r) => r.line),
      });

      const options: { line: string }[] = await t.dataSource.query(
        `SELECT concat_ws('|', bucket_start, team_id, source, question_id, option_key, n) AS line
           FROM report_period_option WHERE grain = $1 ORDER BY 1`,
        [grain],
      );
      const rawOptions: { line: string }[] = await t.dataSource.query(
        `${SHOWN}
         SELECT concat_ws('|', date_trunc($1, released_on::timestamp)::date, team_id, source,
                question_id, option_key, count(*)) AS line
           FROM x WHERE option_key IS NOT NULL
          GROUP BY date_trunc($1, released_on::timestamp), team_id, source, question_id, option_key
          ORDER BY 1`,
        [grain],
      );
      expect({ grain, options: options.map((r) => r.line) }).toEqual({
        grain,
        options: rawOptions.map((r) => r.line),
      });

      const segments: { line: string }[] = await t.dataSource.query(
        `SELECT concat_ws('|', bucket_start, team_id, source, dimension, value, n, promoters, passives, detractors) AS line
           FROM report_period_segment WHERE grain = $1 ORDER BY 1`,
        [grain],
      );
      const rawSegments: { line: string }[] = await t.dataSource.query(
        `${SHOWN}
         SELECT concat_ws('|', date_trunc($1, c.released_on::timestamp)::date, c.team_id, c.source,
                c.dimension, c.value, sum(c.n), sum(c.score_counts[10] + c.score_counts[11]),
                sum(c.score_counts[8] + c.score_counts[9]),
                sum(c.score_counts[1] + c.score_counts[2] + c.score_counts[3] + c.score_counts[4]
                    + c.score_counts[5] + c.score_counts[6] + c.score_counts[7])) AS line
           FROM response_segment c JOIN question q ON q.id = c.question_id AND q.type = 'nps'
           JOIN shown u ON u.survey_id = c.survey_id AND u.team_id = c.team_id
            AND u.released_on = c.released_on AND u.source = c.source AND u.question_id = c.question_id
          GROUP BY date_trunc($1, c.released_on::timestamp), c.team_id, c.source, c.dimension, c.value
          ORDER BY 1`,
        [grain],
      );
      expect({ grain, segments: segments.map((r) => r.line) }).toEqual({
        grain,
        segments: rawSegments.map((r) => r.line),
      });
    }
    const comments: { n: number; raw: number; hidden: number }[] = await t.dataSource.query(
      `${SHOWN}
       SELECT (SELECT count(*)::int FROM report_comment) AS n,
              (SELECT count(*)::int FROM x WHERE text IS NOT NULL) AS raw`,
    );
    expect(comments[0].n).toBe(comments[0].raw);
  }

  it('match the responses after inserts in several statements, deletes and the mixer', async () => {
    const parent = await createTeam(t, 'Parent');
    const child = await createTeam(t, 'Child', parent.slug);
    const { survey, questions } = await createSurvey(t, { teamSlug: child.slug });
    const [nps, rating, ces, single, multi, text] = questions;
    const teams = [parent.id, child.id];
    const days = [
      '2024-03-29',
      '2024-03-31',
      '2024-04-01',
      '2024-06-30',
      '2024-07-01',
      '2025-01-05',
    ];

    // Five "releases", each one statement of responses, one of segments and one of answers;
    // some (team, day) groups stay below k and must count nowhere.
    for (let batch = 0; batch < 5; batch++) {
      const rows = Array.from({ length: 30 }, () => ({
        team: teams[randomInt(2)],
        day: days[randomInt(days.length)],
        source: randomInt(3) === 0 ? 'ticket' : 'pulse',
      }));
      const ids: { id: string }[] = await t.dataSource.query(
        `INSERT INTO response (survey_id, team_id, source, released_on)
         SELECT $1, x.team, x.source, x.day::date
           FROM jsonb_to_recordset($2::jsonb) AS x(team uuid, source text, day text)
         RETURNING id`,
        [survey.id, JSON.stringify(rows)],
      );
      await t.dataSource.query(
        `INSERT INTO response_segment (survey_id, team_id, released_on, source, dimension, value, question_id,
                                       n, score_sum, score_counts)
         SELECT $1, x.team, x.day::date, min(x.source), 'department', 'Sales', $2, count(*), 9 * count(*),
                array_fill(0, ARRAY[9]) || ARRAY[count(*)::int, 0]
           FROM jsonb_to_recordset($3::jsonb) AS x(team uuid, source text, day text)
          GROUP BY x.team, x.day
         ON CONFLICT DO NOTHING`,
        [survey.id, nps.id, JSON.stringify(rows)],
      );
      const answers = ids.flatMap(({ id }) => [
        {
          response_id: id,
          question_id: nps.id,
          score: randomInt(11),
          option_key: null,
          text: null,
        },
        {
          response_id: id,
          question_id: rating.id,
          score: 1 + randomInt(5),
          option_key: null,
          text: null,
        },
        {
          response_id: id,
          question_id: ces.id,
          score: 1 + randomInt(7),
          option_key: null,
          text: null,
        },
        { response_id: id, question_id: single.id, score: null, option_key: 'portal', text: null },
        { response_id: id, question_id: multi.id, score: null, option_key: 'speed', text: null },
        { response_id: id, question_id: multi.id, score: null, option_key: 'kindness', text: null },
        ...(randomInt(2) === 0
          ? [{ response_id: id, question_id: text.id, score: null, option_key: null, text: 'ok' }]
          : []),
      ]);
      await t.dataSource.query(
        `INSERT INTO answer (response_id, question_id, score, option_key, text)
         SELECT x.response_id, x.question_id, x.score, x.option_key, x.text
           FROM jsonb_to_recordset($1::jsonb) AS x(response_id uuid, question_id uuid, score int, option_key text, text text)`,
        [JSON.stringify(answers)],
      );
    }
    // And one release below k: two answers on a day of their own.
    const tiny: { id: string }[] = await t.dataSource.query(
      `INSERT INTO response (survey_id, team_id, source, released_on)
       VALUES ($1, $2, 'pulse', '2025-02-02'), ($1, $2, 'pulse', '2025-02-02') RETURNING id`,
      [survey.id, child.id],
    );
    await t.dataSource.query(
      `INSERT INTO answer (response_id, question_id, score) SELECT unnest($1::uuid[]), $2, 10`,
      [tiny.map((r) => r.id), nps.id],
    );
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM report_period_question WHERE grain = 'quarter'`,
    );
    expect(n).toBeGreaterThan(0);
    // Some releases are below k: the comparison below would miss a rollup that counted them.
    const [{ small }] = await t.dataSource.query(
      `SELECT count(*)::int AS small FROM (SELECT 1 FROM response GROUP BY survey_id, team_id, released_on
                                           HAVING count(*) < 5) s`,
    );
    expect(small).toBeGreaterThan(0);
    await compare();

    // Deleting responses (a retention purge) takes them out of the rollups in the same statement.
    await t.dataSource.query(
      `DELETE FROM response WHERE id IN (SELECT id FROM response WHERE released_on = '2024-03-31' OR random() < 0.3)`,
    );
    await compare();

    // The real path: links, the submit, the mixer.
    const people = await createEmployees(t, 10);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    for (const [i, token] of tokens.entries()) {
      const res = await submitSurvey(t, token, {
        [`q_${nps.id}`]: String(i),
        [`q_${multi.id}`]: ['speed', 'clarity'],
        [`q_${text.id}`]: `because ${i}`,
      });
      expect(res.statusCode).toBe(200);
    }
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`,
      [survey.id],
    );
    expect(await t.get(ResponsesService).mix()).toBe(10);
    const [{ today }] = await t.dataSource.query(
      `SELECT coalesce(sum(n), 0)::int AS today FROM report_period_question
        WHERE grain = 'week' AND question_id = $1
          AND bucket_start = date_trunc('week', (now() - interval '2 minutes')::date)::date`,
      [nps.id],
    );
    expect(today).toBe(10);
    await compare();
  });
});
