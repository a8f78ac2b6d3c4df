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
 * computed straight from `response` and `answer` after inserts in several statements, after
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

  /** Rollup rows and the same figures from the raw rows, as sorted text lines. */
  async function compare() {
    for (const grain of GRAINS) {
      const rolled: { line: string }[] = await t.dataSource.query(
        `SELECT concat_ws('|', bucket_start, team_id, source, question_id, n, score_sum, score_counts::text) AS line
           FROM report_period_question WHERE grain = $1 ORDER BY 1`,
        [grain],
      );
      const raw: { line: string }[] = await t.dataSource.query(
        `WITH x AS (SELECT date_trunc($1, r.responded_on::timestamp)::date AS bucket, r.team_id,
                           r.source, a.question_id, a.response_id, a.score
                      FROM response r JOIN answer a ON a.response_id = r.id)
         SELECT concat_ws('|', bucket, team_id, source, question_id, count(DISTINCT response_id),
                coalesce(sum(score), 0), ${SCORE_COUNTS}) AS line
           FROM x GROUP BY bucket, team_id, source, question_id ORDER BY 1`,
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
        `SELECT concat_ws('|', date_trunc($1, r.responded_on::timestamp)::date, r.team_id, r.source,
                a.question_id, a.option_key, count(*)) AS line
           FROM response r JOIN answer a ON a.response_id = r.id WHERE a.option_key IS NOT NULL
          GROUP BY date_trunc($1, r.responded_on::timestamp), r.team_id, r.source, a.question_id, a.option_key
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
        `SELECT concat_ws('|', date_trunc($1, r.responded_on::timestamp)::date, r.team_id, r.source,
                s.dimension, s.value, count(*), count(*) FILTER (WHERE a.score >= 9),
                count(*) FILTER (WHERE a.score BETWEEN 7 AND 8), count(*) FILTER (WHERE a.score <= 6)) AS line
           FROM response r JOIN answer a ON a.response_id = r.id
           JOIN question q ON q.id = a.question_id AND q.type = 'nps'
          CROSS JOIN LATERAL (VALUES ('department', coalesce(r.department, 'Unknown')),
                                     ('location', coalesce(r.location, 'Unknown')),
                                     ('tenure_band', coalesce(r.tenure_band, 'Unknown')),
                                     ('resolution_band', coalesce(r.resolution_band, 'Unknown'))) AS s(dimension, value)
          -- The resolution-time band is a dimension of answers after tickets only.
          WHERE s.dimension <> 'resolution_band' OR r.source = 'ticket'
          GROUP BY date_trunc($1, r.responded_on::timestamp), r.team_id, r.source, s.dimension, s.value
          ORDER BY 1`,
        [grain],
      );
      expect({ grain, segments: segments.map((r) => r.line) }).toEqual({
        grain,
        segments: rawSegments.map((r) => r.line),
      });
    }
    const comments: { n: number; raw: number }[] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM report_comment) AS n,
              (SELECT count(*)::int FROM answer WHERE text IS NOT NULL) AS raw`,
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

    // Five "mixer batches", each one statement of responses and one of answers.
    for (let batch = 0; batch < 5; batch++) {
      const rows = Array.from({ length: 12 }, () => ({
        team: teams[randomInt(2)],
        day: days[randomInt(days.length)],
        source: randomInt(3) === 0 ? 'ticket' : 'pulse',
        department: ['Sales', 'Legal', null][randomInt(3)],
        band: ['<4h', '1-3d', null][randomInt(3)],
      }));
      const ids: { id: string }[] = await t.dataSource.query(
        `INSERT INTO response (survey_id, team_id, source, responded_on, locale, department, location, tenure_band, resolution_band)
         SELECT $1, x.team, x.source, x.day::date, 'en', x.department, 'Madrid', '1-3y',
                CASE WHEN x.source = 'ticket' THEN x.band END
           FROM jsonb_to_recordset($2::jsonb) AS x(team uuid, source text, day text, department text, band text)
         RETURNING id`,
        [survey.id, JSON.stringify(rows)],
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
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM report_period_question WHERE grain = 'quarter'`,
    );
    expect(n).toBeGreaterThan(0);
    await compare();

    // Deleting responses (a retention purge) takes them out of the rollups in the same statement.
    await t.dataSource.query(
      `DELETE FROM response WHERE id IN (SELECT id FROM response WHERE responded_on = '2024-03-31' OR random() < 0.3)`,
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
    expect(await t.get(ResponsesService).mix()).toBe(10);
    const [{ today }] = await t.dataSource.query(
      `SELECT coalesce(sum(n), 0)::int AS today FROM report_period_question
        WHERE grain = 'week' AND question_id = $1 AND bucket_start = date_trunc('week', current_date)::date`,
      [nps.id],
    );
    expect(today).toBe(10);
    await compare();
  });
});
