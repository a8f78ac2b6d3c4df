import { DemoService } from '../../src/modules/demo/demo.service';
import { DEMO_TEAMS, DEPARTMENTS, LOCATIONS } from '../../src/modules/demo/demo-data';
import { BUILTIN_REVIEW_QUESTIONNAIRE } from '../../src/modules/reviews/review-questionnaire';
import { signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { untranslatedRuns } from '../setup/untranslated';

type Session = Awaited<ReturnType<typeof signIn>>;

/**
 * The demo's pages in Japanese and Persian (issue 15, item 1): headings written from texts the
 * code holds (the built-in review questions, a campaign's questions and options) come in the
 * page's language, and so does an error page for a refused query.
 */
describe('headings and error pages in the person’s language (demo data)', () => {
  let t: TestApp;
  let admin: Session;
  let campaignId: string;
  /** The demo's own data (names of teams, departments, places, the campaign): not the app's words. */
  const data = [
    ...DEMO_TEAMS.map((team) => team.name),
    ...DEPARTMENTS,
    ...LOCATIONS,
    'Monthly internal-service pulse',
    'A admin',
  ];

  const get = (url: string) => t.request({ method: 'GET', url, headers: { cookie: admin.cookie } });
  const speak = async (locale: string) => {
    const res = await t.request({
      method: 'POST',
      url: '/account/language',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: new URLSearchParams({ _csrf: admin.csrf, locale, next: '/' }).toString(),
    });
    expect(res.statusCode).toBe(303);
  };

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    admin = await signIn(t, 'admin');
    [{ id: campaignId }] = await t.dataSource.query(
      `SELECT id FROM campaign WHERE name = 'Monthly internal-service pulse'`,
    );
  }, 300_000);
  afterAll(() => t.close());

  /** The headings of the team page's anonymous reviews part. */
  const reviewHeadings = (html: string) => {
    const start = html.indexOf('id="reviews-title"');
    const section = html.slice(start, html.indexOf('</section>', start));
    return [...section.matchAll(/<h3 dir="auto">([^<]*)<\/h3>/g)].map((m) => m[1]);
  };

  it.each(['ja', 'fa'])('heads the review questions of the team page in %s', async (locale) => {
    await speak(locale);
    const page = await get('/teams/it-service-desk?period=quarter');
    expect(page.statusCode).toBe(200);
    const open = BUILTIN_REVIEW_QUESTIONNAIRE.questions.filter((q) => q.type === 'text');
    const headings = reviewHeadings(page.body);
    expect(headings.length).toBeGreaterThan(0);
    for (const heading of headings)
      expect(open.map((q) => q.text[locale])).toContain(heading.replace(/&#x27;/g, "'"));
    expect(page.body).not.toContain('What works well?');
    expect(page.body).not.toContain('What should change?');
  });

  it('keeps the English review questions on an English page', async () => {
    await speak('en');
    const page = await get('/teams/it-service-desk?period=quarter');
    expect(reviewHeadings(page.body)).toEqual(
      expect.arrayContaining(['What works well?', 'What should change?']),
    );
  });

  it.each(['ja', 'fa'])(
    'shows the campaign report’s questions and options in %s, with no English left',
    async (locale) => {
      await speak(locale);
      const page = await get(`/campaigns/${campaignId}/report`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('How likely are you to recommend');
      expect(page.body).not.toContain('Self-service portal');
      expect(untranslatedRuns(page.body, { allow: data })).toEqual([]);
    },
  );

  it.each(['ja', 'fa'])(
    'says what is wrong with a refused query in %s, and writes targets of the audit as codes',
    async (locale) => {
      await speak(locale);
      const refused = await get('/teams/it-service-desk?period=decade');
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain(`<html lang="${locale}"`);
      expect(untranslatedRuns(refused.body, { allow: data })).toEqual([]);
      expect(refused.body).toMatch(/<p>[^<]*period[^<]*week, month, quarter[^<]*<\/p>/i);
      const audit = await get('/admin/audit');
      expect(audit.statusCode).toBe(200);
      expect(untranslatedRuns(audit.body, { allow: data })).toEqual([]);
    },
  );
});
