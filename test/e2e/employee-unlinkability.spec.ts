import { PassThrough } from 'node:stream';
import {
  EMPLOYEE_COOKIE,
  EmployeeSessionsService,
} from '../../src/modules/employees/employee-sessions.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, createTeam, formBody, sendQueuedMail } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The attack (docs/employees.md, DESIGN.md's promise): an employee signs in, opens "my surveys"
 * and answers through their link in the same cookie jar. Someone with the database, the jobs and
 * the logs then tries to tie the answer to the sign-in: every row written while the answer was
 * given, and every log line, is searched for the session's id, the employee's id and address,
 * the sign-in's times and the cookie. And the answer path must not read the session at all: its
 * answers are the same bytes with and without the cookie.
 */

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** A browser's cookie jar, as far as paths go (RFC 6265 §5.1.4): what is sent where. */
class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  take(cookies: { name: string; value: string; path?: string; maxAge?: number }[]): void {
    for (const c of cookies) {
      const path = c.path ?? '/';
      const key = `${c.name};${path}`;
      if (c.value === '' || c.maxAge === 0) this.cookies.delete(key);
      else this.cookies.set(key, { name: c.name, value: c.value, path });
    }
  }

  headerFor(url: string): string {
    const path = url.split('?')[0];
    const matches = (cookiePath: string) =>
      path === cookiePath ||
      (path.startsWith(cookiePath) &&
        (cookiePath.endsWith('/') || path[cookiePath.length] === '/'));
    return [...this.cookies.values()]
      .filter((c) => matches(c.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

const FORM = 'application/x-www-form-urlencoded';

describe('signing in never touches the answer path', () => {
  let t: TestApp;
  const logs: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) =>
      logs.push(...chunk.toString().split('\n').filter(Boolean)),
    );
    t = await startTestApp(
      { SERVICES_ACCESS: 'link', LOG_LEVEL: 'verbose' },
      { logStream: stream },
    );
  }, 120_000);
  afterAll(() => t?.close());

  /** Every row of every table (the app's and pg-boss's), as JSON text. */
  async function everyRow(): Promise<Set<string>> {
    const tables: { schema: string; name: string }[] = await t.dataSource.query(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`,
    );
    const rows = new Set<string>();
    for (const { schema, name } of tables) {
      const found: { r: string }[] = await t.dataSource.query(
        `SELECT '${schema}.${name} ' || row_to_json(x)::text AS r FROM "${schema}"."${name}" x`,
      );
      for (const { r } of found) rows.add(r);
    }
    return rows;
  }

  async function request(jar: CookieJar, method: 'GET' | 'POST', url: string, payload?: string) {
    const cookie = jar.headerFor(url);
    const res = await t.request({
      method,
      url,
      headers: { ...(cookie ? { cookie } : {}), ...(payload ? { 'content-type': FORM } : {}) },
      ...(payload ? { payload } : {}),
    });
    jar.take(res.cookies);
    return { res, sentCookie: cookie };
  }

  const csrfOf = (body: string) => body.match(/name="_csrf" value="([^"]+)"/)![1];
  const ctxOf = (body: string) => body.match(/name="_ctx" value="([^"]+)"/)?.[1] ?? '';

  it('leaves no row or log line of the answer that carries or joins the session, and the answer path ignores the cookie', async () => {
    const team = await createTeam(t, 'Payroll');
    const { survey, questions } = await createSurvey(t, { teamSlug: team.slug });
    const people = await createEmployees(t, t.config.mixBatchSize);
    const [person, colleagueA, colleagueB] = people;
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    const tokenOf = async (email: string) => {
      const [mail]: { text: string }[] = await t.dataSource.query(
        `SELECT text FROM outbox_message WHERE to_address = $1 AND text LIKE '%/s/%'`,
        [email],
      );
      return mail.text.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
    };

    // The employee signs in by the mailed link, in one browser (jar), and opens my surveys.
    const jar = new CookieJar();
    await request(jar, 'GET', '/me/sign-in');
    await t.get(EmployeeSessionsService).sendLink(person.email);
    await sendQueuedMail(t);
    const [mail]: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 AND text LIKE '%/me/sign-in/%'`,
      [person.email],
    );
    const link = mail.text.match(/\/me\/sign-in\/([A-Za-z0-9_-]+)/)![1];
    const linkPage = await request(jar, 'GET', `/me/sign-in/${link}`);
    const signedIn = await request(
      jar,
      'POST',
      `/me/sign-in/${link}`,
      formBody({ _csrf: csrfOf(linkPage.res.body) }),
    );
    expect(signedIn.res.statusCode).toBe(303);
    const sessionCookie = signedIn.res.cookies.find((c) => c.name === EMPLOYEE_COOKIE)!.value;
    const mine = await request(jar, 'GET', '/me/surveys');
    expect(mine.res.statusCode).toBe(200);
    expect(mine.res.body).toContain('Test survey');

    // What an attacker would join on: the session's row, its link's, its employee's.
    const [session]: { r: Record<string, unknown> }[] = await t.dataSource.query(
      `SELECT row_to_json(s) AS r FROM employee_session s WHERE employee_id = $1`,
      [person.id],
    );
    const [signInLink]: { r: Record<string, unknown> }[] = await t.dataSource.query(
      `SELECT row_to_json(l) AS r FROM employee_sign_in_link l WHERE employee_id = $1`,
      [person.id],
    );
    const needles = [
      ...Object.values(session.r),
      signInLink.r.used_at,
      signInLink.r.created_at,
      signInLink.r.token_hash,
      person.id,
      person.email,
      sessionCookie,
    ].map((v) => String(v).replace(/^\\x/, ''));
    expect(needles.filter((n) => n.length < 10)).toEqual([]);

    // The answer, through the same jar.
    const before = await everyRow();
    const logsBefore = logs.length;
    const token = await tokenOf(person.email);
    const page = await request(jar, 'GET', `/s/${token}`);
    expect(page.res.statusCode).toBe(200);
    const answered = await request(
      jar,
      'POST',
      `/s/${token}`,
      formBody({
        _ctx: ctxOf(page.res.body),
        _csrf: csrfOf(page.res.body),
        [`q_${questions[0].id}`]: '3',
      }),
    );
    expect(answered.res.statusCode).toBe(200);
    // The browser never sent the session to the answer path (the cookie's paths).
    expect(page.sentCookie).not.toContain(EMPLOYEE_COOKIE);
    expect(answered.sentCookie).not.toContain(EMPLOYEE_COOKIE);

    const written = [...(await everyRow())].filter((r) => !before.has(r));
    expect(written.some((r) => r.startsWith('public.pending_response '))).toBe(true);
    for (const row of written)
      for (const needle of needles)
        expect({ row, has: row.includes(needle) }).toEqual({ row, has: false });
    const lines = logs.slice(logsBefore);
    for (const line of lines)
      for (const needle of needles)
        expect({ line, has: line.includes(needle) }).toEqual({ line, has: false });

    // My surveys says nothing new: the answer waits for its release, and the page never asks.
    const after = await request(jar, 'GET', '/me/surveys');
    const strip = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '');
    expect(strip(after.res.body)).toEqual(strip(mine.res.body));

    // The answer path reads no session: a browser that did send the cookie gets the same bytes.
    const nonce = 'n'.repeat(24);
    const sameHeaders = (h: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(h).filter(([k]) => !['date', 'x-request-id', 'server-timing'].includes(k)),
      );
    const a = await tokenOf(colleagueA.email);
    const b = await tokenOf(colleagueB.email);
    const plainGet = await t.request({
      method: 'GET',
      url: `/s/${a}`,
      headers: { cookie: `inpulse_csrf=${nonce}` },
    });
    const cookieGet = await t.request({
      method: 'GET',
      url: `/s/${a}`,
      headers: { cookie: `inpulse_csrf=${nonce}; ${EMPLOYEE_COOKIE}=${sessionCookie}` },
    });
    expect(cookieGet.statusCode).toBe(plainGet.statusCode);
    expect(sameHeaders(cookieGet.headers)).toEqual(sameHeaders(plainGet.headers));
    expect(cookieGet.body).toEqual(plainGet.body);
    const post = async (tok: string, extraCookie: string) => {
      const form = await t.request({
        method: 'GET',
        url: `/s/${tok}`,
        headers: { cookie: `inpulse_csrf=${nonce}` },
      });
      const beforePost = await everyRow();
      const res = await t.request({
        method: 'POST',
        url: `/s/${tok}`,
        headers: { 'content-type': FORM, cookie: `inpulse_csrf=${nonce}${extraCookie}` },
        payload: formBody({
          _ctx: ctxOf(form.body),
          _csrf: csrfOf(form.body),
          [`q_${questions[0].id}`]: '8',
        }),
      });
      const rows = [...(await everyRow())].filter((r) => !beforePost.has(r));
      return { res, tables: rows.map((r) => r.split(' ')[0]).sort() };
    };
    const withCookie = await post(a, `; ${EMPLOYEE_COOKIE}=${sessionCookie}`);
    const without = await post(b, '');
    expect(withCookie.res.statusCode).toBe(200);
    expect(withCookie.res.statusCode).toBe(without.res.statusCode);
    expect(sameHeaders(withCookie.res.headers)).toEqual(sameHeaders(without.res.headers));
    expect(withCookie.res.body).toEqual(without.res.body);
    // The same tables written, the same number of rows.
    expect(withCookie.tables).toEqual(without.tables);
  }, 120_000);
});
