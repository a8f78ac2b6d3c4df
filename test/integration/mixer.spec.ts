import { Client } from 'pg';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  submitSurvey,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { urlFor } from '../setup/test-database';

/** The release rules of DESIGN.md, checked on the rows PostgreSQL actually holds. */
describe('the mixer', () => {
  const M = 10;
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await startTestApp({ MIX_BATCH_SIZE: String(M) });
    admin = new Client({ connectionString: urlFor(t.db.name) });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
  });
  afterAll(async () => {
    await admin.end();
    await t.close();
  });

  const mix = () => t.get(ResponsesService).mix();
  const close = (surveyId: string) =>
    t.dataSource.query(`UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`, [
      surveyId,
    ]);

  async function answerInOrder(count: number, invited = Math.max(count, M), teamSlug?: string) {
    const { survey, questions } = await createSurvey(t, { teamSlug });
    const people = await createEmployees(t, invited);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const [nps, , , , , text] = questions;
    // Each answer carries its position in the order of submission, in its comment.
    for (let i = 0; i < count; i++) {
      const res = await submitSurvey(t, tokens[i], {
        [`q_${nps.id}`]: String(i % 11),
        [`q_${text.id}`]: `answer ${i}`,
      });
      expect(res.statusCode).toBe(200);
    }
    return { survey, textQuestion: text, tokens };
  }

  const released = (surveyId: string) =>
    t.dataSource.query('SELECT 1 FROM response WHERE survey_id = $1', [surveyId]);

  it('releases nothing while the survey is open, however many answers wait', async () => {
    const { survey } = await answerInOrder(25);
    expect(await mix()).toBe(0);
    expect(await released(survey.id)).toHaveLength(0);
    // The link is used up all the same: its answer waits under a keyed claim.
    const [{ answered }] = await t.dataSource.query(
      'SELECT count(*) FILTER (WHERE answered)::int AS answered FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(answered).toBe(0);
    await close(survey.id);
    expect(await mix()).toBe(25);
  });

  it('releases a closed survey once, in a transaction of its own that also marks the invitations answered', async () => {
    const { survey, textQuestion } = await answerInOrder(40, 45);
    await close(survey.id);
    expect(await mix()).toBe(40);
    expect(await mix()).toBe(0);

    const responses: { xmin: string; position: number; day: string }[] = await t.dataSource.query(
      `SELECT r.xmin::text AS xmin, substring(a.text from 'answer (\\d+)')::int AS position,
              to_char(r.released_on, 'YYYY-MM-DD') AS day
         FROM response r JOIN answer a ON a.response_id = r.id AND a.question_id = $2
        WHERE r.survey_id = $1 ORDER BY r.ctid`,
      [survey.id, textQuestion.id],
    );
    expect(responses).toHaveLength(40);
    // One transaction, one day (the day it closed): the release.
    expect(new Set(responses.map((r) => r.xmin)).size).toBe(1);
    expect(new Set(responses.map((r) => r.day))).toEqual(
      new Set([new Date(Date.now() - 120_000).toISOString().slice(0, 10)]),
    );
    // The invitations answered are exactly the release's, and carry its transaction.
    const invitations: { xmin: string; answered: boolean }[] = await t.dataSource.query(
      'SELECT xmin::text AS xmin, answered FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(invitations.filter((i) => i.answered)).toHaveLength(40);
    expect(new Set(invitations.filter((i) => i.answered).map((i) => i.xmin))).toEqual(
      new Set([responses[0].xmin]),
    );
    // The physical order of the rows does not follow the order of submission.
    const order = responses.map((r) => r.position);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(Math.abs(spearman(order))).toBeLessThan(0.6);
    // Nothing waits, and no dead tuple of what waited is left in the heap.
    expect(await t.dataSource.query('SELECT 1 FROM pending_response')).toHaveLength(0);
    const { rows } = await admin.query(
      `SELECT count(*)::int AS tuples FROM generate_series(0, (pg_relation_size('pending_response') / 8192)::int - 1) b,
              LATERAL heap_page_items(get_raw_page('pending_response', b)) p WHERE p.t_data IS NOT NULL`,
    );
    expect(rows[0].tuples).toBe(0);
  });

  it('shuffles differently each time', async () => {
    const orders: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const { survey, textQuestion } = await answerInOrder(20);
      await close(survey.id);
      await mix();
      const rows: { position: number }[] = await t.dataSource.query(
        `SELECT substring(a.text from 'answer (\\d+)')::int AS position FROM response r
           JOIN answer a ON a.response_id = r.id AND a.question_id = $2 WHERE r.survey_id = $1 ORDER BY r.ctid`,
        [survey.id, textQuestion.id],
      );
      orders.push(rows.map((r) => r.position));
    }
    expect(orders[0]).not.toEqual(orders[1]);
  });

  it('drops the answers of a survey that closed with fewer than m people, unread', async () => {
    const { survey, tokens } = await answerInOrder(3, 12);
    await close(survey.id);
    expect(await mix()).toBe(0);
    expect(await released(survey.id)).toHaveLength(0);
    expect(await t.dataSource.query('SELECT 1 FROM pending_response')).toHaveLength(0);
    // They did answer: their links stay used, and the count says so only once it reaches k.
    const [{ answered }] = await t.dataSource.query(
      'SELECT count(*) FILTER (WHERE answered)::int AS answered FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(answered).toBe(3);
    const page = await t.request({ method: 'GET', url: `/s/${tokens[0]}` });
    expect(page.statusCode).toBe(410);
    const list = (await t.api({ method: 'GET', url: '/api/v1/surveys' })).json() as {
      items: { id: string; answered: number | null }[];
    };
    expect(list.items.find((s) => s.id === survey.id)?.answered).toBeNull();
  });

  it('releases two surveys that close together in two releases, each of its own people', async () => {
    const a = await answerInOrder(12);
    const b = await answerInOrder(11);
    await close(a.survey.id);
    await close(b.survey.id);
    expect(await mix()).toBe(23);
    const batches: { survey_id: string; xmin: string; n: number }[] = await t.dataSource.query(
      `SELECT survey_id, xmin::text AS xmin, count(*)::int AS n FROM response
        WHERE survey_id = ANY($1::uuid[]) GROUP BY 1, 2`,
      [[a.survey.id, b.survey.id]],
    );
    expect(batches).toHaveLength(2);
    expect(new Set(batches.map((x) => x.xmin)).size).toBe(2);
    expect(batches.map((x) => x.n).sort()).toEqual([11, 12]);
  });

  it('releases a survey on its close day beside the answers an upgrade released there before it', async () => {
    // AnonymousRelease releases the answers a survey still open at the upgrade already had on the
    // survey's close day; the mixer releases the rest on that same day, adding its aggregates.
    const { survey, questions } = await createSurvey(t);
    const nps = questions.find((q) => q.type === 'nps')!;
    const people = await createEmployees(t, M);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    for (const token of tokens)
      expect((await submitSurvey(t, token, { [`q_${nps.id}`]: '9' })).statusCode).toBe(200);
    await close(survey.id);
    const [{ day, team }] = await t.dataSource.query(
      `SELECT (closes_at AT TIME ZONE 'UTC')::date::text AS day, team_id AS team FROM survey WHERE id = $1`,
      [survey.id],
    );
    // The upgrade's release: ten people of Engineering, in Madrid, all detractors.
    await t.dataSource.query(
      `WITH r AS (INSERT INTO response (survey_id, team_id, source, released_on)
                  SELECT $1, $2, 'pulse', $3 FROM generate_series(1, $5) RETURNING id)
       INSERT INTO answer (response_id, question_id, score) SELECT id, $4, 0 FROM r`,
      [survey.id, team, day, nps.id, M],
    );
    await t.dataSource.query(
      `INSERT INTO response_segment (survey_id, team_id, released_on, source, dimension, value, question_id, n, score_sum, score_counts)
       SELECT $1, $2, $3, 'pulse', d, v, $4, $5, 0, ARRAY[$5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
         FROM (VALUES ('department', 'Engineering'), ('location', 'Madrid')) AS x(d, v)`,
      [survey.id, team, day, nps.id, M],
    );
    expect(await mix()).toBe(M);
    const cells: { dimension: string; n: number; score_counts: number[] }[] =
      await t.dataSource.query(
        `SELECT dimension, n, score_counts FROM response_segment
          WHERE survey_id = $1 AND question_id = $2 AND dimension IN ('department', 'location')
          ORDER BY dimension`,
        [survey.id, nps.id],
      );
    const both = [M, 0, 0, 0, 0, 0, 0, 0, 0, M, 0];
    expect(cells).toEqual([
      { dimension: 'department', n: 2 * M, score_counts: both },
      { dimension: 'location', n: 2 * M, score_counts: both },
    ]);
    const [{ n }] = await t.dataSource.query(
      `SELECT sum(n)::int AS n FROM report_day_segment WHERE team_id = $1 AND dimension = 'department'`,
      [team],
    );
    expect(n).toBe(2 * M);
  });

  it('releases a team’s answers after tickets per questionnaire: a group below m waits, even when the team has m people', async () => {
    const team = await createTeam(t, 'Questionnaire switch');
    // Two monthly surveys of the team after tickets, each with a questionnaire of its own: the
    // old month's with 4 people, the new month's with m. Answered while open, as pulses would be.
    const old = await answerInOrder(4, M, team.slug);
    const current = await answerInOrder(M, M, team.slug);
    await t.dataSource.query(`UPDATE survey SET source = 'ticket' WHERE id = ANY($1::uuid[])`, [
      [old.survey.id, current.survey.id],
    ]);
    await t.dataSource.query(
      `UPDATE survey SET created_at = created_at - interval '40 days' WHERE id = $1`,
      [old.survey.id],
    );
    await t.dataSource.query(`DELETE FROM release_marker WHERE name = 'ticket'`);
    await t.dataSource.query(
      `INSERT INTO release_marker (name, released_through) VALUES ('ticket', current_date - 60)`,
    );
    expect(await mix()).toBe(M);
    // Every response answers the questionnaire of the survey it is filed under: the new one.
    const filed: { survey: string; own: boolean }[] = await t.dataSource.query(
      `SELECT DISTINCT r.survey_id AS survey, qu.questionnaire_id = s.questionnaire_id AS own
         FROM response r JOIN survey s ON s.id = r.survey_id
         JOIN answer a ON a.response_id = r.id JOIN question qu ON qu.id = a.question_id
        WHERE r.team_id = $1`,
      [team.id],
    );
    expect(filed).toEqual([{ survey: current.survey.id, own: true }]);
    const [{ waiting }] = await t.dataSource.query(
      'SELECT count(*)::int AS waiting FROM pending_response WHERE survey_id = $1',
      [old.survey.id],
    );
    expect(waiting).toBe(4);
    await t.dataSource.query('DELETE FROM pending_response WHERE survey_id = $1', [old.survey.id]);
  });
});

/** Spearman rank correlation of a sequence with its index. */
function spearman(values: number[]): number {
  const n = values.length;
  const ranks = [...values].map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  let d2 = 0;
  ranks.forEach((r, rank) => (d2 += (r.i - rank) ** 2));
  return 1 - (6 * d2) / (n * (n * n - 1));
}
