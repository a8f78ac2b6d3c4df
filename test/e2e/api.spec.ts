import { STANDARD_QUESTIONNAIRE, uniqueSlug } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

describe('JSON API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('refuses calls without an API token with 401 and says how to authenticate', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/teams'],
      ['POST', '/api/v1/employees'],
      ['GET', '/api/v1/outbox'],
      ['POST', '/api/v1/surveys/00000000-0000-4000-8000-000000000000/send'],
    ] as const) {
      const res = await t.request({ method, url, payload: method === 'POST' ? {} : undefined });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 401 });
      expect(res.json().message).toMatch(/Authorization: Bearer/);
    }
    const wrong = await t.request({
      method: 'GET',
      url: '/api/v1/teams',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const withToken = await t.request({
      method: 'GET',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${t.apiToken}` },
    });
    expect(withToken.statusCode).toBe(200);
  });

  it('creates teams as a tree and lists parents before children', async () => {
    const parent = uniqueSlug('it');
    const child = uniqueSlug('desk');
    expect(
      (await t.api({ method: 'POST', url: '/api/v1/teams', payload: { slug: parent, name: 'IT' } }))
        .statusCode,
    ).toBe(201);
    const created = await t.api({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { slug: child, name: 'Service desk', parentSlug: parent, npsTarget: 30 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ slug: child, npsTarget: 30 });
    const list = (await t.api({ method: 'GET', url: '/api/v1/teams' })).json().items as {
      slug: string;
      depth: number;
    }[];
    const p = list.findIndex((x) => x.slug === parent);
    const c = list.findIndex((x) => x.slug === child);
    expect(p).toBeLessThan(c);
    expect(list[c].depth).toBe(list[p].depth + 1);
  });

  it.each([
    [{ slug: 'Bad Slug', name: 'x' }, 400, /slug must be lower-case/],
    [{ slug: 'ok-slug' }, 400, /name/],
    [
      { slug: 'ok-slug-2', name: 'x', npsTarget: 101 },
      400,
      /npsTarget must not be greater than 100/,
    ],
    [
      { slug: 'ok-slug-3', name: 'x', parentSlug: 'no-such-team' },
      400,
      /parentSlug "no-such-team" does not name a team/,
    ],
    [{ slug: 'ok-slug-4', name: 'x', extra: 1 }, 400, /property extra should not exist/],
    [{ slug: 'ok-slug-5', name: { $gt: '' } }, 400, /name must be a string/],
  ])('rejects a bad team %o with a clear message', async (payload, status, message) => {
    const res = await t.api({ method: 'POST', url: '/api/v1/teams', payload });
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
  });

  it('answers 409 for a duplicate slug', async () => {
    const slug = uniqueSlug();
    await t.api({ method: 'POST', url: '/api/v1/teams', payload: { slug, name: 'A' } });
    const again = await t.api({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { slug, name: 'B' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('answers malformed JSON, a wrong content type and an oversized body with a 4xx, never a 500', async () => {
    const bad = await t.api({
      method: 'POST',
      url: '/api/v1/teams',
      payload: '{"slug": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/JSON/);
    const xml = await t.api({
      method: 'POST',
      url: '/api/v1/teams',
      payload: '<team/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.statusCode).toBe(415);
    const huge = await t.api({
      method: 'POST',
      url: '/api/v1/teams',
      payload: JSON.stringify({ slug: 'x', name: 'y'.repeat(300 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.statusCode).toBe(413);
    const notUuid = await t.api({
      method: 'POST',
      url: '/api/v1/surveys/not-a-uuid/send',
      payload: { emails: [] },
    });
    expect(notUuid.statusCode).toBe(400);
  });

  it('creates one employee, refuses a duplicate and bad fields', async () => {
    const ok = await t.api({
      method: 'POST',
      url: '/api/v1/employees',
      payload: {
        email: 'Ana.Garcia@Example.com',
        name: 'Ana García',
        locale: 'es',
        hireDate: '2021-03-15',
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      email: 'ana.garcia@example.com',
      locale: 'es',
      active: true,
    });
    const dup = await t.api({
      method: 'POST',
      url: '/api/v1/employees',
      payload: { email: 'ana.garcia@example.com', name: 'Other' },
    });
    expect(dup.statusCode).toBe(409);
    const bad = await t.api({
      method: 'POST',
      url: '/api/v1/employees',
      payload: { email: 'not-an-email', name: '', hireDate: '2021-02-30', locale: 'español' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([
      'email "not-an-email" is not a valid address',
      'name is required',
      'hire_date "2021-02-30" is not a date in the form YYYY-MM-DD',
      'locale "español" is not a language tag such as en, es, ja or fa',
    ]);
  });

  it('creates a questionnaire and reports every problem in a bad one', async () => {
    const ok = await t.api({
      method: 'POST',
      url: '/api/v1/questionnaires',
      payload: STANDARD_QUESTIONNAIRE,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().questions).toHaveLength(STANDARD_QUESTIONNAIRE.questions.length);
    const bad = await t.api({
      method: 'POST',
      url: '/api/v1/questionnaires',
      payload: {
        name: 'Bad',
        questions: [
          { type: 'single', text: { en: 'Pick' }, options: [{ key: 'a', label: { en: 'A' } }] },
          { type: 'nps', text: { es: 'Sin inglés' } },
          { type: 'rating', text: { en: 'x' }, maxLength: 5 },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([
      'questions[0] (single) needs at least 2 options',
      'questions[1].text has no text in the default locale "en"',
      'questions[2] (rating) cannot have maxLength; only text questions do',
    ]);
    const wrongType = await t.api({
      method: 'POST',
      url: '/api/v1/questionnaires',
      payload: { name: 'x', questions: [{ type: 'essay', text: { en: 'x' } }] },
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().message).toMatch(
      /type must be one of nps, enps, rating, ces, single, multi, text/,
    );
  });

  it('sends a survey to chosen employees once each and queues their mail', async () => {
    const team = uniqueSlug();
    await t.api({
      method: 'POST',
      url: '/api/v1/teams',
      payload: { slug: team, name: 'Facilities' },
    });
    const q = (
      await t.api({
        method: 'POST',
        url: '/api/v1/questionnaires',
        payload: STANDARD_QUESTIONNAIRE,
      })
    ).json();
    const survey = await t.api({
      method: 'POST',
      url: '/api/v1/surveys',
      payload: { name: 'Facilities check', questionnaireId: q.id, teamSlug: team },
    });
    expect(survey.statusCode).toBe(201);
    expect(survey.json().reportingThreshold).toBe(5);
    // A survey goes to at least m people (MIX_BATCH_SIZE) at once: two are refused, whole.
    const emails = ['s1@example.com', 's2@example.com'];
    for (const email of emails)
      await t.api({ method: 'POST', url: '/api/v1/employees', payload: { email, name: email } });
    const tooFew = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.json().id}/send`,
      payload: { emails: [...emails, 'ghost@example.com'] },
    });
    expect(tooFew.statusCode).toBe(422);
    expect(tooFew.json()).toMatchObject({ error: 'survey.audience_too_small' });
    expect(tooFew.json().message).toContain(`at least ${t.config.mixBatchSize} people`);
    const [{ written }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM invitation WHERE survey_id = $1)::int
            + (SELECT count(*) FROM mail_message)::int
            + (SELECT count(*) FROM pgboss.job WHERE name = 'mail.send')::int AS written`,
      [survey.json().id],
    );
    expect(written).toBe(0);

    for (let i = emails.length + 1; i <= t.config.mixBatchSize; i++) {
      const email = `s${i}@example.com`;
      await t.api({ method: 'POST', url: '/api/v1/employees', payload: { email, name: email } });
      emails.push(email);
    }
    const first = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.json().id}/send`,
      payload: { emails: [...emails, 'ghost@example.com'] },
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      invited: t.config.mixBatchSize,
      alreadyInvited: 0,
      skippedByBudget: 0,
      unknownEmails: ['ghost@example.com'],
      unknownEmployeeIds: [],
    });
    const second = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.json().id}/send`,
      payload: { emails },
    });
    expect(second.json()).toMatchObject({ invited: 0, alreadyInvited: t.config.mixBatchSize });
    // One mail per invitation, queued once however often the survey is sent, and its job.
    const [{ mails }] = await t.dataSource.query(
      `SELECT count(*)::int AS mails FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE i.survey_id = $1 AND m.status = 'queued'`,
      [survey.json().id],
    );
    expect(mails).toBe(t.config.mixBatchSize);
    const jobs = await t.dataSource.query(`SELECT data FROM pgboss.job WHERE name = 'mail.send'`);
    expect(jobs).toHaveLength(1);
    // The minimum is the survey's audience, not each send's: one more person may join it.
    const late = `s${t.config.mixBatchSize + 1}@example.com`;
    await t.api({ method: 'POST', url: '/api/v1/employees', payload: { email: late, name: late } });
    const added = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.json().id}/send`,
      payload: { emails: [late] },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ invited: 1, alreadyInvited: 0 });
    const low = await t.api({
      method: 'POST',
      url: '/api/v1/surveys',
      payload: { name: 'x', questionnaireId: q.id, teamSlug: team, reportingThreshold: 3 },
    });
    expect(low.statusCode).toBe(400);
    const none = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.json().id}/send`,
      payload: {},
    });
    expect(none.statusCode).toBe(400);
    const missing = await t.api({
      method: 'POST',
      url: '/api/v1/surveys/00000000-0000-4000-8000-000000000000/send',
      payload: { emails },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('publishes the OpenAPI document', async () => {
    const doc = await t.request({ method: 'GET', url: '/api/docs/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const paths = Object.keys(doc.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/teams',
        '/api/v1/employees',
        '/api/v1/employees/import',
        '/api/v1/questionnaires',
        '/api/v1/surveys/{id}/send',
        '/api/v1/outbox',
      ]),
    );
    expect((await t.request({ method: 'GET', url: '/api/docs' })).statusCode).toBe(200);
  });

  it('answers unknown routes with 404 as JSON under /api and as a page elsewhere', async () => {
    const api = await t.api({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ statusCode: 404, error: 'not_found' });
    const page = await t.request({ method: 'GET', url: '/nothing-here' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Page not found');
    expect(page.body).not.toMatch(/at .+\.(ts|js):\d+/);
  });

  it('serves the sign-in page and assets with security headers', async () => {
    const home = await t.request({ method: 'GET', url: '/login' });
    expect(home.statusCode).toBe(200);
    const csp = String(home.headers['content-security-policy']);
    for (const directive of [
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    const css = await t.request({ method: 'GET', url: '/assets/app.css' });
    expect(css.statusCode).toBe(200);
    expect(css.body).toContain('inset-inline-start');
  });

  it('lists the outbox to a token with the mail scope, and checks its query', async () => {
    const list = await t.api({ method: 'GET', url: '/api/v1/outbox?limit=10' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ usesOutbox: true });
    const bad = await t.api({ method: 'GET', url: '/api/v1/outbox?limit=abc' });
    expect(bad.statusCode).toBe(400);
  });

  it('reports health and readiness', async () => {
    expect((await t.request({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.request({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await t.dataSource.query('DELETE FROM typeorm_migrations');
    const notReady = await t.request({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().reason).toBe('migrations pending');
  });
});
