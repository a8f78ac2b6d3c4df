import { PassThrough } from 'node:stream';
import { Logger } from '@nestjs/common';
import { redactPath } from '../../src/common/logging/logger';
import {
  createEmployees,
  createSurvey,
  inviteAndCollectTokens,
  openSurvey,
  signIn,
  submitSurvey,
} from '../factories';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

interface LogLine {
  level: number;
  time: number;
  msg: string;
  reqId?: string;
  context?: string;
  req?: { id?: string; method?: string; url?: string; remoteAddress?: string };
  res?: { statusCode?: number };
  [key: string]: unknown;
}

const COMMENT = 'MY-SECRET-COMMENT-42';

describe('logs', () => {
  let t: TestApp;
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));

  /** Everything logged so far, once the stream has passed it on. */
  async function captured(): Promise<{ text: string; lines: LogLine[] }> {
    await new Promise((resolve) => setImmediate(resolve));
    const lines = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          throw new Error(`not a JSON log line: ${line}`);
        }
      });
    return { text, lines };
  }

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'log' }, { logStream: stream });
  });
  afterAll(() => t.close());

  it('writes JSON lines with request ids and keeps secrets and answers out', async () => {
    const secrets: Record<string, string> = { password: TEST_PASSWORD, apiToken: t.apiToken };

    // A person signs in through the login form, then uses a page of the session.
    const person = await signIn(t, 'admin');
    secrets.sessionCookie = person.cookie.split('=')[1];
    secrets.sessionCsrf = person.csrf;
    const page = await t.request({
      method: 'GET',
      url: '/account/password',
      headers: { cookie: person.cookie },
    });
    expect(page.statusCode).toBe(200);

    // Someone answers a survey, with a comment and a score.
    const { survey, questions } = await createSurvey(t);
    const [employee] = await createEmployees(t, 1);
    const [token] = await inviteAndCollectTokens(t, survey.id, [employee]);
    secrets.surveyToken = token;
    const session = await openSurvey(t, token);
    secrets.surveyCsrf = session.csrf;
    secrets.surveyCsrfCookie = session.cookie.split('=')[1];
    const nps = questions.find((q) => q.type === 'nps')!;
    const why = questions.find((q) => q.type === 'text')!;
    const answered = await submitSurvey(
      t,
      token,
      { [`q_${nps.id}`]: '9', [`q_${why.id}`]: COMMENT },
      session,
    );
    expect(answered.statusCode).toBe(200);

    // The API, with the bearer token.
    const api = await t.api({ method: 'GET', url: '/api/v1/teams' });
    expect(api.statusCode).toBe(200);

    // Request ids: a valid one is kept, anything else replaced.
    const kept = await t.request({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await t.request({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': '<script>' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    // Code that logs a whole object by mistake still gets it redacted.
    new Logger('LoggingSpec').warn({
      password: TEST_PASSWORD,
      token,
      form: { _csrf: session.csrf, comment: COMMENT, text: COMMENT, answers: [COMMENT] },
    });

    const { text: log, lines } = await captured();
    for (const line of lines) {
      expect(line).toEqual(
        expect.objectContaining({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
        }),
      );
    }

    // None of the secrets, whatever the line.
    for (const [name, value] of Object.entries({ ...secrets, comment: COMMENT })) {
      expect(value.length).toBeGreaterThan(5);
      expect({ name, found: log.includes(value) }).toEqual({ name, found: false });
    }

    const requestLines = lines.filter((l) => l.msg === 'request completed');
    const lineOf = (id: string | string[] | number | undefined) =>
      requestLines.find((l) => l.reqId === id);
    for (const response of [page, api, kept, replaced]) {
      const id = response.headers['x-request-id'];
      expect(id).toEqual(expect.any(String));
      expect(lineOf(id)).toMatchObject({ req: { id }, res: { statusCode: response.statusCode } });
    }
    expect(lineOf('abc-123')).toMatchObject({ req: { method: 'GET', url: '/healthz' } });
    expect(log).not.toContain('<script>');
    // Survey links are not logged at all: a line would tie an address to the moment of an
    // answer. No line holds the survey's request ids, its path or the address it came from.
    expect(answered.statusCode).toBe(200);
    expect(answered.headers['x-request-id']).toEqual(expect.any(String));
    expect(lineOf(answered.headers['x-request-id'])).toBeUndefined();
    expect(lineOf(session.page.headers['x-request-id'])).toBeUndefined();
    expect(requestLines.filter((l) => /^\/s\//i.test(l.req?.url ?? ''))).toEqual([]);
    expect(log).not.toContain(String(answered.headers['x-request-id']));
    for (const line of requestLines) {
      expect(Object.keys(line.req ?? {}).sort()).toEqual(
        ['id', 'method', 'remoteAddress', 'url'].sort(),
      );
      expect(line.req?.url).not.toContain('?');
    }
    const mistake = lines.find((l) => l.context === 'LoggingSpec');
    expect(mistake).toMatchObject({
      password: '[redacted]',
      token: '[redacted]',
      form: {
        _csrf: '[redacted]',
        comment: '[redacted]',
        text: '[redacted]',
        answers: '[redacted]',
      },
    });
  });

  it('logs no static file or favicon request, and serves versioned files to be kept a year', async () => {
    const from = text.length;
    const page = await t.request({ method: 'GET', url: '/login' });
    const css = page.body.match(/href="(\/assets\/app\.css\?v(?:=|&#x3D;)([0-9a-f]{16}))"/);
    expect(css).not.toBeNull();
    const versioned = await t.request({ method: 'GET', url: `/assets/app.css?v=${css![2]}` });
    expect(versioned.statusCode).toBe(200);
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Any other address of it (no version, an old one) is revalidated.
    for (const url of ['/assets/app.css', '/assets/app.css?v=0000000000000000']) {
      const other = await t.request({ method: 'GET', url });
      expect({ url, status: other.statusCode, cache: other.headers['cache-control'] }).toEqual({
        url,
        status: 200,
        cache: 'no-cache',
      });
    }
    // Chart.js is versioned the same way, on the pages that draw charts.
    const vendor = await t.request({ method: 'GET', url: '/assets/vendor/chart.js/chart.umd.js' });
    expect(vendor.statusCode).toBe(200);
    // The icon is served (pages carry it inline; browsers and tools ask for it by themselves).
    const icon = await t.request({ method: 'GET', url: '/favicon.ico' });
    expect([icon.statusCode, icon.headers['content-type']]).toEqual([200, 'image/x-icon']);
    for (const url of [
      '/FAVICON.ICO',
      '/apple-touch-icon.png',
      '/assets/missing.css',
      '/%61ssets/app.css',
    ])
      expect((await t.request({ method: 'GET', url })).statusCode).toBe(404);

    await captured();
    const since = text
      .slice(from)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
    expect(since.filter((l) => l.req !== undefined).map((l) => l.req?.url)).toEqual(['/login']);
  });

  it('blanks link and set-password tokens in logged paths and drops the query', () => {
    expect(redactPath('/s/abcDEF123?score=9')).toBe('/s/[redacted]');
    expect(redactPath('/S/abcDEF123')).toBe('/S/[redacted]');
    expect(redactPath('/%73/abcDEF123')).toBe('/%73/[redacted]');
    expect(redactPath('/account/setup/abc.def')).toBe('/account/setup/[redacted]');
    expect(redactPath('/login?next=%2Fs%2Fsecret')).toBe('/login');
    expect(redactPath('/assets/app.css')).toBe('/assets/app.css');
    expect(redactPath('/api/v1/surveys/123/send')).toBe('/api/v1/surveys/123/send');
  });
});
