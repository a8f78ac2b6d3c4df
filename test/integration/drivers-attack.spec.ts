import { randomUUID } from 'node:crypto';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The reviewer's attacks on "what drives the score" (docs/reports.md), against the real
 * application and database:
 * 1. a release of 31 people, 30 giving iNPS 9 and one giving 3, all answering Q: the score
 *    distribution, Q's mean and CSAT and a correlation to 0.01 shown side by side pin the lone
 *    detractor's answer to Q — so no correlation may be shown for Q;
 * 2. a questionnaire with two iNPS questions: pairing each with every iNPS answer counted two
 *    pairs a person, so 3 people passed the release rule (k = 5) — each response now counts once,
 *    paired with its first iNPS answer.
 */

const K = 5;
const DAY = '2024-05-14';

describe('driver analysis: the reviewer’s attacks', () => {
  let t: TestApp;
  let run = 0;

  beforeAll(async () => {
    t = await startTestApp({ REPORTING_THRESHOLD: String(K), MIX_BATCH_SIZE: String(K) });
  }, 60_000);
  afterAll(() => t.close());

  /** A team with one survey of `questions`; writes released responses (answers in question order). */
  async function team(types: string[]) {
    const questionnaire = await t.get(SurveysService).createQuestionnaire({
      name: `Attack ${++run}`,
      questions: types.map((type, i) => ({ type, text: { en: `${type} ${i}` } })) as never,
    });
    const ids = (questionnaire.questions ?? [])
      .slice()
      .sort((a, b) => a.position - b.position)
      .map((q) => q.id);
    const slug = `drv-attack-${run}-${randomUUID().slice(0, 6)}`;
    const created = await t.get(TeamsService).create({ slug, name: `Attack ${run}` });
    const [survey] = (await t.dataSource.query(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
       VALUES ('attack survey', $1, $2, $3, now() + interval '30 days') RETURNING id`,
      [questionnaire.id, created.id, K],
    )) as { id: string }[];
    const write = async (people: (number | null)[][]) => {
      const responses = people.map(() => randomUUID());
      await t.dataSource.query(
        `INSERT INTO response (id, survey_id, team_id, source, released_on)
         SELECT id, $2, $3, 'pulse', $4 FROM unnest($1::uuid[]) AS id`,
        [responses, survey.id, created.id, DAY],
      );
      const answers = people.flatMap((scores, i) =>
        scores.flatMap((score, q) =>
          score === null ? [] : [{ response_id: responses[i], question_id: ids[q], score }],
        ),
      );
      await t.dataSource.query(
        `INSERT INTO answer (response_id, question_id, score)
         SELECT response_id, question_id, score
           FROM jsonb_to_recordset($1::jsonb) AS a(response_id uuid, question_id uuid, score smallint)`,
        [JSON.stringify(answers)],
      );
    };
    return { id: created.id, slug, ids, write };
  }

  const drivers = async (slug: string) => {
    const res = await t.api({
      method: 'GET',
      url: `/api/v1/teams/${slug}/drivers?period=month&at=${DAY}`,
    });
    expect(res.statusCode).toBe(200);
    return res.json() as {
      available: boolean;
      items: { id: string; status: string; correlation: number | null }[];
    };
  };

  it('shows no correlation for Q in a release of 30 × iNPS 9 and 1 × iNPS 3', async () => {
    const q = await team(['nps', 'rating']);
    // The promoters' answers to Q vary, so Q and the iNPS both have spread.
    const people = [
      ...Array.from({ length: 30 }, (_, i) => [9, (i % 5) + 1]),
      [3, 1], // the lone detractor
    ];
    await q.write(people);
    const body = await drivers(q.slug);
    expect(body.available).toBe(true);
    expect(body.items).toEqual([
      expect.objectContaining({ id: q.ids[1], status: 'too-few', correlation: null }),
    ]);
    // The team page shows no correlation either.
    const lead = await signIn(t, 'lead', [q.slug]);
    const page = await t.request({
      method: 'GET',
      url: `/teams/${q.slug}?period=month&at=${DAY}`,
      headers: { cookie: lead.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('What drives the score');
    expect(page.body).not.toContain('id="drivers-data"');
  });

  it('counts people, not pairs: two iNPS questions and 3 people give nothing', async () => {
    const q = await team(['nps', 'nps', 'rating']);
    await q.write(Array.from({ length: 3 }, (_, i) => [10, i * 3, (i % 5) + 1]));
    const rows = (table: string) =>
      t.dataSource.query(`SELECT n FROM ${table} WHERE team_id = $1`, [q.id]) as Promise<
        { n: number }[]
      >;
    expect(await rows('report_day_driver')).toEqual([]);
    expect(await rows('report_period_driver')).toEqual([]);
    expect((await drivers(q.slug)).items.every((i) => i.correlation === null)).toBe(true);
  });

  it('pairs each response with its first iNPS answer only', async () => {
    const q = await team(['nps', 'nps', 'rating']);
    // First iNPS 10, second 0, Q favourable: five promoters, favourable — never a detractor.
    await q.write(Array.from({ length: K }, () => [10, 0, 5]));
    const [day] = (await t.dataSource.query(
      `SELECT n, detractor_low, detractor_top, passive_low, passive_top, promoter_low, promoter_top
         FROM report_day_driver WHERE team_id = $1`,
      [q.id],
    )) as Record<string, number>[];
    expect(day).toEqual({
      n: K,
      detractor_low: 0,
      detractor_top: 0,
      passive_low: 0,
      passive_top: 0,
      promoter_low: 0,
      promoter_top: K,
    });
  });
});
