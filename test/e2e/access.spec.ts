import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS, type AccessRule, TEAM_SCOPE } from '../../src/common/access/access.decorator';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { SessionsService } from '../../src/modules/accounts/sessions.service';
import { createTeam, followRedirect, formBody, signIn } from '../factories';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

const form = (cookie: string) => ({ 'content-type': 'application/x-www-form-urlencoded', cookie });

async function auditCount(t: TestApp, action: string): Promise<number> {
  const [{ n }] = await t.dataSource.query(
    'SELECT count(*)::int AS n FROM audit_event WHERE action = $1',
    [action],
  );
  return n;
}

/** A valid body for each team-scoped write route of the API. */
const WRITE_BODIES: Record<string, object> = {
  'PUT /api/v1/teams/:slug/review-settings': { questionnaireId: null },
};

describe('who may call what', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('every registered route declares its access rule', () => {
    const routes: { route: string; rule: AccessRule | undefined }[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as new (...args: never[]) => object;
        const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
          if (path === undefined) continue;
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
          routes.push({
            route: `${method} ${`/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`,
            rule: Reflect.getMetadata(ACCESS, handler) ?? Reflect.getMetadata(ACCESS, controller),
          });
        }
      }
    }
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => r.rule === undefined).map((r) => r.route)).toEqual([]);
    // The public ones are exactly these.
    const publicRoutes = routes.filter((r) => r.rule?.kind === 'public').map((r) => r.route);
    expect(publicRoutes.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /language',
        'GET /login',
        'POST /login',
        'GET /account/setup/:token',
        'POST /account/setup/:token',
        'GET /s/:token',
        'POST /s/:token',
        'POST /webhooks/:integrationId',
        'GET /s/test/:token',
        'POST /s/test/:token',
        // Anonymous reviews: a team's request form, the request, and the one answer to it.
        'GET /services/:slug/review',
        'POST /services/:slug/review',
        'GET /services/:slug/review/sent',
        // The service directory: public to the guard, its own rule inside (SERVICES_ACCESS).
        'GET /services',
        'GET /services/:slug',
        'GET /services/access',
        'POST /services/access',
        'GET /services/pass/:token',
        'POST /services/pass/:token',
        // Employees sign in (docs/employees.md): public to the guard, the employee session inside.
        'GET /me',
        'GET /me/sign-in',
        'POST /me/sign-in',
        'GET /me/sign-in/:token',
        'POST /me/sign-in/:token',
        'POST /me/sign-out',
        'GET /me/surveys',
        'POST /me/surveys/:invitationId/mail',
        // The digest's unsubscribe link (a signed token) and RFC 8058's one-click POST to it.
        'GET /digest/unsubscribe/:token',
        'POST /digest/unsubscribe/:token',
        'POST /digest/unsubscribe/:token/resubscribe',
        // Sign-in through the identity provider: off to it, and back from it (docs/sso.md).
        'GET /sso/start',
        'GET /sso/callback',
        // Prometheus: public to the guard, its own bearer token inside (METRICS_TOKEN; 404 unset).
        'GET /metrics',
      ].sort(),
    );
  });

  it('answers 404 and audits it on every team-scoped route, for a team the caller may not see', async () => {
    const scoped: { method: string; path: string; kind: string }[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as new (...args: never[]) => object;
        const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (typeof handler !== 'function' || !Reflect.getMetadata(TEAM_SCOPE, handler)) continue;
          const rule = (Reflect.getMetadata(ACCESS, handler) ??
            Reflect.getMetadata(ACCESS, controller)) as AccessRule;
          scoped.push({
            method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number],
            path: `/${base}/${Reflect.getMetadata(PATH_METADATA, handler) as string}`.replace(
              /\/+/g,
              '/',
            ),
            kind: rule.kind,
          });
        }
      }
    }
    expect(scoped.length).toBeGreaterThanOrEqual(2);
    const mine = await createTeam(t, 'Mine');
    const theirs = await createTeam(t, 'Theirs');
    const lead = await signIn(t, 'lead', [mine.slug]);
    for (const route of scoped) {
      const url = (slug: string) => route.path.replace(':slug', slug);
      // A GET of the team alone answers 200 on one's own team; an empty form (with its CSRF token)
      // naming only the team is refused for what it holds (400), past the team check; a route
      // naming something else too (an action's :id) may answer 400 or 404 there, never 200.
      const onlyTeam = !/:(?!slug\b)\w+/.test(route.path);
      const plainRead = route.method === 'GET' && onlyTeam;
      if (route.kind === 'pages') {
        const call = (slug: string) =>
          t.request({
            method: route.method as 'GET',
            url: url(slug),
            headers: route.method === 'GET' ? { cookie: lead.cookie } : form(lead.cookie),
            ...(route.method === 'GET' ? {} : { payload: formBody({ _csrf: lead.csrf }) }),
          });
        if (plainRead) expect((await call(mine.slug)).statusCode).toBe(200);
        else if (onlyTeam) expect((await call(mine.slug)).statusCode).toBe(400);
        const before = await auditCount(t, 'access.denied');
        expect({ route: route.path, status: (await call(theirs.slug)).statusCode }).toEqual({
          route: route.path,
          status: 404,
        });
        expect(await auditCount(t, 'access.denied')).toBe(before + 1);
        expect((await call('no-such-team')).statusCode).toBe(404);
      } else {
        // API tokens belong to the organisation, not to a person: scoped by capability only.
        // A write route gets a valid body where its tests give one (its own tests try the bad
        // ones); a write without a body is refused for what it holds (400), past the team check.
        const payload = WRITE_BODIES[`${route.method} ${route.path}`];
        const call = (slug: string) =>
          t.api({ method: route.method as 'GET', url: url(slug), payload });
        const status = (await call(theirs.slug)).statusCode;
        if (plainRead || payload) expect(status).toBe(200);
        else if (onlyTeam) expect(status).toBe(400);
        else expect(status).not.toBe(404);
        expect((await call('no-such-team')).statusCode).toBe(404);
      }
    }
  });

  it('sends people who are not signed in to the sign-in page, and back afterwards', async () => {
    const page = await t.request({ method: 'GET', url: '/admin/users?x=1' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fadmin%2Fusers%3Fx%3D1');
    const post = await t.request({
      method: 'POST',
      url: '/admin/users',
      headers: form(''),
      payload: 'email=x',
    });
    expect(post.statusCode).toBe(401);
  });

  it('signs in with a new session id, HttpOnly and SameSite=Lax, and signs out for good', async () => {
    const admin = await signIn(t, 'admin');
    const home = await t.request({ method: 'GET', url: '/', headers: { cookie: admin.cookie } });
    expect(home.statusCode).toBe(200);
    const setCookie = await loginResponse(
      t,
      admin.email,
      'inpulse_session=attacker-chosen-value-0123456789',
    );
    const header = String(setCookie.headers['set-cookie']);
    expect(header).toMatch(/inpulse_session=/);
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).not.toContain('attacker-chosen-value');
    const fixed = await t.request({
      method: 'GET',
      url: '/',
      headers: { cookie: 'inpulse_session=attacker-chosen-value-0123456789' },
    });
    expect(fixed.statusCode).toBe(303);

    const out = await t.request({
      method: 'POST',
      url: '/logout',
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(out.statusCode).toBe(303);
    const after = await t.request({ method: 'GET', url: '/', headers: { cookie: admin.cookie } });
    expect(after.statusCode).toBe(303);
    expect(await auditCount(t, 'auth.logout')).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong password with 401 and audits it', async () => {
    const before = await auditCount(t, 'auth.login_failed');
    const res = await loginResponse(t, 'nobody@example.com', '', 'wrong password');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('The e-mail or password is not right.');
    expect(await auditCount(t, 'auth.login_failed')).toBe(before + 1);
  });

  it('purges ended sessions every hour', async () => {
    const person = await signIn(t, 'viewer');
    await t.dataSource.query(
      `UPDATE user_session SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [person.userId],
    );
    await t.get(SessionsService).purge();
    expect(
      await t.dataSource.query('SELECT 1 FROM user_session WHERE user_id = $1', [person.userId]),
    ).toHaveLength(0);
  });

  it('ends idle and expired sessions', async () => {
    const lead = await signIn(t, 'lead');
    await t.dataSource.query(
      `UPDATE user_session SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1`,
      [lead.userId],
    );
    expect(
      (await t.request({ method: 'GET', url: '/', headers: { cookie: lead.cookie } })).statusCode,
    ).toBe(303);
    const viewer = await signIn(t, 'viewer');
    await t.dataSource.query(
      `UPDATE user_session SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [viewer.userId],
    );
    expect(
      (await t.request({ method: 'GET', url: '/', headers: { cookie: viewer.cookie } })).statusCode,
    ).toBe(303);
  });

  it('keeps leads and viewers to their teams and sub-teams: 404 and an audit entry otherwise', async () => {
    const it = await createTeam(t, 'IT');
    const desk = await createTeam(t, 'Service desk', it.slug);
    const hr = await createTeam(t, 'HR');
    for (const role of ['lead', 'viewer'] as const) {
      const person = await signIn(t, role, [it.slug]);
      const get = (url: string) =>
        t.request({ method: 'GET', url, headers: { cookie: person.cookie } });
      expect((await get(`/teams/${it.slug}`)).statusCode).toBe(200);
      expect((await get(`/teams/${desk.slug}`)).statusCode).toBe(200);
      const before = await auditCount(t, 'access.denied');
      const other = await get(`/teams/${hr.slug}`);
      expect(other.statusCode).toBe(404);
      expect(await auditCount(t, 'access.denied')).toBe(before + 1);
      const missing = await get('/teams/no-such-team');
      expect(missing.statusCode).toBe(404);
      expect(missing.body).toContain('action="/logout"'); // the navigation stays

      const overview = await get('/');
      expect(overview.body).toContain(`/teams/${desk.slug}`);
      expect(overview.body).not.toContain(`/teams/${hr.slug}`);
      // Admin pages are for admins.
      expect((await get('/admin/users')).statusCode).toBe(403);
      expect((await get('/admin/audit')).statusCode).toBe(403);
      expect((await get('/outbox')).statusCode).toBe(403);
    }
    const admin = await signIn(t, 'admin');
    expect(
      (
        await t.request({
          method: 'GET',
          url: `/teams/${hr.slug}`,
          headers: { cookie: admin.cookie },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('lets an admin invite someone, who sets a password once and signs in', async () => {
    const admin = await signIn(t, 'admin');
    const team = await createTeam(t, 'Facilities');
    const invited = await t.request({
      method: 'POST',
      url: '/admin/users',
      headers: form(admin.cookie),
      payload: formBody({
        _csrf: admin.csrf,
        email: 'New.Lead@Example.com',
        name: 'New Lead',
        role: 'lead',
        teams: [team.slug],
      }),
    });
    expect(invited.statusCode).toBe(303);
    const link = (await followRedirect(t, invited, admin.cookie)).body.match(
      /http:\/\/localhost:3000(\/account\/setup\/[A-Za-z0-9_-]+)/,
    )![1];
    const mail = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = 'new.lead@example.com'`,
    );
    expect(mail[0].text).toContain(link);

    const page = await t.request({ method: 'GET', url: link });
    expect(page.statusCode).toBe(200);
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    const send = (password: string, confirm = password) =>
      t.request({
        method: 'POST',
        url: link,
        headers: form(`inpulse_csrf=${nonce}`),
        payload: formBody({ _csrf: csrf, password, confirm }),
      });
    expect((await send('short')).statusCode).toBe(400);
    expect((await send(TEST_PASSWORD, 'different')).statusCode).toBe(400);
    expect((await send(TEST_PASSWORD)).statusCode).toBe(303);
    expect((await send(TEST_PASSWORD)).statusCode).toBe(410);
    expect((await loginResponse(t, 'new.lead@example.com')).statusCode).toBe(303);

    const dup = await t.request({
      method: 'POST',
      url: '/admin/users',
      headers: form(admin.cookie),
      payload: formBody({
        _csrf: admin.csrf,
        email: 'new.lead@example.com',
        name: 'Again',
        role: 'lead',
      }),
    });
    expect(dup.statusCode).toBe(409);
    expect(await auditCount(t, 'user.invited')).toBeGreaterThanOrEqual(1);
  });

  it('changes roles and disables people (their sessions end), but never the last admin', async () => {
    const admin = await signIn(t, 'admin');
    const viewer = await signIn(t, 'viewer');
    const update = (userId: string, fields: Record<string, string>) =>
      t.request({
        method: 'POST',
        url: `/admin/users/${userId}`,
        headers: form(admin.cookie),
        payload: formBody({ _csrf: admin.csrf, ...fields }),
      });
    expect((await update(viewer.userId, { role: 'viewer', disabled: 'on' })).statusCode).toBe(303);
    expect(
      (await t.request({ method: 'GET', url: '/', headers: { cookie: viewer.cookie } })).statusCode,
    ).toBe(303);
    expect((await loginResponse(t, viewer.email)).statusCode).toBe(401);
    expect(await auditCount(t, 'user.disabled')).toBe(1);
    // Demote every other admin, then the last one may not demote itself.
    const admins: { id: string }[] = await t.dataSource.query(
      `SELECT id FROM app_user WHERE role = 'admin' AND NOT disabled AND id <> $1`,
      [admin.userId],
    );
    for (const other of admins) await update(other.id, { role: 'viewer' });
    const self = await update(admin.userId, { role: 'lead' });
    expect(self.statusCode).toBe(409);
    expect(self.body).toContain('last active administrator');
    expect(
      (await update('00000000-0000-4000-8000-000000000000', { role: 'lead' })).statusCode,
    ).toBe(404);
    expect((await update(viewer.userId, { role: 'emperor' })).statusCode).toBe(400);
  });

  it('changes a password only with the current one, and signs out the other sessions', async () => {
    const first = await signIn(t, 'lead');
    const email = first.email;
    const second = await loginResponse(t, email);
    const secondCookie = `inpulse_session=${second.cookies.find((c) => c.name === 'inpulse_session')!.value}`;
    const change = (current: string, password: string) =>
      t.request({
        method: 'POST',
        url: '/account/password',
        headers: form(first.cookie),
        payload: formBody({ _csrf: first.csrf, current, password, confirm: password }),
      });
    expect((await change('wrong password!!', 'a brand new password')).statusCode).toBe(400);
    expect((await change(TEST_PASSWORD, 'a brand new password')).statusCode).toBe(303);
    expect(
      (await t.request({ method: 'GET', url: '/', headers: { cookie: first.cookie } })).statusCode,
    ).toBe(200);
    expect(
      (await t.request({ method: 'GET', url: '/', headers: { cookie: secondCookie } })).statusCode,
    ).toBe(303);
    expect((await loginResponse(t, email, '', 'a brand new password')).statusCode).toBe(303);
  });

  it('issues scoped API tokens shown once, records their use, and revokes them', async () => {
    const admin = await signIn(t, 'admin');
    const created = await t.request({
      method: 'POST',
      url: '/admin/tokens',
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf, name: 'HRIS sync', scopes: ['directory:read'] }),
    });
    expect(created.statusCode).toBe(303);
    const shownOnce = await followRedirect(t, created, admin.cookie);
    expect(shownOnce.headers['cache-control']).toBe('no-store');
    const value = shownOnce.body.match(/id="new-token">([^<]+)</)![1];
    expect(value).toMatch(/^inp_/);
    const [stored] = await t.dataSource.query(
      `SELECT id, token_hash, prefix, last_used_at FROM api_token WHERE name = 'HRIS sync'`,
    );
    expect(stored.token_hash.toString('utf8')).not.toContain(value);
    expect(stored.last_used_at).toBeNull();
    const list = await t.request({
      method: 'GET',
      url: '/admin/tokens',
      headers: { cookie: admin.cookie },
    });
    expect(list.body).not.toContain(value);

    const call = (method: 'GET' | 'POST', url: string) =>
      t.request({
        method,
        url,
        headers: { authorization: `Bearer ${value}` },
        payload: method === 'POST' ? { slug: 'x-team', name: 'X' } : undefined,
      });
    expect((await call('GET', '/api/v1/teams')).statusCode).toBe(200);
    const [used] = await t.dataSource.query(`SELECT last_used_at FROM api_token WHERE id = $1`, [
      stored.id,
    ]);
    expect(used.last_used_at).not.toBeNull();
    const before = await auditCount(t, 'access.denied');
    const denied = await call('POST', '/api/v1/teams');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toContain('directory:write');
    expect(await auditCount(t, 'access.denied')).toBe(before + 1);

    const revoke = await t.request({
      method: 'POST',
      url: `/admin/tokens/${stored.id}/revoke`,
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(revoke.statusCode).toBe(303);
    expect((await call('GET', '/api/v1/teams')).statusCode).toBe(401);
    expect(await auditCount(t, 'api_token.revoked')).toBe(1);
    const bad = await t.request({
      method: 'POST',
      url: '/admin/tokens',
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf, name: 'x', scopes: ['root'] }),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('shows admins the audit log, filtered by user and action, on the page and the API', async () => {
    const admin = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: `/admin/audit?action=auth.login&user=${admin.userId}`,
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(admin.email);
    expect(page.body).not.toContain('auth.login_failed</td>');
    const api = await t.api({
      method: 'GET',
      url: `/api/v1/audit?action=auth.&user=${admin.userId}`,
    });
    expect(api.statusCode).toBe(200);
    const items = api.json().items as { action: string; actorUserId: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.action.startsWith('auth.') && i.actorUserId === admin.userId)).toBe(
      true,
    );
    const bad = await t.api({ method: 'GET', url: '/api/v1/audit?from=not-a-day' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('from must be a date in the form YYYY-MM-DD');
  });
});

describe('behind TLS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ BASE_URL: 'https://inpulse.example.com' });
  });
  afterAll(() => t.close());

  it('uses a Secure, __Host- prefixed session cookie and HSTS', async () => {
    const res = await loginResponse(t, 'nobody@example.com');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(t.get(SessionsService).sessionCookie).toBe('__Host-inpulse_session');
    const { userId, link } = await t
      .get(AccountsService)
      .invite(undefined, { email: 'tls@example.com', name: 'TLS', role: 'admin', teamSlugs: [] });
    expect(userId).toBeTruthy();
    await t
      .get(AccountsService)
      .acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, { ip: '127.0.0.1' });
    const ok = await loginResponse(t, 'tls@example.com');
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/__Host-inpulse_session=/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Path=\//);
  });
});

/** Posts the login form like a browser (GET first for the CSRF cookie). */
async function loginResponse(
  t: TestApp,
  email: string,
  extraCookie = '',
  password = TEST_PASSWORD,
) {
  const page = await t.request({
    method: 'GET',
    url: '/login',
    headers: extraCookie ? { cookie: extraCookie } : {},
  });
  const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
  const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
  return t.request({
    method: 'POST',
    url: '/login',
    headers: form([`inpulse_csrf=${nonce}`, extraCookie].filter(Boolean).join('; ')),
    payload: formBody({ _csrf: csrf, email, password }),
  });
}
