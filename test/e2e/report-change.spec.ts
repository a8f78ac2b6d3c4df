import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { I18n } from '../../src/common/i18n/i18n.service';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Issue 15, item 3: a change is called a rise or a fall only when its 95% interval says so
 * (significance.ts), a small sample is flagged, and the API carries the same change object —
 * in English and in Persian (right to left, Persian digits, periods by name).
 */
describe('changes told apart from noise', () => {
  let t: TestApp;
  let lead: Awaited<ReturnType<typeof signIn>>;
  const i18n = new I18n(join(process.cwd(), 'views', 'locales'));
  const current = bucketStart(new Date().toISOString().slice(0, 10), 'month');
  const shown = addBuckets(current, 'month', -1); // the last closed month
  const before = addBuckets(current, 'month', -2);
  const teams: Record<'noise' | 'real', { id: string; slug: string }> = {} as never;

  async function release(team: { id: string }, month: string, scores: number[]) {
    const { survey, questionnaire, questions } = await createSurvey(t, {
      teamSlug: teamSlug(team),
    });
    const nps = questions.find((q) => q.type === 'nps')!;
    await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn: `${month.slice(0, 7)}-10`,
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
  }
  const teamSlug = (team: { id: string }) =>
    Object.values(teams).find((x) => x.id === team.id)!.slug;
  const repeat = (scores: number[], times: number) =>
    Array.from({ length: times }, () => scores).flat();

  beforeAll(async () => {
    t = await startTestApp();
    teams.noise = await createTeam(t, 'Noise desk');
    teams.real = await createTeam(t, 'Real desk');
    // Ten answers each month (a release holds at least m = 10): iNPS 40 then 0, a drop of 40
    // well inside its margin of error.
    await release(teams.noise, before, [10, 10, 10, 10, 9, 9, 8, 7, 6, 5]);
    await release(teams.noise, shown, [10, 10, 9, 8, 8, 7, 7, 6, 5, 3]);
    // Forty answers each month: iNPS −10 then +60, a rise its interval cannot explain away.
    await release(teams.real, before, repeat([10, 9, 8, 7, 6, 5, 4, 3, 9, 8], 4));
    await release(teams.real, shown, repeat([10, 10, 9, 9, 10, 9, 8, 7, 6, 10], 4));
    lead = await signIn(t, 'lead', [teams.noise.slug, teams.real.slug]);
  }, 180_000);
  afterAll(() => t.close());

  const page = (url: string, lang?: string) =>
    t.request({
      method: 'GET',
      url,
      headers: { cookie: lang ? `${lead.cookie}; inpulse_lang=${lang}` : lead.cookie },
    });
  const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

  it('carries the change object in the API: not significant on few answers, significant on many', async () => {
    const noise = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${teams.noise.slug}?period=month&at=${shown}`,
      })
    ).json();
    expect(noise.headline.nps).toBe(0);
    expect(noise.change).toEqual({
      delta: -40,
      low: expect.any(Number),
      high: expect.any(Number),
      significant: false,
      direction: 'flat',
      smallSample: true,
    });
    expect(noise.change.low).toBeLessThan(0);
    expect(noise.change.high).toBeGreaterThan(0);
    const real = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${teams.real.slug}?period=month&at=${shown}`,
      })
    ).json();
    expect(real.change).toMatchObject({
      delta: 70,
      significant: true,
      direction: 'up',
      smallSample: false,
    });
    expect(real.change.low).toBeGreaterThan(0);

    const overview = (
      await t.api({ method: 'GET', url: `/api/v1/reports/overview?period=month&at=${shown}` })
    ).json();
    const row = (slug: string) => overview.rows.find((r: { slug: string }) => r.slug === slug);
    expect(row(teams.noise.slug).change).toBe(-40);
    expect(row(teams.noise.slug).changeDetail).toEqual(noise.change);
    expect(row(teams.real.slug).changeDetail).toEqual(real.change);
    // A month with nothing before it has no change at all.
    const first = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${teams.real.slug}?period=month&at=${before}`,
      })
    ).json();
    expect(first.change).toBeNull();
    // The OpenAPI document says what the change object is.
    const doc = (await t.request({ method: 'GET', url: '/api/docs/openapi.json' })).json();
    expect(doc.paths['/api/v1/reports/teams/{slug}'].get.description).toContain('smallSample');
    expect(doc.paths['/api/v1/reports/overview'].get.description).toContain('changeDetail');
  });

  it('words a noisy change as no clear change and flags the small sample; a real one as a significant rise (en)', async () => {
    const noisePage = (await page(`/teams/${teams.noise.slug}?period=month&at=${shown}`)).body;
    expect(noisePage).toContain('<span class="small-sample" title="Fewer than 30 responses in one');
    const noise = text(noisePage);
    expect(noise).toContain('No clear change (within the margin of error): -40.0');
    expect(noise).toContain('fewer than 30 responses, so the margin of error is wide');
    expect(noise).not.toMatch(/Significant (rise|fall)/);
    const realPage = (await page(`/teams/${teams.real.slug}?period=month&at=${shown}`)).body;
    expect(realPage).not.toContain('class="small-sample"');
    const real = text(realPage);
    expect(real).toContain('Significant rise: +70.0');
    expect(real).not.toContain('No clear change (within the margin of error): +70.0');
    const overview = text((await page(`/?period=month&at=${shown}`)).body);
    expect(overview).toContain('Significant rise: +70.0');
    expect(overview).toContain('No clear change (within the margin of error): -40.0');
  });

  it('says the same in Persian, right to left, with Persian digits and periods by name', async () => {
    const res = await page(`/teams/${teams.noise.slug}?period=month&at=${shown}`, 'fa');
    expect(res.body).toContain('<html lang="fa" dir="rtl">');
    const noise = text(res.body);
    const month = i18n.period('fa', shown, 'month');
    expect(month).toMatch(/^[^\d]+ [۰-۹]{4}$/); // e.g. «نوامبر ۲۰۲۶»
    const headline = /<h2 id="headline-title">([^<]*)<\/h2>/.exec(res.body)![1];
    expect(headline).toContain(month);
    expect(headline).not.toMatch(/[0-9]/);
    expect(noise).toContain('بدون تغییر روشن (در حد خطای اندازه‌گیری)');
    expect(noise).toContain(i18n.signed('fa', -40));
    expect(res.body).toContain('<span class="small-sample" title="در یکی از دو دوره');
    const real = text(
      (await page(`/teams/${teams.real.slug}?period=month&at=${shown}`, 'fa')).body,
    );
    expect(real).toContain(`افزایش معنادار: ${i18n.signed('fa', 70)}`);
    // No Latin digits in the figures of the headline cards.
    const cards = /<div class="kpis">([\s\S]*?)<\/div>\s*<p class="hint">/.exec(
      (await page(`/teams/${teams.real.slug}?period=month&at=${shown}`, 'fa')).body,
    )![1];
    expect(text(cards)).not.toMatch(/[0-9]/);
    expect(text(cards)).toMatch(/[۰-۹]/);
  });

  it('reads periods by name in Spanish and Japanese too', async () => {
    for (const lang of ['es', 'ja']) {
      const res = await page(`/teams/${teams.real.slug}?period=month&at=${shown}`, lang);
      expect(res.body).toContain(`<html lang="${lang}" dir="ltr">`);
      const body = text(res.body);
      const headline = /<h2 id="headline-title">([^<]*)<\/h2>/.exec(res.body)![1];
      expect(headline).toContain(i18n.period(lang, shown, 'month'));
      expect(headline).not.toContain(shown.slice(0, 7));
      expect(body).toContain(i18n.period(lang, shown, 'month'));
    }
  });
});
