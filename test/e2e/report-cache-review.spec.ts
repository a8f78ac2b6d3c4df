import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type Handlebars from 'handlebars';
import { HANDLEBARS } from '../../src/common/views/handlebars.provider';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { REPORT_CACHE_TTL_MS, ReportCache } from '../../src/modules/reports/report-cache';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The report cache's review findings 9–11 (docs/reports.md, "The report cache", "ETags"): an
 * ETag is a hash of what is sent, so a change the key misses ends the 304s; cached HTML never
 * carries one person's name or CSRF token to another; what holds comment texts, and exports,
 * are never stored by a browser.
 */
describe('the report cache, after its review', () => {
  let app: TestApp;
  let team: { id: string; slug: string };
  let ratingId: string;
  const current = bucketStart(new Date().toISOString().slice(0, 10), 'month');
  const closed = addBuckets(current, 'month', -1);
  const apiUrl = () => `/api/v1/reports/teams/${team.slug}?period=month&at=${closed}`;

  beforeAll(async () => {
    app = await startTestApp();
    team = await createTeam(app, 'Review desk');
    const { survey, questionnaire, questions } = await createSurvey(app, { teamSlug: team.slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    const rating = questions.find((q) => q.type === 'rating')!;
    const text = questions.find((q) => q.type === 'text')!;
    ratingId = rating.id;
    await app.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn: `${closed.slice(0, 7)}-10`,
      submissions: [10, 10, 9, 9, 8, 7, 6, 5, 3, 10].map((score, i) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId: team.id,
            answers: [
              { question_id: nps.id, score, option_key: null, text: null },
              { question_id: rating.id, score: 4, option_key: null, text: null },
              { question_id: text.id, score: null, option_key: null, text: `Comment ${i}` },
            ],
          },
        ],
      })),
    });
  }, 180_000);
  afterAll(async () => {
    await app?.close();
  });

  it('tags what is sent: a question renamed after the time to live answers 200 with the new text, not 304', async () => {
    const first = await app.api({ method: 'GET', url: apiUrl() });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\//);
    // The same sample in another order keeps the tag (a weak one: the same content).
    const again = await app.api({
      method: 'GET',
      url: apiUrl(),
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    await app.dataSource.query(
      `UPDATE question SET text = jsonb_set(text, '{en}', '"Renamed in place"') WHERE id = $1`,
      [ratingId],
    );
    const cache = app.get(ReportCache);
    const later = Date.now() + REPORT_CACHE_TTL_MS + 1000;
    cache.now = () => later;
    try {
      const after = await app.api({
        method: 'GET',
        url: apiUrl(),
        headers: { 'if-none-match': etag },
      });
      expect(after.statusCode).toBe(200);
      expect(after.body).toContain('Renamed in place');
      expect(after.headers.etag).not.toBe(etag);
    } finally {
      cache.now = Date.now;
    }
  });

  it('keeps the displayed comment sample of a closed period and shows it in a new random order', async () => {
    const views = await Promise.all(
      Array.from({ length: 6 }, () => app.api({ method: 'GET', url: apiUrl() })),
    );
    const samples = views.map((v) => v.json().comments.texts as string[]);
    expect(samples[0]).toHaveLength(10);
    for (const sample of samples) expect([...sample].sort()).toEqual([...samples[0]].sort());
    expect(new Set(samples.map((sample) => sample.join('|'))).size).toBeGreaterThan(1);
    // The same content in another order: one weak tag.
    expect(new Set(views.map((v) => v.headers.etag)).size).toBe(1);
  });

  it('keeps comment texts and exports out of browser caches, figures-only JSON revalidated', async () => {
    const report = await app.api({ method: 'GET', url: apiUrl() });
    expect(report.json().comments.texts.length).toBeGreaterThan(0);
    expect(report.headers['cache-control']).toBe('private, no-store');
    expect(report.headers.etag).toBeDefined();
    const csv = await app.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${team.slug}/csv?period=month&at=${closed}`,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['cache-control']).toBe('private, no-store');
    const reviews = await app.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${team.slug}/reviews?period=month&at=${closed}`,
    });
    expect(reviews.headers['cache-control']).toBe('private, no-store');
    const overview = await app.api({
      method: 'GET',
      url: `/api/v1/reports/overview?period=month&at=${closed}`,
    });
    expect(overview.headers['cache-control']).toBe('private, no-cache');
    const again = await app.api({
      method: 'GET',
      url: `/api/v1/reports/overview?period=month&at=${closed}`,
      headers: { 'if-none-match': overview.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
  });

  it("never puts one person's name or CSRF token into the cached HTML another person gets", async () => {
    const hbs = (app.get as (token: unknown) => unknown)(HANDLEBARS) as typeof Handlebars;
    const original = readFileSync('views/partials/team-results-top.hbs', 'utf8');
    // A partial that asks for the person (as a careless change could): its cached HTML must not.
    hbs.registerPartial(
      'team-results-top',
      `<p class="who">[{{user.email}}|{{csrf}}|{{returnTo}}]</p>${original}`,
    );
    try {
      const a = await signIn(app, 'lead', [team.slug]);
      const b = await signIn(app, 'lead', [team.slug]);
      const url = `/teams/${team.slug}?period=month&at=${closed}&q=seenbya`;
      const pageA = await app.request({ method: 'GET', url, headers: { cookie: a.cookie } });
      expect(pageA.statusCode).toBe(200);
      const pageB = await app.request({
        method: 'GET',
        url: `/teams/${team.slug}?period=month&at=${closed}`,
        headers: { cookie: b.cookie },
      });
      expect(pageB.statusCode).toBe(200);
      expect(pageB.body).toContain('class="who"');
      for (const page of [pageA.body, pageB.body]) {
        expect(page).not.toContain(`[${a.email}`);
        expect(page).not.toContain(`[${b.email}`);
        expect(page).not.toContain(`|${a.csrf}|`);
        expect(page).not.toContain('seenbya]');
      }
    } finally {
      hbs.registerPartial('team-results-top', original);
    }
  });
});
