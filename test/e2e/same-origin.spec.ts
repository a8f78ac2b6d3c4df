import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import {
  createEmployees,
  createSurvey,
  formBody,
  inviteAndCollectTokens,
  openSurvey,
  signIn,
} from '../factories';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * Forms posted from another site are refused before anything is read or written, whatever
 * they carry (a stolen CSRF token, the right password). Browsers say where a request comes from
 * with `Sec-Fetch-Site` (all current ones) and `Origin`; requests with neither (old browsers,
 * scripts, these tests elsewhere) are left to the CSRF tokens as before.
 */

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BASE_ORIGIN = 'http://localhost:3000'; // BASE_URL of startTestApp

/** Headers of a form posted from another site, as browsers send them. */
const FOREIGN: Record<string, Record<string, string>> = {
  'a foreign Origin': { origin: 'https://evil.example' },
  'Sec-Fetch-Site: cross-site': { 'sec-fetch-site': 'cross-site' },
  'Sec-Fetch-Site: same-site': { 'sec-fetch-site': 'same-site', origin: 'http://x.localhost:3000' },
  'Origin: null from a sandboxed frame': { origin: 'null', 'sec-fetch-site': 'cross-site' },
};

/** Headers of a form posted from this site's own page. */
const OWN: Record<string, Record<string, string>> = {
  'Origin equal to BASE_URL': { origin: BASE_ORIGIN },
  'Sec-Fetch-Site: same-origin': { origin: BASE_ORIGIN, 'sec-fetch-site': 'same-origin' },
  // Survey and set-password pages send Referrer-Policy: no-referrer, so browsers post their
  // forms with "Origin: null"; Sec-Fetch-Site still says same-origin.
  'Origin: null from a no-referrer page': { origin: 'null', 'sec-fetch-site': 'same-origin' },
  'neither header': {},
};

async function count(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [{ n }] = await t.dataSource.query(`SELECT (${sql})::int AS n`, params);
  return n;
}

describe('forms posted from another site', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('the survey form', () => {
    let questions: { id: string }[];
    let surveyId: string;
    let tokens: string[];
    beforeAll(async () => {
      const created = await createSurvey(t);
      questions = created.questions;
      surveyId = created.survey.id;
      const people = await createEmployees(t, Object.keys(OWN).length + 1);
      tokens = await inviteAndCollectTokens(t, surveyId, people);
    });

    const answers = () => {
      const [nps, rating, ces, single, multi, text] = questions;
      return {
        [`q_${nps.id}`]: '9',
        [`q_${rating.id}`]: '4',
        [`q_${ces.id}`]: '6',
        [`q_${single.id}`]: 'portal',
        [`q_${multi.id}`]: ['speed'],
        [`q_${text.id}`]: 'Fine.',
      };
    };
    const post = async (token: string, headers: Record<string, string>) => {
      const s = await openSurvey(t, token);
      return t.request({
        method: 'POST',
        url: `/s/${token}`,
        headers: { ...FORM, cookie: s.cookie, ...headers },
        payload: formBody({ _ctx: s.ctx, _csrf: s.csrf, ...answers() }),
      });
    };
    const pending = () =>
      count(t, 'SELECT count(*) FROM pending_response WHERE survey_id = $1', [surveyId]);

    it.each(Object.keys(FOREIGN))(
      'with %s (and a valid CSRF token) → 403, the "try again" page, nothing recorded',
      async (kind) => {
        const token = tokens[0];
        const before = await pending();
        const res = await post(token, FOREIGN[kind]);
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('data-reason="csrf"');
        expect(res.body).toContain(`href="/s/${token}"`);
        expect(await pending()).toBe(before);
        // The link is still theirs to answer.
        expect((await openSurvey(t, token)).page.statusCode).toBe(200);
      },
    );

    it.each(Object.keys(OWN).map((kind, i) => [kind, i + 1] as const))(
      'with %s → recorded',
      async (kind, i) => {
        const before = await pending();
        const res = await post(tokens[i], OWN[kind]);
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('Thank you');
        expect(await pending()).toBe(before + 1);
      },
    );
  });

  describe('sign-in', () => {
    let email: string;
    beforeAll(async () => {
      email = `owner.${randomBytes(3).toString('hex')}@example.com`;
      const { link } = await t
        .get(AccountsService)
        .invite(undefined, { email, name: 'Owner', role: 'viewer', teamSlugs: [] });
      await t
        .get(AccountsService)
        .acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
          ip: '127.0.0.1',
        });
    });

    const login = async (headers: Record<string, string>, password = TEST_PASSWORD) => {
      const page = await t.request({ method: 'GET', url: '/login' });
      const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
      const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
      return t.request({
        method: 'POST',
        url: '/login',
        headers: { ...FORM, cookie: `inpulse_csrf=${nonce}`, ...headers },
        payload: formBody({ _csrf: csrf, email, password }),
      });
    };
    const session = (res: LightMyRequestResponse) =>
      res.cookies.find((c) => c.name === 'inpulse_session');

    it.each(Object.keys(FOREIGN))(
      'with %s → 403 saying why, no session, nothing audited or counted, even with the right password',
      async (kind) => {
        const audit = await count(t, 'SELECT count(*) FROM audit_event');
        const buckets = await count(t, 'SELECT coalesce(sum(hits), 0) FROM rate_limit_bucket');
        const res = await login(FOREIGN[kind]);
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('sent from another site');
        expect(session(res)).toBeUndefined();
        expect(await count(t, 'SELECT count(*) FROM audit_event')).toBe(audit);
        expect(await count(t, 'SELECT coalesce(sum(hits), 0) FROM rate_limit_bucket')).toBe(
          buckets,
        );
      },
    );

    it.each(Object.keys(OWN))('with %s → signed in', async (kind) => {
      const res = await login(OWN[kind]);
      expect(res.statusCode).toBe(303);
      expect(session(res)).toBeDefined();
    });
  });

  describe('the set-password link', () => {
    it('refuses a foreign post (the password is not set, the link still works), then takes its own', async () => {
      const email = `invited.${randomBytes(3).toString('hex')}@example.com`;
      const { link } = await t
        .get(AccountsService)
        .invite(undefined, { email, name: 'Invited', role: 'viewer', teamSlugs: [] });
      const path = new URL(link).pathname;
      const page = await t.request({ method: 'GET', url: path });
      const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
      const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
      const post = (headers: Record<string, string>) =>
        t.request({
          method: 'POST',
          url: path,
          headers: { ...FORM, cookie: `inpulse_csrf=${nonce}`, ...headers },
          payload: formBody({ _csrf: csrf, password: TEST_PASSWORD, confirm: TEST_PASSWORD }),
        });
      const passwordSet = () =>
        count(t, 'SELECT count(*) FROM app_user WHERE email = $1 AND password_hash IS NOT NULL', [
          email,
        ]);
      for (const kind of Object.keys(FOREIGN)) {
        const res = await post(FOREIGN[kind]);
        expect({ kind, status: res.statusCode }).toEqual({ kind, status: 403 });
        expect(res.body).toContain('sent from another site');
        expect(await passwordSet()).toBe(0);
      }
      expect((await t.request({ method: 'GET', url: path })).statusCode).toBe(200);
      const own = await post(OWN['Origin: null from a no-referrer page']);
      expect(own.statusCode).toBe(303);
      expect(await passwordSet()).toBe(1);
    });
  });

  describe('signed-in forms', () => {
    it.each(Object.keys(FOREIGN))(
      "with %s (and the session's CSRF token) → 403 and nothing changed",
      async (kind) => {
        const admin = await signIn(t, 'admin');
        const invitee = `forged.${randomBytes(3).toString('hex')}@example.com`;
        const users = () => count(t, 'SELECT count(*) FROM app_user');
        const before = await users();
        const invite = await t.request({
          method: 'POST',
          url: '/admin/users',
          headers: { ...FORM, cookie: admin.cookie, ...FOREIGN[kind] },
          payload: formBody({ _csrf: admin.csrf, email: invitee, name: 'F', role: 'admin' }),
        });
        expect(invite.statusCode).toBe(403);
        expect(invite.body).toContain('sent from another site');
        expect(await users()).toBe(before);
        const password = await t.request({
          method: 'POST',
          url: '/account/password',
          headers: { ...FORM, cookie: admin.cookie, ...FOREIGN[kind] },
          payload: formBody({
            _csrf: admin.csrf,
            current: TEST_PASSWORD,
            password: 'a brand new password',
            confirm: 'a brand new password',
          }),
        });
        expect(password.statusCode).toBe(403);
        const logout = await t.request({
          method: 'POST',
          url: '/logout',
          headers: { ...FORM, cookie: admin.cookie, ...FOREIGN[kind] },
          payload: formBody({ _csrf: admin.csrf }),
        });
        expect(logout.statusCode).toBe(403);
        // Still signed in, with the same password.
        const home = await t.request({
          method: 'GET',
          url: '/',
          headers: { cookie: admin.cookie },
        });
        expect(home.statusCode).toBe(200);
        expect(
          await count(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.password_changed'`),
        ).toBe(0);
      },
    );

    it('from its own pages → done', async () => {
      const admin = await signIn(t, 'admin');
      const invite = await t.request({
        method: 'POST',
        url: '/admin/users',
        headers: { ...FORM, cookie: admin.cookie, ...OWN['Sec-Fetch-Site: same-origin'] },
        payload: formBody({
          _csrf: admin.csrf,
          email: `own.${randomBytes(3).toString('hex')}@example.com`,
          name: 'Own',
          role: 'viewer',
        }),
      });
      expect(invite.statusCode).toBe(303);
    });
  });
});
