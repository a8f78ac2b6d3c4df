import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import type { LocalAccount } from '../../src/modules/sso/local-provider';
import { SsoSettingsService } from '../../src/modules/sso/sso-settings.service';
import { createTeam, formBody, signIn } from '../factories';
import { startTestProvider, type TestProvider } from '../setup/oidc-provider';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * The attacks of the security review of sign-in through the provider (docs/sso.md): a group
 * taken away must take access away, SSO only must not tell a right password from a wrong one,
 * the break-glass administrator is out of the provider's reach, and an address handed to
 * someone else at the provider does not hand them the old account.
 */
const PEOPLE: LocalAccount[] = [
  { id: 'boss', email: 'boss@corp.example', name: 'Bo Boss', groups: ['hr-admins'] },
  { id: 'glass', email: 'glass@corp.example', name: 'Break Glass', groups: ['fac-viewers'] },
  { id: 'keeper-1', email: 'keeper@corp.example', name: 'Kim Keeper', groups: ['it-leads'] },
];

describe('sign-in through the provider: findings of the security review', () => {
  let provider: TestProvider;
  let t: TestApp;
  let it1: { id: string; slug: string };
  let facilities: { id: string; slug: string };
  let admin: { cookie: string; csrf: string; email: string; userId: string };
  let glassId: string;

  const actor = () => ({
    kind: 'user' as const,
    id: admin.userId,
    email: admin.email,
    name: 'A',
    role: 'admin' as const,
    csrfToken: '',
  });

  beforeAll(async () => {
    provider = await startTestProvider(PEOPLE);
    t = await startTestApp(provider.env);
    it1 = await createTeam(t, 'IT');
    facilities = await createTeam(t, 'Facilities');
    admin = await signIn(t, 'admin');
    const accounts = t.get(AccountsService);
    for (const email of ['boss@corp.example', 'keeper@corp.example'])
      await accounts.invite(undefined, { email, name: email, role: 'viewer', teamSlugs: [] });
    glassId = await accounts.createAdmin('glass@corp.example', 'Break Glass', TEST_PASSWORD);
    const rules = t.get(SsoSettingsService);
    for (const rule of [
      { groupName: 'hr-admins', role: 'admin', teamSlug: '' },
      { groupName: 'it-leads', role: 'lead', teamSlug: it1.slug },
      { groupName: 'fac-viewers', role: 'viewer', teamSlug: facilities.slug },
    ] as const)
      await rules.addRule(actor(), rule, { ip: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  const setSwitch = (ssoOnly: boolean, breakGlassUserId: string) =>
    t.get(SsoSettingsService).saveSwitch(actor(), { ssoOnly, breakGlassUserId }, { ip: '1' });

  async function ssoSignIn(login: string, headers: Record<string, string> = {}) {
    const started = await t.request({ method: 'GET', url: '/sso/start' });
    expect(started.statusCode).toBe(303);
    const state = started.cookies.find((c) => c.name === 'inpulse_sso_state')!.value;
    const back = await provider.signIn(String(started.headers.location), login);
    const res = await t.request({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: `inpulse_sso_state=${state}`, ...headers },
    });
    const session = res.cookies.find((c) => c.name === 'inpulse_session')?.value;
    return { res, cookie: session ? `inpulse_session=${session}` : undefined };
  }

  /** A password sign-in through the form; `form` reuses one form (same CSRF token and nonce). */
  async function loginForm() {
    const form = await t.request({ method: 'GET', url: '/login' });
    return {
      nonce: form.cookies.find((c) => c.name === 'inpulse_csrf')!.value,
      csrf: form.body.match(/name="_csrf" value="([^"]+)"/)![1],
    };
  }
  async function passwordLogin(
    email: string,
    password = TEST_PASSWORD,
    form?: { nonce: string; csrf: string },
  ) {
    const { nonce, csrf } = form ?? (await loginForm());
    return t.request({
      method: 'POST',
      url: '/login',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `inpulse_csrf=${nonce}`,
      },
      payload: formBody({ _csrf: csrf, email, password }),
    });
  }

  const asJson = (cookie: string) =>
    t.request({
      method: 'GET',
      url: '/admin/users',
      headers: { cookie, accept: 'application/json' },
    });

  async function lastRefusal(): Promise<{ reason: string; target: string | null }> {
    const [row] = await t.dataSource.query(
      `SELECT details->>'reason' AS reason, target FROM audit_event
        WHERE action = 'auth.sso_refused' ORDER BY at DESC, id DESC LIMIT 1`,
    );
    return row;
  }

  const account = (email: string) => t.get(AccountsService).findByEmail(email);

  it('1. a group taken away at the provider takes the access away: sessions end, the password no longer gives admin', async () => {
    await setSwitch(false, '');
    const boss = await account('boss@corp.example');
    await t.get(AccountsService).setChosenPassword(boss!.id, TEST_PASSWORD);
    const sso = await ssoSignIn('boss');
    expect(sso.res.statusCode).toBe(303);
    expect((await account('boss@corp.example'))!.role).toBe('admin');
    const password = await passwordLogin('boss@corp.example');
    expect(password.statusCode).toBe(303);
    const passwordCookie = `inpulse_session=${password.cookies.find((c) => c.name === 'inpulse_session')!.value}`;
    expect((await asJson(sso.cookie!)).statusCode).toBe(200);
    expect((await asJson(passwordCookie)).statusCode).toBe(200);

    provider.local.people.find((p) => p.id === 'boss')!.groups = ['staff'];
    const refused = await ssoSignIn('boss');
    expect(refused.res.statusCode).toBe(403);
    expect(refused.res.body).toContain('data-reason="no_mapping"');
    expect(refused.cookie).toBeUndefined();
    expect(await lastRefusal()).toEqual({ reason: 'no_mapping', target: 'boss@corp.example' });

    // Both sessions, the provider's and the password's, are over.
    expect((await asJson(sso.cookie!)).statusCode).toBe(401);
    expect((await asJson(passwordCookie)).statusCode).toBe(401);
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM user_session WHERE user_id = $1',
      [boss!.id],
    );
    expect(n).toBe(0);
    // The password opens nothing any more, let alone admin.
    const again = await passwordLogin('boss@corp.example');
    expect(again.statusCode).toBe(401);
    const after = await account('boss@corp.example');
    expect(after!.disabled).toBe(true);
    expect(after!.role).toBe('viewer');
    const [revoked] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'user.disabled' AND target = 'boss@corp.example'`,
    );
    expect(revoked.details).toMatchObject({
      via: 'sso',
      reason: 'no_mapping',
      role: { from: 'admin', to: 'viewer' },
    });
  });

  it('2. with SSO only on, a right and a wrong password get the same answer, and the password is not checked', async () => {
    const { email } = await signIn(t, 'viewer');
    await setSwitch(true, glassId);
    const form = await loginForm();
    const right = await passwordLogin(email, TEST_PASSWORD, form);
    const wrong = await passwordLogin(email, 'not the password at all', form);
    const unknown = await passwordLogin('nobody.here@corp.example', TEST_PASSWORD, form);
    // What differs between any two answers: their time, how long they took, their id.
    const strip = (headers: Record<string, unknown>) => {
      const { date: _date, 'server-timing': _timing, 'x-request-id': _id, ...rest } = headers;
      return rest;
    };
    expect(right.statusCode).toBe(403);
    expect(right.body).toContain('Passwords are turned off');
    for (const other of [wrong]) {
      expect(other.statusCode).toBe(right.statusCode);
      expect(other.body).toBe(right.body);
      expect(strip(other.headers)).toEqual(strip(right.headers));
    }
    expect(unknown.statusCode).toBe(403);

    // No timed assertion here (shared machines): that the password is not checked at all is
    // what the login's order says (sessions.service.ts); the answers above show no difference.

    // The break-glass administrator is unchanged: a wrong password is a 401, the right one opens.
    expect((await passwordLogin('glass@corp.example', 'wrong password here')).statusCode).toBe(401);
    expect((await passwordLogin('glass@corp.example')).statusCode).toBe(303);
    await setSwitch(false, glassId);
  });

  it('3a. never signs the break-glass administrator in through the provider, nor changes its role', async () => {
    for (const ssoOnly of [true, false]) {
      await setSwitch(ssoOnly, glassId);
      const res = await ssoSignIn('glass');
      expect(res.res.statusCode).toBe(403);
      expect(res.res.body).toContain('data-reason="break_glass"');
      expect(res.cookie).toBeUndefined();
      expect(await lastRefusal()).toEqual({ reason: 'break_glass', target: 'glass@corp.example' });
      const glass = await account('glass@corp.example');
      expect(glass!.role).toBe('admin');
      expect(glass!.disabled).toBe(false);
    }
    // Its group mapping to nothing does not disable it either.
    provider.local.people.find((p) => p.id === 'glass')!.groups = [];
    expect((await ssoSignIn('glass')).res.body).toContain('data-reason="break_glass"');
    expect((await account('glass@corp.example'))!.disabled).toBe(false);
    expect((await passwordLogin('glass@corp.example')).statusCode).toBe(303);
  });

  it('3b. binds the account to the provider’s sub; an address handed to someone else is refused', async () => {
    const keeper = await account('keeper@corp.example');
    const first = await ssoSignIn('keeper-1');
    expect(first.res.statusCode).toBe(303);
    const [bound] = await t.dataSource.query(
      'SELECT issuer, subject FROM sso_identity WHERE user_id = $1',
      [keeper!.id],
    );
    expect(bound).toEqual({ issuer: provider.issuer, subject: 'keeper-1' });

    // The provider gives the same verified address to another person (another sub).
    provider.local.people.push({
      id: 'keeper-2',
      email: 'keeper@corp.example',
      name: 'Someone Else',
      groups: ['hr-admins'],
    });
    const taken = await ssoSignIn('keeper-2');
    expect(taken.res.statusCode).toBe(403);
    expect(taken.res.body).toContain('data-reason="email_reassigned"');
    expect(taken.cookie).toBeUndefined();
    expect(await lastRefusal()).toEqual({
      reason: 'email_reassigned',
      target: 'keeper@corp.example',
    });
    expect((await account('keeper@corp.example'))!.role).toBe('lead');

    // The refusal page in every language.
    for (const locale of ['es', 'ja', 'fa']) {
      const catalogue = JSON.parse(
        readFileSync(join(process.cwd(), 'views', 'locales', `${locale}.json`), 'utf8'),
      ) as { sso: { refused: Record<string, { title: string }> } };
      const page = await ssoSignIn('keeper-2', { 'accept-language': locale });
      expect([locale, page.res.statusCode]).toEqual([locale, 403]);
      expect(page.res.body).toContain(catalogue.sso.refused.email_reassigned.title);
    }

    // The bound person keeps their account even when the provider changes their address.
    provider.local.people.find((p) => p.id === 'keeper-1')!.email = 'kim@corp.example';
    const renamed = await ssoSignIn('keeper-1');
    expect(renamed.res.statusCode).toBe(303);
    const [{ user_id }] = await t.dataSource.query(
      'SELECT user_id FROM user_session ORDER BY created_at DESC LIMIT 1',
    );
    expect(user_id).toBe(keeper!.id);
    expect(await account('kim@corp.example')).toBeNull();
  });

  it('3c. refuses a `sub` longer than OpenID allows (255) with a 400, nothing kept', async () => {
    const long = 's'.repeat(256);
    await t.get(AccountsService).invite(undefined, {
      email: 'long@corp.example',
      name: 'Long Sub',
      role: 'viewer',
      teamSlugs: [],
    });
    provider.local.people.push({
      id: long,
      email: 'long@corp.example',
      name: 'Long Sub',
      groups: ['it-leads'],
    });
    const res = await ssoSignIn(long);
    expect(res.res.statusCode).toBe(400);
    expect(res.res.body).toContain('data-reason="token_invalid"');
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM sso_identity WHERE length(subject) > 255',
    );
    expect(n).toBe(0);
  });

  it('3d. two people of the provider signing in at once for one unbound account: one gets it', async () => {
    await t.get(AccountsService).invite(undefined, {
      email: 'twin@corp.example',
      name: 'Twin',
      role: 'viewer',
      teamSlugs: [],
    });
    for (const id of ['twin-a', 'twin-b'])
      provider.local.people.push({
        id,
        email: 'twin@corp.example',
        name: id,
        groups: ['it-leads'],
      });
    const results = await Promise.all([ssoSignIn('twin-a'), ssoSignIn('twin-b')]);
    const statuses = results.map((r) => r.res.statusCode).sort();
    expect(statuses).toEqual([303, 403]);
    const refused = results.find((r) => r.res.statusCode === 403)!;
    expect(refused.res.body).toContain('data-reason="email_reassigned"');
    expect(refused.cookie).toBeUndefined();
    const twin = await account('twin@corp.example');
    const rows = await t.dataSource.query('SELECT subject FROM sso_identity WHERE user_id = $1', [
      twin!.id,
    ]);
    expect(rows).toHaveLength(1);
  });
});
