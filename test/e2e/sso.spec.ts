import { AccountsService } from '../../src/modules/accounts/accounts.service';
import type { LocalAccount } from '../../src/modules/sso/local-provider';
import { SsoSettingsService } from '../../src/modules/sso/sso-settings.service';
import { createTeam, formBody, signIn } from '../factories';
import { freePort } from '../setup/free-port';
import { OTHER_CLIENT_ID, startTestProvider, type TestProvider } from '../setup/oidc-provider';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

const PEOPLE: LocalAccount[] = [
  { id: 'hr', email: 'hr@corp.example', name: 'Hana HR', groups: ['hr-admins'] },
  { id: 'lead', email: 'lead@corp.example', name: 'Leo Lead', groups: ['it-leads', 'staff'] },
  {
    id: 'unverified',
    email: 'unverified@corp.example',
    name: 'Una Verified',
    groups: ['hr-admins'],
    emailVerified: false,
  },
  { id: 'nogroup', email: 'nogroup@corp.example', name: 'No Group', groups: ['marketing'] },
  { id: 'disabled', email: 'disabled@corp.example', name: 'Dis Abled', groups: ['it-leads'] },
  { id: 'stranger', email: 'stranger@corp.example', name: 'New Comer', groups: ['it-leads'] },
  // No account and no mapped group: refused each time alike (an account would lose its access).
  { id: 'outsider', email: 'outsider@corp.example', name: 'Out Sider', groups: ['marketing'] },
];

describe('sign-in through the identity provider (OIDC)', () => {
  let provider: TestProvider;
  let t: TestApp;
  let it1: { id: string; slug: string };
  let facilities: { id: string; slug: string };
  let admin: { cookie: string; csrf: string; email: string; userId: string };

  beforeAll(async () => {
    provider = await startTestProvider(PEOPLE);
    t = await startTestApp(provider.env);
    it1 = await createTeam(t, 'IT');
    facilities = await createTeam(t, 'Facilities');
    admin = await signIn(t, 'admin');
    const accounts = t.get(AccountsService);
    // Staff accounts exist (OIDC_ALLOW_CREATE is off here); HR's starts as a viewer.
    for (const person of PEOPLE.filter((p) => !['stranger', 'outsider'].includes(p.id)))
      await accounts.invite(undefined, {
        email: person.email,
        name: person.name,
        role: 'viewer',
        teamSlugs: [facilities.slug],
      });
    const disabled = await accounts.findByEmail('disabled@corp.example');
    await accounts.update(
      { kind: 'token', id: '00000000-0000-0000-0000-000000000000', name: 't', scopes: ['admin'] },
      disabled!.id,
      { role: 'viewer', disabled: true, teamSlugs: [] },
      { ip: '127.0.0.1' },
    );
    const rules = t.get(SsoSettingsService);
    const actor = {
      kind: 'user' as const,
      id: admin.userId,
      email: admin.email,
      name: 'A',
      role: 'admin' as const,
      csrfToken: '',
    };
    await rules.addRule(
      actor,
      { groupName: 'hr-admins', role: 'admin', teamSlug: '' },
      { ip: '127.0.0.1' },
    );
    await rules.addRule(
      actor,
      { groupName: 'it-leads', role: 'lead', teamSlug: it1.slug },
      { ip: '127.0.0.1' },
    );
    await rules.addRule(
      actor,
      { groupName: 'fac-viewers', role: 'viewer', teamSlug: facilities.slug },
      { ip: '127.0.0.1' },
    );
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  async function start(next = '/') {
    const res = await t.request({
      method: 'GET',
      url: `/sso/start?next=${encodeURIComponent(next)}`,
    });
    expect(res.statusCode).toBe(303);
    const state = res.cookies.find((c) => c.name === 'inpulse_sso_state')!.value;
    return { authorizeUrl: String(res.headers.location), state };
  }

  function callback(url: URL, state?: string, headers: Record<string, string> = {}) {
    return t.request({
      method: 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { ...(state ? { cookie: `inpulse_sso_state=${state}` } : {}), ...headers },
    });
  }

  async function ssoSignIn(login: string, next = '/') {
    const { authorizeUrl, state } = await start(next);
    const back = await provider.signIn(authorizeUrl, login);
    const res = await callback(back, state);
    const session = res.cookies.find((c) => c.name === 'inpulse_session')?.value;
    return { res, back, state, cookie: session ? `inpulse_session=${session}` : undefined };
  }

  async function lastRefusal(): Promise<{ reason: string; target: string | null }> {
    const [row] = await t.dataSource.query(
      `SELECT details->>'reason' AS reason, target FROM audit_event
        WHERE action = 'auth.sso_refused' ORDER BY at DESC, id DESC LIMIT 1`,
    );
    return row;
  }

  async function refusalCount(): Promise<number> {
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.sso_refused'`,
    );
    return n;
  }

  it('sends the browser to the provider with code + PKCE (S256), state and nonce', async () => {
    const { authorizeUrl, state } = await start();
    const url = new URL(authorizeUrl);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3000/sso/callback');
    // Kept server-side by its hash only; the verifier never leaves the server.
    const rows = await t.dataSource.query('SELECT state_hash, code_verifier FROM sso_login_state');
    expect(
      rows.some((r: { code_verifier: string }) => authorizeUrl.includes(r.code_verifier)),
    ).toBe(false);
  });

  it('signs HR in by verified e-mail, gives the role their group maps to, and audits it', async () => {
    const { res, cookie } = await ssoSignIn('hr', '/admin/users');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/users');
    const page = await t.request({
      method: 'GET',
      url: '/admin/users',
      headers: { cookie: cookie! },
    });
    expect(page.statusCode).toBe(200);
    const hr = await t.get(AccountsService).findByEmail('hr@corp.example');
    expect(hr!.role).toBe('admin');
    const [login] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'auth.login' AND target = 'hr@corp.example'`,
    );
    expect(login.details).toEqual({ via: 'sso' });
    const [change] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'user.updated' AND target = 'hr@corp.example'`,
    );
    expect(change.details.role).toEqual({ from: 'viewer', to: 'admin' });
  });

  it("maps a lead's group to their team, and recomputes it at every sign-in", async () => {
    const first = await ssoSignIn('lead', `/teams/${it1.slug}`);
    expect(first.res.statusCode).toBe(303);
    expect(first.res.headers.location).toBe(`/teams/${it1.slug}`);
    const mine = await t.request({
      method: 'GET',
      url: `/teams/${it1.slug}`,
      headers: { cookie: first.cookie! },
    });
    expect(mine.statusCode).toBe(200);
    // The viewer's Facilities given at invitation is gone: only what the groups map to stays.
    const other = await t.request({
      method: 'GET',
      url: `/teams/${facilities.slug}`,
      headers: { cookie: first.cookie! },
    });
    expect(other.statusCode).toBe(404);

    const lead = provider.local.people.find((p) => p.id === 'lead')!;
    lead.groups = ['fac-viewers'];
    const second = await ssoSignIn('lead');
    expect(second.res.statusCode).toBe(303);
    const account = await t.get(AccountsService).findByEmail('lead@corp.example');
    expect(account!.role).toBe('viewer');
    const teams = await t.dataSource.query('SELECT team_id FROM user_team WHERE user_id = $1', [
      account!.id,
    ]);
    expect(teams.map((r: { team_id: string }) => r.team_id)).toEqual([facilities.id]);

    // A removed group removes the role: nothing maps, so nothing opens.
    lead.groups = ['staff'];
    const third = await ssoSignIn('lead');
    expect(third.res.statusCode).toBe(403);
    expect(third.cookie).toBeUndefined();
    expect(await lastRefusal()).toEqual({ reason: 'no_mapping', target: 'lead@corp.example' });
    lead.groups = ['it-leads', 'staff'];
  });

  it('refuses an unverified e-mail, unmapped groups, a disabled account and a stranger, each audited', async () => {
    const cases: [string, number, string, RegExp][] = [
      ['unverified', 403, 'email_unverified', /not verified/],
      ['nogroup', 403, 'no_mapping', /None of your groups/],
      ['disabled', 403, 'account_disabled', /disabled/],
      ['stranger', 403, 'no_account', /no inpulse account/],
    ];
    for (const [login, status, reason, text] of cases) {
      const before = await refusalCount();
      const { res, cookie } = await ssoSignIn(login);
      expect([login, res.statusCode]).toEqual([login, status]);
      expect(res.body).toContain(`data-reason="${reason}"`);
      expect(res.body).toMatch(text);
      expect(cookie).toBeUndefined();
      expect(await refusalCount()).toBe(before + 1);
      expect((await lastRefusal()).reason).toBe(reason);
    }
    expect(await t.get(AccountsService).findByEmail('stranger@corp.example')).toBeNull();
  });

  it('shows a refusal in the person’s language', async () => {
    const { authorizeUrl, state } = await start();
    const back = await provider.signIn(authorizeUrl, 'outsider');
    const res = await callback(back, state, { 'accept-language': 'fa' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('dir="rtl"');
    expect(res.body).toContain('دسترسی به inpulse ندارید');
  });

  it('refuses a replayed state, one from another browser, and an expired one', async () => {
    const ok = await ssoSignIn('hr');
    expect(ok.res.statusCode).toBe(303);
    const replay = await callback(ok.back, ok.state);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('data-reason="state_invalid"');
    expect(replay.cookies.find((c) => c.name === 'inpulse_session')).toBeUndefined();
    expect((await lastRefusal()).reason).toBe('state_invalid');

    // A provider answer brought to another browser (no state cookie): refused, state used up.
    const { authorizeUrl, state } = await start();
    const back = await provider.signIn(authorizeUrl, 'hr');
    const elsewhere = await callback(back);
    expect(elsewhere.statusCode).toBe(400);
    expect((await lastRefusal()).reason).toBe('state_invalid');
    expect((await callback(back, state)).statusCode).toBe(400);

    const late = await start();
    const lateBack = await provider.signIn(late.authorizeUrl, 'hr');
    await t.dataSource.query(`UPDATE sso_login_state SET expires_at = now() - interval '1 second'`);
    const expired = await callback(lateBack, late.state);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('data-reason="state_expired"');
    expect((await lastRefusal()).reason).toBe('state_expired');
  });

  it('refuses an ID token signed again with another key, and one for another client', async () => {
    provider.tamperNextIdToken({ kind: 'resign-other-key', email: 'hr@corp.example' });
    const tampered = await ssoSignIn('nogroup');
    expect(tampered.res.statusCode).toBe(400);
    expect(tampered.res.body).toContain('data-reason="token_invalid"');
    expect(tampered.cookie).toBeUndefined();
    expect((await lastRefusal()).reason).toBe('token_invalid');

    provider.tamperNextIdToken({ kind: 'audience', aud: OTHER_CLIENT_ID });
    const wrongAudience = await ssoSignIn('hr');
    expect(wrongAudience.res.statusCode).toBe(400);
    expect(wrongAudience.res.body).toContain('data-reason="token_invalid"');
    expect(wrongAudience.cookie).toBeUndefined();
    const [row] = await t.dataSource.query(
      `SELECT details->>'detail' AS detail FROM audit_event WHERE action = 'auth.sso_refused'
        ORDER BY at DESC, id DESC LIMIT 1`,
    );
    expect(row.detail).toMatch(/aud/);
  });

  it('refuses when the person cancels at the provider (error=access_denied)', async () => {
    const { authorizeUrl, state } = await start();
    const back = await provider.signIn(authorizeUrl, 'hr', { abort: true });
    expect(back.searchParams.get('error')).toBe('access_denied');
    const res = await callback(back, state);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('data-reason="provider_error"');
    expect((await lastRefusal()).reason).toBe('provider_error');
  });

  it('picks up a rotated signing key at once', async () => {
    expect((await ssoSignIn('hr')).res.statusCode).toBe(303);
    const oldKid = provider.local.key.kid;
    provider.local.rotateKeys();
    expect(provider.local.key.kid).not.toBe(oldKid);
    const after = await ssoSignIn('hr');
    expect(after.res.statusCode).toBe(303);
    expect(after.cookie).toBeDefined();
  });

  it('signs out locally and at the provider (RP-initiated logout)', async () => {
    const { cookie } = await ssoSignIn('hr');
    const page = await t.request({
      method: 'GET',
      url: '/account/password',
      headers: { cookie: cookie! },
    });
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    const out = await t.request({
      method: 'POST',
      url: '/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie! },
      payload: formBody({ _csrf: csrf }),
    });
    expect(out.statusCode).toBe(200);
    const target = new URL(
      out.body
        .match(/http-equiv="refresh" content="0;url=([^"]+)"/)![1]
        .replace(/&#x3D;/g, '=')
        .replace(/&amp;/g, '&'),
    );
    expect(`${target.origin}${target.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:3000/login');
    expect(target.searchParams.get('id_token_hint')).toMatch(/^ey/);
    const gone = await t.request({
      method: 'GET',
      url: '/account/password',
      headers: { cookie: cookie! },
    });
    expect(gone.statusCode).not.toBe(200);
    // The provider's own sign-out page (it asks to confirm), for this session's ID token.
    const atProvider = await fetch(target);
    expect(atProvider.status).toBeLessThan(300);
    expect(await atProvider.text()).toMatch(/logout/i);
    // A password session signs out as before: straight to the sign-in page.
    const mine = await signIn(t, 'viewer');
    const plain = await t.request({
      method: 'POST',
      url: '/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: mine.cookie },
      payload: formBody({ _csrf: mine.csrf }),
    });
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe('/login');
  });

  describe('the admin page', () => {
    const post = (url: string, fields: Record<string, string>, csrf = admin.csrf) =>
      t.request({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
        payload: formBody({ _csrf: csrf, ...fields }),
      });
    const ruleCount = async () =>
      (await t.dataSource.query('SELECT count(*)::int AS n FROM sso_rule'))[0].n as number;

    it('adds and removes rules, audited; bad input is a 400 saying what is wrong, nothing written', async () => {
      const before = await ruleCount();
      for (const [fields, text] of [
        [{ group: 'x', role: 'lead', team: '' }, 'needs a team'],
        [{ group: 'x', role: 'owner', team: '' }, 'role must be one of'],
        [{ group: '', role: 'admin', team: '' }, '1–200 characters'],
        [{ group: 'x', role: 'viewer', team: 'no-such-team' }, 'No team'],
        [{ group: 'hr-admins', role: 'admin', team: '' }, 'exists already'],
      ] as [Record<string, string>, string][]) {
        const res = await post('/admin/sso/rules', fields);
        expect([fields, res.statusCode]).toEqual([fields, 400]);
        expect(res.body).toContain(text);
      }
      expect(
        (await post('/admin/sso/rules', { group: 'x', role: 'admin' }, 'wrong')).statusCode,
      ).toBe(403);
      expect(await ruleCount()).toBe(before);

      const added = await post('/admin/sso/rules', {
        group: 'it-viewers',
        role: 'viewer',
        team: it1.slug,
      });
      expect(added.statusCode).toBe(303);
      expect(await ruleCount()).toBe(before + 1);
      const page = await t.request({
        method: 'GET',
        url: '/admin/sso',
        headers: { cookie: admin.cookie },
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('it-viewers');
      const [{ id }] = await t.dataSource.query(
        `SELECT id FROM sso_rule WHERE group_name = 'it-viewers'`,
      );
      expect((await post(`/admin/sso/rules/${id}/delete`, {})).statusCode).toBe(303);
      expect(await ruleCount()).toBe(before);
      const actions = await t.dataSource.query(
        `SELECT action FROM audit_event WHERE target = 'it-viewers' ORDER BY at`,
      );
      expect(actions.map((a: { action: string }) => a.action)).toEqual([
        'sso.rule_added',
        'sso.rule_removed',
      ]);
    });

    it('is for admins only', async () => {
      const lead = await signIn(t, 'lead', [it1.slug]);
      const res = await t.request({
        method: 'GET',
        url: '/admin/sso',
        headers: { cookie: lead.cookie },
      });
      expect(res.statusCode).toBe(403);
    });

    it('turns passwords off except for the break-glass admin, never without one', async () => {
      const refused = await post('/admin/sso/settings', { ssoOnly: 'on', breakGlass: '' });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('break-glass');
      const viewer = await signIn(t, 'viewer');
      const notAdmin = await post('/admin/sso/settings', {
        ssoOnly: 'on',
        breakGlass: viewer.userId,
      });
      expect(notAdmin.statusCode).toBe(400);
      expect((await t.dataSource.query('SELECT count(*)::int AS n FROM sso_setting'))[0].n).toBe(0);

      const on = await post('/admin/sso/settings', { ssoOnly: 'on', breakGlass: admin.userId });
      expect(on.statusCode).toBe(303);
      const [audit] = await t.dataSource.query(
        `SELECT details FROM audit_event WHERE action = 'sso.settings_changed'`,
      );
      expect(audit.details.ssoOnly).toEqual({ from: false, to: true });

      const login = await t.request({ method: 'GET', url: '/login' });
      expect(login.body).toContain('id="sso-sign-in"');
      expect(login.body).toContain('id="break-glass"');

      const passwordLogin = async (email: string) => {
        const form = await t.request({ method: 'GET', url: '/login' });
        const nonce = form.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
        const csrf = form.body.match(/name="_csrf" value="([^"]+)"/)![1];
        return t.request({
          method: 'POST',
          url: '/login',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: `inpulse_csrf=${nonce}`,
          },
          payload: formBody({ _csrf: csrf, email, password: TEST_PASSWORD }),
        });
      };
      const other = await passwordLogin(viewer.email);
      expect(other.statusCode).toBe(403);
      expect(other.body).toContain('Passwords are turned off');
      const [failed] = await t.dataSource.query(
        `SELECT details FROM audit_event WHERE action = 'auth.login_failed' AND target = $1`,
        [viewer.email],
      );
      expect(failed.details).toEqual({ reason: 'sso_only' });
      expect((await passwordLogin(admin.email)).statusCode).toBe(303);
      // SSO still signs people in.
      expect((await ssoSignIn('hr')).res.statusCode).toBe(303);

      expect((await post('/admin/sso/settings', { breakGlass: admin.userId })).statusCode).toBe(
        303,
      );
      expect((await passwordLogin(viewer.email)).statusCode).toBe(303);
      const plain = await t.request({ method: 'GET', url: '/login' });
      expect(plain.body).toContain('id="sso-sign-in"');
      expect(plain.body).not.toContain('id="break-glass"');
    });
  });

  it('answers a malformed provider answer with a 400, never a 500', async () => {
    const { authorizeUrl, state } = await start();
    await provider.signIn(authorizeUrl, 'hr');
    for (const query of [
      '',
      '?state=a&state=b',
      `?state=${'x'.repeat(5000)}&code=y`,
      '?code=only',
      `?state=${state}`, // the right state, but no code
    ]) {
      const res = await t.request({
        method: 'GET',
        url: `/sso/callback${query}`,
        headers: { cookie: `inpulse_sso_state=${state}` },
      });
      expect([query.slice(0, 40), res.statusCode]).toEqual([query.slice(0, 40), 400]);
      expect(res.body).toContain('id="sso-refused"');
    }
  });

  it('limits the sign-ins started from one address (429), which keep no more rows', async () => {
    const from = (n: number) =>
      t.request({ method: 'GET', url: '/sso/start', remoteAddress: `203.0.113.${n}` });
    for (let i = 0; i < 60; i++) expect((await from(7)).statusCode).toBe(303);
    const rows = async () =>
      (await t.dataSource.query('SELECT count(*)::int AS n FROM sso_login_state'))[0].n as number;
    const before = await rows();
    const limited = await from(7);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await rows()).toBe(before);
    expect((await from(8)).statusCode).toBe(303);
  });
});

describe('without OIDC_ISSUER', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('changes nothing: no SSO button, no sign-in route, passwords as before', async () => {
    const login = await t.request({ method: 'GET', url: '/login' });
    expect(login.statusCode).toBe(200);
    expect(login.body).not.toContain('sso-sign-in');
    expect((await t.request({ method: 'GET', url: '/sso/start' })).statusCode).toBe(404);
    expect(
      (await t.request({ method: 'GET', url: '/sso/callback?state=x&code=y' })).statusCode,
    ).toBe(404);
    expect((await signIn(t, 'admin')).cookie).toContain('inpulse_session=');
  });

  it('answers 400 with the refusal page, not a 500, when the provider cannot be reached', async () => {
    const down = await startTestApp({
      OIDC_ISSUER: `http://localhost:${await freePort()}`,
      OIDC_CLIENT_ID: 'inpulse',
    });
    try {
      const res = await down.request({ method: 'GET', url: '/sso/start' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('data-reason="provider_error"');
      expect(
        (await down.dataSource.query('SELECT count(*)::int AS n FROM sso_login_state'))[0].n,
      ).toBe(0);
    } finally {
      await down.close();
    }
  });
});
