import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { SsoSettingsService } from '../../src/modules/sso/sso-settings.service';
import {
  EMPLOYEE_COOKIE,
  EMPLOYEE_COOKIE_PATHS,
} from '../../src/modules/employees/employee-sessions.service';
import { createTeam, signIn } from '../factories';
import { startTestProvider, type TestProvider } from '../setup/oidc-provider';
import { startTestApp, type TestApp } from '../setup/test-app';
import { PATCH_OP, scimClient } from './scim-helpers';

/**
 * Employees sign in through the identity provider (docs/sso.md, "Employees"): someone with no
 * staff account and no mapped group, whose verified address is an active employee's, gets an
 * employee session (the cookie of /me and /services, never a staff session) and lands on "my
 * surveys"; anyone else gets the usual refusal page.
 */
describe('employees sign in through the identity provider', () => {
  let provider: TestProvider;
  let t: TestApp;
  const employee = { email: 'emp@corp.example', name: 'Emma Employee' };
  const leaver = { email: 'leaver@corp.example', name: 'Gone' };
  const moved = { email: 'moved@corp.example', name: 'Moved' };
  const lead = { email: 'lead@corp.example', name: 'Leo Lead' };

  beforeAll(async () => {
    provider = await startTestProvider([
      { id: 'emp', email: employee.email, name: employee.name, groups: ['staff'] },
      { id: 'leaver', email: leaver.email, name: leaver.name, groups: [] },
      { id: 'stranger', email: 'stranger@corp.example', name: 'Stranger', groups: [] },
      { id: 'moved', email: 'moved.new@corp.example', name: 'Moved', groups: [] },
      { id: 'lead', email: lead.email, name: lead.name, groups: ['it-leads'] },
    ]);
    t = await startTestApp(provider.env);
    const directory = t.get(DirectoryService);
    await directory.importCsv(
      ['email,name', ...[employee, leaver, moved, lead].map((p) => `${p.email},${p.name}`)].join(
        '\n',
      ),
    );
    await directory.setActive((await directory.findByEmail(leaver.email))!.id, false, undefined);
    const it1 = await createTeam(t, 'IT');
    const admin = await signIn(t, 'admin');
    // The lead is an employee too, with a staff account: their mapped group makes them staff.
    await t.get(AccountsService).invite(undefined, {
      email: lead.email,
      name: lead.name,
      role: 'viewer',
      teamSlugs: [it1.slug],
    });
    await t.get(SsoSettingsService).addRule(
      {
        kind: 'user',
        id: admin.userId,
        email: admin.email,
        name: 'A',
        role: 'admin',
        csrfToken: '',
      },
      { groupName: 'it-leads', role: 'lead', teamSlug: it1.slug },
      { ip: '127.0.0.1' },
    );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  async function ssoSignIn(login: string, next = '/me/surveys') {
    const start = await t.request({
      method: 'GET',
      url: `/sso/start?next=${encodeURIComponent(next)}`,
    });
    expect(start.statusCode).toBe(303);
    const state = start.cookies.find((c) => c.name === 'inpulse_sso_state')!.value;
    const back = await provider.signIn(String(start.headers.location), login);
    return t.request({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: `inpulse_sso_state=${state}` },
    });
  }

  async function auditNaming(email: string): Promise<number> {
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE target = $1 OR details::text LIKE $2`,
      [email, `%${email}%`],
    );
    return n;
  }

  it('offers the provider on the employee sign-in page', async () => {
    const page = await t.request({ method: 'GET', url: '/me/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/sso/start?next=%2Fme%2Fsurveys"');
  });

  it('signs an active employee in by redirects and lands on "my surveys"', async () => {
    const [{ n: sessionsBefore }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM user_session`,
    );
    const namingBefore = await auditNaming(employee.email);
    const res = await ssoSignIn('emp');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/me/surveys');
    // An employee cookie on /me and /services only; no staff session.
    const cookies = res.cookies.filter((c) => c.name === EMPLOYEE_COOKIE);
    expect(cookies.map((c) => c.path).sort()).toEqual([...EMPLOYEE_COOKIE_PATHS].sort());
    expect(res.cookies.find((c) => c.name === 'inpulse_session')).toBeUndefined();
    const [{ n: sessionsAfter }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM user_session`,
    );
    expect(sessionsAfter).toBe(sessionsBefore);
    const page = await t.request({
      method: 'GET',
      url: '/me/surveys',
      headers: { cookie: `${EMPLOYEE_COOKIE}=${cookies[0].value}` },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Hello ${employee.name}.`);
    // Nothing in the audit log names the employee (the mailed link audits nothing either).
    expect(await auditNaming(employee.email)).toBe(namingBefore);
  });

  it('goes back to a page of /services or /me, never elsewhere', async () => {
    const back = await ssoSignIn('emp', '/services?q=it');
    expect(back.headers.location).toBe('/services?q=it');
    const elsewhere = await ssoSignIn('emp', '/admin/sso');
    expect(elsewhere.headers.location).toBe('/me/surveys');
  });

  it('refuses an unknown address and a deactivated employee with the no-mapping page', async () => {
    for (const login of ['stranger', 'leaver']) {
      const res = await ssoSignIn(login);
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('sso-refused');
      expect(res.cookies.find((c) => c.name === EMPLOYEE_COOKIE)).toBeUndefined();
    }
  });

  it('refuses an employee whose address changed lately (the takeover by address change)', async () => {
    const scim = await scimClient(t);
    const id = (await t.get(DirectoryService).findByEmail(moved.email))!.id;
    const patched = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'userName', value: 'moved.new@corp.example' }],
    });
    expect(patched.statusCode).toBe(200);
    const res = await ssoSignIn('moved');
    expect(res.statusCode).toBe(403);
    expect(res.cookies.find((c) => c.name === EMPLOYEE_COOKIE)).toBeUndefined();
  });

  it('still signs staff in as staff (a mapped group wins)', async () => {
    const res = await ssoSignIn('lead', '/');
    expect(res.statusCode).toBe(303);
    expect(res.cookies.find((c) => c.name === 'inpulse_session')).toBeDefined();
    expect(res.cookies.find((c) => c.name === EMPLOYEE_COOKIE)).toBeUndefined();
  });
});
