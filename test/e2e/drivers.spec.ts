import { randomUUID } from 'node:crypto';
import { DriverReportService } from '../../src/modules/reports/driver-report.service';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { ReportCache } from '../../src/modules/reports/report-cache';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createTeam, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Issue 15, item 4: "what drives the score" on the team page and the JSON API — questions ranked
 * by the correlation of their favourable answers (4–5) with the iNPS category (−1/0/+1), "focus here" on the weakest of the
 * top-impact half, withheld below max(k, 30) respondents with both answers and wherever the
 * team's own iNPS is withheld, the same numbers on the page and in the API, and the team's
 * access rule.
 */

interface Answered {
  /** Null: skipped. */
  nps: number | null;
  /** Scores of the rating questions, in questionnaire order (null: skipped). */
  ratings: (number | null)[];
}

/** Pearson's r of two series, as a reader would work it out. */
function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The coded values the correlation is computed on: favourable (4–5) or not, NPS category. */
const topBox = (rating: number) => (rating >= 4 ? 1 : 0);
const category = (nps: number) => (nps >= 9 ? 1 : nps >= 7 ? 0 : -1);

/**
 * 40 people in 8 blocks of 5 alike in iNPS category and in which questions they rate
 * favourably, so every cell of every table (category × favourable), of the 40 and of the first
 * 30, is 0 or a multiple of 5 (at least k): "Resolved" follows the iNPS category closely and is
 * rated well, "Kept informed" follows it less closely and is rated lower, "Portal" has nothing
 * to do with it.
 */
const BLOCKS: ['promoter' | 'passive' | 'detractor', boolean, boolean, boolean][] = [
  ['promoter', true, true, true],
  ['detractor', false, false, false],
  ['promoter', true, true, false],
  ['detractor', false, false, true],
  ['passive', true, false, false],
  ['passive', false, false, true],
  ['promoter', true, false, false],
  ['detractor', false, false, false],
];
const PLANTED: Answered[] = Array.from({ length: 40 }, (_, i) => {
  const [kind, ...top] = BLOCKS[Math.floor(i / 5)];
  const j = i % 5;
  const nps =
    kind === 'promoter' ? 9 + (j % 2) : kind === 'passive' ? 7 + (j % 2) : [0, 2, 4, 6, 3][j];
  return {
    nps,
    ratings: top.map((favourable, q) => (favourable ? (q === 0 ? 4 + (j % 2) : 4) : 1 + (j % 3))),
  };
});

describe('what drives the score', () => {
  let t: TestApp;
  let questionnaireId: string;
  let ratingIds: string[];
  let npsId: string;
  const today = new Date().toISOString().slice(0, 10);
  const month = addBuckets(bucketStart(today, 'month'), 'month', -2);
  const day = `${month.slice(0, 7)}-10`;
  const slugs: Record<string, string> = {};

  /** A team with one pulse survey and one release of these people on `day`. */
  async function plant(teamId: string, teamSlug: string, people: Answered[]) {
    const surveys = t.get(SurveysService);
    const survey = await surveys.createSurvey({
      name: 'Drivers pulse',
      questionnaireId,
      teamSlug,
    });
    const written = await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId,
      source: 'pulse',
      releasedOn: day,
      submissions: people.map((p) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId,
            answers: [
              ...(p.nps === null
                ? []
                : [{ question_id: npsId, score: p.nps, option_key: null, text: null }]),
              ...p.ratings.flatMap((score, i) =>
                score === null
                  ? []
                  : [{ question_id: ratingIds[i], score, option_key: null, text: null }],
              ),
            ],
          },
        ],
      })),
    });
    expect(written).toBe(people.length);
  }

  beforeAll(async () => {
    t = await startTestApp({ REPORTING_THRESHOLD: '5', MIX_BATCH_SIZE: '10' });
    const questionnaire = await t.get(SurveysService).createQuestionnaire({
      name: 'Drivers questionnaire',
      defaultLocale: 'en',
      questions: [
        {
          type: 'nps',
          required: true,
          text: { en: 'Would you recommend this team?', fa: 'این تیم را توصیه می‌کنید؟' },
        },
        { type: 'rating', text: { en: 'My request was resolved.', fa: 'درخواستم حل شد.' } },
        { type: 'rating', text: { en: 'I was kept informed.', fa: 'در جریان قرار گرفتم.' } },
        {
          type: 'rating',
          text: { en: 'The portal is easy to use.', fa: 'کار با پورتال آسان است.' },
        },
      ],
    });
    questionnaireId = questionnaire.id;
    const questions = questionnaire.questions ?? [];
    npsId = questions.find((q) => q.type === 'nps')!.id;
    ratingIds = questions.filter((q) => q.type === 'rating').map((q) => q.id);

    const planted = await createTeam(t, 'Drivers desk');
    slugs.planted = planted.slug;
    await plant(planted.id, planted.slug, PLANTED);

    // 29 people with both answers (and 6 more who skipped the ratings): one short of 30.
    const short = await createTeam(t, 'Short desk');
    slugs.short = short.slug;
    await plant(short.id, short.slug, [
      ...PLANTED.slice(0, 29),
      ...PLANTED.slice(0, 6).map((p) => ({ ...p, ratings: [null, null, null] })),
    ]);
    // Exactly 30: shown.
    const exact = await createTeam(t, 'Exact desk');
    slugs.exact = exact.slug;
    await plant(exact.id, exact.slug, PLANTED.slice(0, 30));

    // A parent whose own release shows no iNPS (three answered it, fewer than k): it counts
    // nowhere, so the parent's drivers are its sub-team's, and no more.
    const parent = await createTeam(t, 'Parent desk');
    const child = await createTeam(t, 'Child desk', parent.slug);
    slugs.parent = parent.slug;
    slugs.child = child.slug;
    await plant(child.id, child.slug, PLANTED);
    await plant(parent.id, parent.slug, [
      ...PLANTED.slice(0, 3),
      ...PLANTED.slice(3, 10).map((p) => ({ ...p, nps: null })),
    ]);
    // Ratings without any iNPS: the team's iNPS is withheld, and so are its drivers.
    const ratingsOnly = await createTeam(t, 'Ratings desk');
    slugs.ratingsOnly = ratingsOnly.slug;
    await plant(
      ratingsOnly.id,
      ratingsOnly.slug,
      PLANTED.map((p) => ({ ...p, nps: null })),
    );
  });
  afterAll(() => t.close());

  const api = (slug: string, query = `period=month&at=${month}`) =>
    t.api({ method: 'GET', url: `/api/v1/teams/${slug}/drivers?${query}` });

  it('ranks the questions by the correlation of their favourable answers with the iNPS category, focus on the weakest of the top half', async () => {
    const res = await api(slugs.planted);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ k: 5, threshold: 30, method: 'pearson', available: true });
    expect(body.period).toMatchObject({ grain: 'month', start: month });
    const nps = PLANTED.map((p) => category(p.nps as number));
    const expected = [0, 1, 2].map((i) =>
      pearson(
        PLANTED.map((p) => topBox(p.ratings[i] as number)),
        nps,
      ),
    );
    // Resolved, then kept informed, then the portal (close to nothing).
    expect(expected[0]).toBeGreaterThan(expected[1]);
    expect(expected[1]).toBeGreaterThan(0.5);
    expect(Math.abs(expected[2])).toBeLessThan(0.3);
    const items = body.items as {
      id: string;
      status: string;
      rank: number;
      correlation: number;
      focus: boolean;
      performance: { withheld: boolean; mean: number; csat: number; n: number };
    }[];
    expect(items.map((i) => i.id)).toEqual(ratingIds);
    expect(items.map((i) => i.rank)).toEqual([1, 2, 3]);
    items.forEach((item, i) => {
      expect(item.status).toBe('shown');
      // Two decimals, no more.
      expect(item.correlation).toBe(Math.round(item.correlation * 100) / 100);
      expect(Math.abs(item.correlation - expected[i])).toBeLessThanOrEqual(0.005 + 1e-9);
    });
    // The top half (two of three) are "resolved" and "kept informed"; the second is rated lower.
    const mean = (i: number) =>
      PLANTED.reduce((s, p) => s + (p.ratings[i] as number), 0) / PLANTED.length;
    expect(mean(1)).toBeLessThan(mean(0));
    expect(items.map((i) => i.focus)).toEqual([false, true, false]);
    expect(body.focus).toBe(ratingIds[1]);
    expect(items[1].performance).toMatchObject({ withheld: false, n: 40 });
    expect(Math.abs(items[1].performance.mean - mean(1))).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  it('shows the same numbers on the team page, as a chart and a table, focus marked', async () => {
    const lead = await signIn(t, 'lead', [slugs.planted]);
    const [page, json] = await Promise.all([
      t.request({
        method: 'GET',
        url: `/teams/${slugs.planted}?period=month&at=${month}`,
        headers: { cookie: lead.cookie },
      }),
      api(slugs.planted),
    ]);
    expect(page.statusCode).toBe(200);
    const body = json.json();
    const chart = JSON.parse(
      page.body.match(/<script type="application\/json" id="drivers-data">([^<]*)<\/script>/)![1],
    );
    expect(chart).toEqual({
      labels: ['My request was resolved.', 'I was kept informed.', 'The portal is easy to use.'],
      values: body.items.map((i: { correlation: number }) => i.correlation),
      focus: [false, true, false],
    });
    expect(page.body).toContain('What drives the score');
    expect(page.body).toContain('src="/assets/drivers.js');
    const rows = [...page.body.matchAll(/<tr class="driver[^"]*">([\s\S]*?)<\/tr>/g)].map((m) =>
      m[1]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    const two = (x: number) => x.toFixed(2);
    expect(rows).toEqual([
      `1 My request was resolved. ${two(body.items[0].correlation)} CSAT ${body.items[0].performance.csat}% · mean ${body.items[0].performance.mean}`,
      `2 I was kept informed. Focus here ${two(body.items[1].correlation)} CSAT ${body.items[1].performance.csat}% · mean ${body.items[1].performance.mean}`,
      expect.stringMatching(/^3 The portal is easy to use\. /),
    ]);
    expect(page.body).toMatch(/<tr class="driver driver-focus">/);
  });

  it('in Persian, right to left, with the question texts and numbers of the language', async () => {
    const lead = await signIn(t, 'lead', [slugs.planted]);
    const page = await t.request({
      method: 'GET',
      url: `/teams/${slugs.planted}?period=month&at=${month}`,
      headers: { cookie: lead.cookie, 'accept-language': 'fa' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="fa" dir="rtl">');
    expect(page.body).toContain('چه چیزی امتیاز را پیش می‌برد');
    expect(page.body).toContain('درخواستم حل شد.');
    expect(page.body).toContain('تمرکز اینجا');
    // Persian digits: the threshold in the introduction.
    expect(page.body).toContain('۳۰');
  });

  it('builds a closed period’s drivers once for every language: a Persian page after an English one shows Persian drivers from the same entry', async () => {
    const lazy = await createTeam(t, 'Lazy desk');
    await plant(lazy.id, lazy.slug, PLANTED);
    const lead = await signIn(t, 'lead', [lazy.slug]);
    const page = (language: string) =>
      t.request({
        method: 'GET',
        url: `/teams/${lazy.slug}?period=month&at=${month}`,
        headers: { cookie: lead.cookie, 'accept-language': language },
      });
    const labels = (html: string): string[] =>
      JSON.parse(
        html.match(/<script type="application\/json" id="drivers-data">([^<]*)<\/script>/)![1],
      ).labels;
    // How often the analysis is built, watched on the real service.
    const service = t.get(DriverReportService);
    const buildShared = service.buildShared;
    let built = 0;
    service.buildShared = (scope) => {
      built++;
      return buildShared.call(service, scope);
    };
    const cache = t.get(ReportCache);
    try {
      const english = await page('en');
      expect(english.statusCode).toBe(200);
      expect(labels(english.body)).toEqual([
        'My request was resolved.',
        'I was kept informed.',
        'The portal is easy to use.',
      ]);
      // A miss builds the analysis once, with the figures.
      expect(built).toBe(1);

      const hits = cache.hits;
      const persian = await page('fa');
      expect(persian.statusCode).toBe(200);
      expect(cache.hits).toBeGreaterThan(hits); // the English page's entry
      expect(labels(persian.body)).toEqual([
        'درخواستم حل شد.',
        'در جریان قرار گرفتم.',
        'کار با پورتال آسان است.',
      ]);
      expect(persian.body).toContain('تمرکز اینجا');
      expect(built).toBe(1);

      // Each language again shows its own, built no more.
      const [englishAgain, persianAgain] = await Promise.all([page('en'), page('fa')]);
      expect(labels(englishAgain.body)).toEqual(labels(english.body));
      expect(labels(persianAgain.body)).toEqual(labels(persian.body));
      expect(built).toBe(1);
    } finally {
      service.buildShared = buildShared;
    }
  });

  it('withholds every item below 30 people with both answers, and shows them from 30', async () => {
    const short = (await api(slugs.short)).json();
    expect(short.available).toBe(true);
    expect(short.focus).toBeNull();
    for (const item of short.items)
      expect(item).toMatchObject({
        status: 'too-few',
        rank: null,
        correlation: null,
        focus: false,
        performance: { withheld: true },
      });
    // No number at all: not the count of pairs, not the question's own figures.
    expect(JSON.stringify(short.items)).not.toMatch(/"n":/);
    const exact = (await api(slugs.exact)).json();
    expect(exact.items.map((i: { status: string }) => i.status)).toEqual([
      'shown',
      'shown',
      'shown',
    ]);

    const lead = await signIn(t, 'lead', [slugs.short]);
    const page = await t.request({
      method: 'GET',
      url: `/teams/${slugs.short}?period=month&at=${month}`,
      headers: { cookie: lead.cookie },
    });
    expect(page.body).toContain(
      'Too few answers to show without revealing a smaller group (at least 30 people answering both',
    );
    expect(page.body).not.toContain('id="drivers-data"');
  });

  it('withholds the drivers wherever the team’s iNPS is withheld; a parent shows what its tree holds', async () => {
    const none = (await api(slugs.ratingsOnly)).json();
    expect(none.available).toBe(false);
    expect(none.items).toHaveLength(3);
    expect(none.items.every((i: { status: string }) => i.status === 'too-few')).toBe(true);
    const [parent, child] = [(await api(slugs.parent)).json(), (await api(slugs.child)).json()];
    expect(parent.available).toBe(true);
    expect(child.items.every((i: { status: string }) => i.status === 'shown')).toBe(true);
    expect(parent.items.map((i: { correlation: number }) => i.correlation)).toEqual(
      child.items.map((i: { correlation: number }) => i.correlation),
    );
  });

  it('keeps to the team access rule: 404 for another team’s lead, and refuses bad input', async () => {
    const other = await signIn(t, 'lead', [slugs.short]);
    const page = await t.request({
      method: 'GET',
      url: `/teams/${slugs.planted}?period=month&at=${month}`,
      headers: { cookie: other.cookie },
    });
    expect(page.statusCode).toBe(404);
    expect(page.body).not.toContain('drivers');
    expect((await api('no-such-team')).statusCode).toBe(404);
    const anonymous = await t.request({
      method: 'GET',
      url: `/api/v1/teams/${slugs.planted}/drivers`,
    });
    expect(anonymous.statusCode).toBe(401);
    const badPeriod = await api(slugs.planted, 'period=year');
    expect(badPeriod.statusCode).toBe(400);
    expect(badPeriod.body).toContain('period must be one of week, month, quarter');
    expect((await api(slugs.planted, 'at=2026-02-30')).statusCode).toBe(400);
  });

  it('reads one week, month or quarter as a whole: the quarter holds the month’s release', async () => {
    const quarter = (await api(slugs.planted, `period=quarter&at=${month}`)).json();
    const monthly = (await api(slugs.planted)).json();
    expect(quarter.items.map((i: { correlation: number }) => i.correlation)).toEqual(
      monthly.items.map((i: { correlation: number }) => i.correlation),
    );
  });
});
