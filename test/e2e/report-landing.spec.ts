import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { I18n } from '../../src/common/i18n/i18n.service';
import { addBuckets, bucketStart, type Grain } from '../../src/modules/reports/periods';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Issue 15, item 2: without `at`, the overview and team pages open on the last closed period
 * that has results (not on today's open one), say when the period shown is still open, and
 * carry the period in the links between them.
 */
/** A period as the English pages name it ("November 2026", "Q4 2026"). */
const english = new I18n(join(process.cwd(), 'views', 'locales'));
const bucketLabel = (start: string, grain: Grain) => english.period('en', start, grain);

describe('where report pages open', () => {
  let t: TestApp;
  let lead: Awaited<ReturnType<typeof signIn>>;
  let slug: string;
  const today = new Date().toISOString().slice(0, 10);
  const current = bucketStart(today, 'month');
  // Answers two months back only: the last closed month has none, the current one none either.
  const answered = addBuckets(current, 'month', -2);
  const label = bucketLabel(answered, 'month');

  beforeAll(async () => {
    t = await startTestApp();
    const team = await createTeam(t, 'Landing desk');
    slug = team.slug;
    const { survey, questionnaire, questions } = await createSurvey(t, { teamSlug: slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    // Twelve answers, above k and the release batch size m.
    const scores = [10, 10, 10, 9, 9, 8, 8, 7, 6, 5, 3, 2];
    const written = await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn: `${answered.slice(0, 7)}-10`,
      submissions: scores.map((score) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId: team.id,
            answers: [{ question_id: nps.id, score, option_key: null, text: null }],
          },
        ],
      })),
    });
    expect(written).toBe(scores.length);
    lead = await signIn(t, 'lead', [slug]);
  });
  afterAll(() => t.close());

  const page = (url: string) => t.request({ method: 'GET', url, headers: { cookie: lead.cookie } });

  it('opens the team page on the last closed month with results, with its figure', async () => {
    const res = await page(`/teams/${slug}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<strong>${label}</strong>`);
    // 5 promoters, 3 passives, 4 detractors of 12: iNPS 8.3.
    expect(res.body).toContain('<span class="nps-value">8.3</span>');
    expect(res.body).not.toContain('period-open');
    // The way back to the overview keeps the period.
    expect(res.body).toContain(`href="/?period=month&amp;at=${answered}"`);
  });

  it('opens the overview on the same month, and its team links carry it', async () => {
    const res = await page('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<strong>${label}</strong>`);
    expect(res.body).toContain('<strong>8.3</strong>');
    expect(res.body).toContain(`href="/teams/${slug}?period=month&amp;at=${answered}"`);
    expect(res.body).not.toContain('period-open');
  });

  it('keeps the grain asked for and lands on its last closed bucket with results', async () => {
    const res = await page(`/teams/${slug}?period=quarter`);
    expect(res.statusCode).toBe(200);
    // The quarter of the answers when it has closed, else the last closed quarter (never the
    // open one); either way a quarter, as asked.
    const quarter = bucketStart(answered, 'quarter');
    const open = bucketStart(today, 'quarter');
    const expected = quarter < open ? quarter : addBuckets(open, 'quarter', -1);
    expect(res.body).toContain(`<strong>${bucketLabel(expected, 'quarter')}</strong>`);
    expect(res.body).not.toContain('period-open');
  });

  it('says when the month shown is still open, with a link to the last closed one', async () => {
    const lastClosed = addBuckets(current, 'month', -1);
    for (const [url, path] of [
      [`/teams/${slug}?period=month&at=${today}`, `/teams/${slug}`],
      [`/?period=month&at=${today}`, '/'],
    ]) {
      const res = await page(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('This month is still open');
      expect(res.body).toContain(`href="${path}?period=month&amp;at=${lastClosed}"`);
    }
  });

  it('falls back to the last closed month when no month has results', async () => {
    const empty = await createTeam(t, 'Nothing yet');
    const res = await t.request({
      method: 'GET',
      url: `/teams/${empty.slug}`,
      headers: { cookie: (await signIn(t, 'lead', [empty.slug])).cookie },
    });
    expect(res.statusCode).toBe(200);
    const lastClosed = addBuckets(current, 'month', -1);
    expect(res.body).toContain(`<strong>${bucketLabel(lastClosed, 'month')}</strong>`);
    expect(res.body).not.toContain('period-open');
  });
});
