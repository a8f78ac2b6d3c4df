import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createEmployees, createSurvey, inviteAndCollectTokens, submitSurvey } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/** The "unlinkable storage" rules of DESIGN.md, checked on the rows PostgreSQL actually holds. */
describe('the mixer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MIX_BATCH_SIZE: '10' });
  });
  afterAll(() => t.close());

  async function answerInOrder(count: number) {
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, count);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const [nps, , , , , text] = questions;
    // Each answer carries its position in the order of submission, in its comment.
    for (let i = 0; i < tokens.length; i++) {
      const res = await submitSurvey(t, tokens[i], {
        [`q_${nps.id}`]: String(i % 11),
        [`q_${text.id}`]: `answer ${i}`,
      });
      expect(res.statusCode).toBe(200);
    }
    return { survey, textQuestion: text };
  }

  it('moves nothing while fewer than m answers wait', async () => {
    const { survey } = await answerInOrder(9);
    expect(await t.get(ResponsesService).mix()).toBe(0);
    expect(
      await t.dataSource.query('SELECT 1 FROM response WHERE survey_id = $1', [survey.id]),
    ).toHaveLength(0);
    await t.dataSource.query('DELETE FROM pending_response');
  });

  it('leaves no transaction id or row order that ties a response to its invitation', async () => {
    const { survey, textQuestion } = await answerInOrder(40);
    const invitationXids: { xmin: string }[] = await t.dataSource.query(
      'SELECT xmin::text AS xmin FROM invitation WHERE survey_id = $1 AND answered_on IS NOT NULL',
      [survey.id],
    );
    expect(invitationXids).toHaveLength(40);
    // Before mixing, each pending answer shares its transaction with the invitation it claimed.
    const pendingXids: { xmin: string }[] = await t.dataSource.query(
      'SELECT xmin::text AS xmin FROM pending_response',
    );
    expect(pendingXids.every((p) => invitationXids.some((i) => i.xmin === p.xmin))).toBe(true);

    expect(await t.get(ResponsesService).mix()).toBe(40);

    const responses: { xmin: string; position: number }[] = await t.dataSource.query(
      `SELECT r.xmin::text AS xmin, substring(a.text from 'answer (\\d+)')::int AS position
         FROM response r JOIN answer a ON a.response_id = r.id AND a.question_id = $2
        WHERE r.survey_id = $1 ORDER BY r.ctid`,
      [survey.id, textQuestion.id],
    );
    expect(responses).toHaveLength(40);
    const invitationSet = new Set(invitationXids.map((i) => i.xmin));
    expect(responses.filter((r) => invitationSet.has(r.xmin))).toEqual([]);
    // All 40 were written by one transaction of the mixer's own.
    expect(new Set(responses.map((r) => r.xmin)).size).toBe(1);
    // The physical order of the rows does not follow the order of submission.
    const order = responses.map((r) => r.position);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(Math.abs(spearman(order))).toBeLessThan(0.6);
    expect(await t.dataSource.query('SELECT 1 FROM pending_response')).toHaveLength(0);
  });

  it('shuffles differently each time', async () => {
    const orders: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const { survey, textQuestion } = await answerInOrder(20);
      await t.get(ResponsesService).mix();
      const rows: { position: number }[] = await t.dataSource.query(
        `SELECT substring(a.text from 'answer (\\d+)')::int AS position FROM response r
           JOIN answer a ON a.response_id = r.id AND a.question_id = $2 WHERE r.survey_id = $1 ORDER BY r.ctid`,
        [survey.id, textQuestion.id],
      );
      orders.push(rows.map((r) => r.position));
    }
    expect(orders[0]).not.toEqual(orders[1]);
  });

  it('lets a smaller last batch go once the survey has closed', async () => {
    const { survey } = await answerInOrder(3);
    expect(await t.get(ResponsesService).mix()).toBe(0);
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '1 second' WHERE id = $1`,
      [survey.id],
    );
    expect(await t.get(ResponsesService).mix()).toBe(3);
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
