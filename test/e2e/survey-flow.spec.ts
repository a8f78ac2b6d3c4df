import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  createEmployees,
  createSurvey,
  inviteAndCollectTokens,
  openSurvey,
  submitSurvey,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

describe('answering a survey by personal link', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('shows the survey, records the answer once, and releases it with the others when the survey closes', async () => {
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, t.config.mixBatchSize);
    const [token, ...colleagues] = await inviteAndCollectTokens(t, survey.id, people);

    const session = await openSurvey(t, token);
    const { page } = session;
    expect(page.statusCode).toBe(200);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('Your answers are anonymous');
    // The promise, as it now holds: sealed, released with at least m people, shown in groups of k.
    expect(page.body).toContain('at least 5 people');
    expect(page.body).toContain(
      `at least ${t.config.mixBatchSize} people answering about the same team`,
    );
    expect(page.body).toContain('deleted unread');

    const [nps, rating, ces, single, multi, text] = questions;
    const response = await submitSurvey(
      t,
      token,
      {
        [`q_${nps.id}`]: '9',
        [`q_${rating.id}`]: '4',
        [`q_${ces.id}`]: '6',
        [`q_${single.id}`]: 'portal',
        [`q_${multi.id}`]: ['speed', 'clarity'],
        [`q_${text.id}`]: 'Quick and kind.',
      },
      session,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Thank you');

    // Kept sealed until the release; the invitation is not touched (the claim is a keyed hash).
    const pending: { sealed: Buffer }[] = await t.dataSource.query(
      'SELECT sealed FROM pending_response WHERE survey_id = $1',
      [survey.id],
    );
    expect(pending).toHaveLength(1);
    expect(pending[0].sealed.toString('latin1')).not.toContain('Quick and kind.');
    const [invitation] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE answered)::int AS answered FROM invitation WHERE survey_id = $1`,
      [survey.id],
    );
    expect(invitation.answered).toBe(0);
    // The link is spent at once.
    expect((await t.request({ method: 'GET', url: `/s/${token}` })).statusCode).toBe(410);

    // Nothing is released while the survey is open; the colleagues answer too.
    for (const colleague of colleagues)
      expect((await submitSurvey(t, colleague, { [`q_${nps.id}`]: '7' })).statusCode).toBe(200);
    expect(await t.get(ResponsesService).mix()).toBe(0);
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`,
      [survey.id],
    );
    expect(await t.get(ResponsesService).mix()).toBe(t.config.mixBatchSize);

    const [mine] = await t.dataSource.query(
      `SELECT a.response_id FROM answer a JOIN response r ON r.id = a.response_id
        WHERE r.survey_id = $1 AND a.text = 'Quick and kind.'`,
      [survey.id],
    );
    const answers = await t.dataSource.query(
      `SELECT q.type, a.score, a.option_key, a.text FROM answer a
         JOIN question q ON q.id = a.question_id WHERE a.response_id = $1 ORDER BY q.position, a.option_key`,
      [mine.response_id],
    );
    expect(answers).toEqual([
      { type: 'nps', score: 9, option_key: null, text: null },
      { type: 'rating', score: 4, option_key: null, text: null },
      { type: 'ces', score: 6, option_key: null, text: null },
      { type: 'single', score: null, option_key: 'portal', text: null },
      { type: 'multi', score: null, option_key: 'clarity', text: null },
      { type: 'multi', score: null, option_key: 'speed', text: null },
      { type: 'text', score: null, option_key: null, text: 'Quick and kind.' },
    ]);
    expect(await t.dataSource.query('SELECT * FROM pending_response')).toHaveLength(0);

    // The link is spent.
    const again = await t.request({ method: 'GET', url: `/s/${token}` });
    expect(again.statusCode).toBe(410);
  });

  it('a one-click score link pre-selects the score and records nothing', async () => {
    const { survey } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    for (const method of ['HEAD', 'GET'] as const) {
      const res = await t.request({ method, url: `/s/${token}?score=9` });
      expect(res.statusCode).toBe(200);
    }
    const page = await t.request({ method: 'GET', url: `/s/${token}?score=9` });
    expect(page.body).toMatch(/value="9" checked/);
    expect(page.body).not.toMatch(/value="8" checked/);
    const [row] = await t.dataSource.query(
      'SELECT bool_or(answered) AS answered FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(row.answered).toBe(false);
    expect(
      await t.dataSource.query('SELECT 1 FROM pending_response WHERE survey_id = $1', [survey.id]),
    ).toHaveLength(0);
  });

  it('answers 404 for every unknown link, the same page each time', async () => {
    const a = await t.request({
      method: 'GET',
      url: '/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const b = await t.request({ method: 'GET', url: '/s/not-a-token' });
    const c = await t.request({
      method: 'POST',
      url: '/s/not-a-token',
      payload: 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([404, 404, 404]);
    expect(a.body).toBe(b.body);
    expect(a.body).toContain('Link not found');
  });

  it('answers 410 for an expired link', async () => {
    const { survey } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    await t.dataSource.query(
      `UPDATE invitation SET expires_at = now() - interval '1 minute' WHERE survey_id = $1`,
      [survey.id],
    );
    const page = await t.request({ method: 'GET', url: `/s/${token}` });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Survey closed');
  });

  it('refuses a POST without the CSRF token or with a forged one, and records nothing', async () => {
    const { survey, questions } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    const session = await openSurvey(t, token);
    const { cookie, csrf, ctx } = session;
    const answer = { [`q_${questions[0].id}`]: '10' };
    const missing = await submitSurvey(t, token, answer, { ...session, csrf: '' });
    const forged = await submitSurvey(t, token, answer, {
      ...session,
      csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    });
    const noCookie = await submitSurvey(t, token, answer, { ...session, cookie: '' });
    // The form's context (survey, team, language) is bound to the token too: no changing it.
    const context = JSON.parse(Buffer.from(ctx, 'base64url').toString());
    const otherTeam = Buffer.from(JSON.stringify({ ...context, teamId: survey.id })).toString(
      'base64url',
    );
    const tampered = await submitSurvey(t, token, answer, { cookie, csrf, ctx: otherTeam });
    expect([
      missing.statusCode,
      forged.statusCode,
      noCookie.statusCode,
      tampered.statusCode,
    ]).toEqual([403, 403, 403, 403]);
    expect(missing.body).toContain('Please try again');
    const [row] = await t.dataSource.query(
      'SELECT bool_or(answered) AS answered FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(row.answered).toBe(false);
  });

  it('re-renders with a message per field and keeps the answers when input is bad', async () => {
    const { survey, questions } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    const [nps, rating, ces, single, multi, text] = questions;
    const session = await openSurvey(t, token);
    const cases: [Record<string, string | string[]>, string][] = [
      [{ [`q_${rating.id}`]: '4' }, 'Please answer this question.'], // required NPS missing
      [{ [`q_${nps.id}`]: '11' }, 'Choose a value from 0 to 10.'],
      [{ [`q_${nps.id}`]: '-1' }, 'Choose a value from 0 to 10.'],
      [{ [`q_${nps.id}`]: 'nine' }, 'Choose a value from 0 to 10.'],
      [{ [`q_${nps.id}`]: ['9', '10'] }, 'Choose a value from 0 to 10.'],
      [{ [`q_${nps.id}`]: '9', [`q_${rating.id}`]: '0' }, 'Choose a value from 1 to 5.'],
      [{ [`q_${nps.id}`]: '9', [`q_${ces.id}`]: '8' }, 'Choose a value from 1 to 7.'],
      [
        { [`q_${nps.id}`]: '9', [`q_${single.id}`]: 'carrier-pigeon' },
        'Choose one of the options shown.',
      ],
      [
        { [`q_${nps.id}`]: '9', [`q_${single.id}`]: ['portal', 'email'] },
        'Choose one of the options shown.',
      ],
      [
        { [`q_${nps.id}`]: '9', [`q_${multi.id}`]: ['speed', 'bribes'] },
        'Choose one of the options shown.',
      ],
      [{ [`q_${nps.id}`]: '9', [`q_${text.id}`]: 'x'.repeat(201) }, 'at most 200 characters'],
      [{ [`q_${nps.id}`]: '9', [`q_${text.id}`]: 'bell\u0007' }, 'cannot be stored'],
      [{ [`q_${nps.id}`]: '9', q_00000000_0000_4000_8000_000000000000: '5' }, 'unexpected field'],
      [{ [`q_${nps.id}`]: '9', 'constructor[prototype][polluted]': '1' }, 'unexpected field'],
    ];
    for (const [fields, message] of cases) {
      const res = await submitSurvey(t, token, fields, session);
      expect({ fields, status: res.statusCode }).toEqual({ fields, status: 422 });
      expect(res.body).toContain(message);
    }
    // Answers are kept on re-render.
    const kept = await submitSurvey(
      t,
      token,
      { [`q_${nps.id}`]: '7', [`q_${ces.id}`]: '9', [`q_${text.id}`]: 'keep <me>' },
      session,
    );
    expect(kept.body).toMatch(/value="7" checked/);
    expect(kept.body).toContain('keep &lt;me&gt;');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const [row] = await t.dataSource.query(
      'SELECT bool_or(answered) AS answered FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(row.answered).toBe(false);
    expect(
      await t.dataSource.query('SELECT 1 FROM pending_response WHERE survey_id = $1', [survey.id]),
    ).toHaveLength(0);
  });

  it('records exactly one response when the same link is submitted twice at once', async () => {
    const { survey, questions } = await createSurvey(t);
    const [person] = await createEmployees(t, 1);
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    const session = await openSurvey(t, token);
    const fields = { [`q_${questions[0].id}`]: '8' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => submitSurvey(t, token, fields, session)),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(7);
    expect(
      await t.dataSource.query('SELECT 1 FROM pending_response WHERE survey_id = $1', [survey.id]),
    ).toHaveLength(1);
  });
});
