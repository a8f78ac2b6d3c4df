import { randomUUID } from 'node:crypto';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { ReportCache } from '../../src/modules/reports/report-cache';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Issue 17, item 5: closed periods come from the report cache, and a late release into a closed
 * period shows at once, on every instance (two apps on one database, each with its own cache),
 * with a new ETag; before it, the ETag answers 304; an ETag never opens a team to someone who
 * may not see it.
 */
describe('the report cache', () => {
  let one: TestApp;
  let two: TestApp;
  let lead: Awaited<ReturnType<typeof signIn>>;
  let leadOnTwo: Awaited<ReturnType<typeof signIn>>;
  let stranger: Awaited<ReturnType<typeof signIn>>;
  let team: { id: string; slug: string };
  const current = bucketStart(new Date().toISOString().slice(0, 10), 'month');
  const closed = addBuckets(current, 'month', -1);

  /** A release of `scores` (one person each) into `day`, as the mixer writes it. */
  async function release(day: string, scores: number[], comment?: string) {
    const { survey, questionnaire, questions } = await createSurvey(one, { teamSlug: team.slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    const text = questions.find((q) => q.type === 'text');
    await one.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn: day,
      submissions: scores.map((score) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId: team.id,
            answers: [
              { question_id: nps.id, score, option_key: null, text: null },
              ...(text && comment
                ? [{ question_id: text.id, score: null, option_key: null, text: comment }]
                : []),
            ],
          },
        ],
      })),
    });
  }

  beforeAll(async () => {
    one = await startTestApp();
    two = await startTestApp({}, { database: one.db });
    team = await createTeam(one, 'Cache desk');
    const other = await createTeam(one, 'Other desk');
    await release(`${closed.slice(0, 7)}-10`, [10, 10, 10, 9, 9, 8, 7, 6, 5, 3], 'Quick help');
    lead = await signIn(one, 'lead', [team.slug]);
    leadOnTwo = await signIn(two, 'lead', [team.slug]);
    stranger = await signIn(one, 'viewer', [other.slug]);
  }, 180_000);
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  const apiUrl = () => `/api/v1/reports/teams/${team.slug}?period=month&at=${closed}`;
  const pageUrl = () => `/teams/${team.slug}?period=month&at=${closed}`;
  const answers = (html: string) =>
    /class="kpi kpi-answers">[\s\S]*?<p class="kpi-value big">([^<]+)<\/p>/.exec(html)?.[1];

  it('serves a closed period with an ETag, answers 304 until a late release, then shows it on every instance', async () => {
    const first = await one.api({ method: 'GET', url: apiUrl() });
    expect(first.statusCode).toBe(200);
    expect(first.json().headline.n).toBe(10);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers['cache-control']).toBe('private, no-store');
    // The same representation again: 304, no body.
    const again = await one.api({
      method: 'GET',
      url: apiUrl(),
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Both instances have the period's page in their caches now.
    for (const [app, who] of [
      [one, lead],
      [two, leadOnTwo],
    ] as const) {
      const page = await app.request({
        method: 'GET',
        url: pageUrl(),
        headers: { cookie: who.cookie },
      });
      expect(page.statusCode).toBe(200);
      expect(answers(page.body)).toBe('10');
    }
    const cached = one.get(ReportCache).hits;
    await one.request({ method: 'GET', url: pageUrl(), headers: { cookie: lead.cookie } });
    expect(one.get(ReportCache).hits).toBeGreaterThan(cached);

    // Late answers released into the closed month (through instance one).
    await release(`${closed.slice(0, 7)}-20`, [10, 9, 9, 9, 8, 8, 7, 6, 2, 0]);

    for (const [app, who] of [
      [two, leadOnTwo],
      [one, lead],
    ] as const) {
      const page = await app.request({
        method: 'GET',
        url: pageUrl(),
        headers: { cookie: who.cookie },
      });
      expect(answers(page.body)).toBe('20');
    }
    const after = await two.api({
      method: 'GET',
      url: apiUrl(),
      headers: { 'if-none-match': etag },
    });
    expect(after.statusCode).toBe(200);
    expect(after.json().headline.n).toBe(20);
    expect(after.headers.etag).not.toBe(etag);
  });

  it('gives the CSV an ETag and 304 too, and only after the access checks', async () => {
    const url = `/teams/${team.slug}/export.csv?period=month&at=${closed}`;
    const csv = await one.request({ method: 'GET', url, headers: { cookie: lead.cookie } });
    expect(csv.statusCode).toBe(200);
    const etag = csv.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    const json = await one.api({ method: 'GET', url: apiUrl() });
    expect(json.headers.etag).not.toBe(etag); // another representation, another tag
    const again = await one.request({
      method: 'GET',
      url,
      headers: { cookie: lead.cookie, 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    // Someone who may not see the team gets what they get without the tag: not found.
    const stranger304 = await one.request({
      method: 'GET',
      url,
      headers: { cookie: stranger.cookie, 'if-none-match': etag },
    });
    expect(stranger304.statusCode).toBe(404);
  });

  it('reads an open period live: no ETag, not stored', async () => {
    const open = await one.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${team.slug}?period=month&at=${current}`,
    });
    expect(open.statusCode).toBe(200);
    expect(open.headers.etag).toBeUndefined();
    expect(open.headers['cache-control']).toBe('no-store');
  });
});
