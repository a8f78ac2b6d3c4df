import { signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The audit log's filter, by who (part of an e-mail or name), action prefix and days, on the
 * page (with what its form sends: every field, empty ones too) and in the API.
 */
describe('the audit log filter', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let zoe: string;
  let yann: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await signIn(t, 'admin');
    const user = async (email: string, name: string) => {
      const [{ id }] = await t.dataSource.query(
        `INSERT INTO app_user (email, name, role) VALUES ($1, $2, 'viewer') RETURNING id`,
        [email, name],
      );
      return id as string;
    };
    zoe = await user('zoe.quartz@example.com', 'Zoë Quartz');
    yann = await user('yann.ember@example.com', 'Yann Ember');
    // Entries on known days (UTC), so that the day filter has edges to test.
    const entries: [string, string, string, string][] = [
      [zoe, 'auth.login', 'zoe-login-1', '2026-03-01 00:00:00+00'],
      [zoe, 'auth.login_failed', 'zoe-failed', '2026-03-02 23:59:59+00'],
      [zoe, 'report.exported', 'zoe-export', '2026-03-03 12:00:00+00'],
      [yann, 'auth.login', 'yann-login', '2026-03-02 08:00:00+00'],
      [yann, 'auth.logout', 'yann-logout', '2026-03-04 00:00:00+00'],
      [yann, 'authx.weird', 'yann-authx', '2026-03-02 09:00:00+00'],
    ];
    for (const [actor, action, target, at] of entries)
      await t.dataSource.query(
        `INSERT INTO audit_event (actor_user_id, action, target, at) VALUES ($1, $2, $3, $4)`,
        [actor, action, target, at],
      );
  });
  afterAll(() => t.close());

  /** The targets of the entries the API lists for `query`, sorted. */
  const apiTargets = async (query: string) => {
    const res = await t.api({ method: 'GET', url: `/api/v1/audit?${query}` });
    expect({ query, status: res.statusCode, body: res.json() }).toEqual({
      query,
      status: 200,
      body: expect.anything(),
    });
    return (res.json().items as { target: string }[])
      .map((i) => i.target)
      .filter((target) => /^(zoe|yann)-/.test(target))
      .sort();
  };

  /** What the page's form sends: every field, in order, empty ones as `name=`. */
  const formQuery = (fields: { user?: string; action?: string; from?: string; to?: string }) =>
    new URLSearchParams({
      user: fields.user ?? '',
      action: fields.action ?? '',
      from: fields.from ?? '',
      to: fields.to ?? '',
    }).toString();
  const page = (query: string) =>
    t.request({ method: 'GET', url: `/admin/audit?${query}`, headers: { cookie: admin.cookie } });
  const pageTargets = (body: string) =>
    [...body.matchAll(/<td><code>((?:zoe|yann)-[a-z0-9-]+)<\/code><\/td>/g)]
      .map((m) => m[1])
      .sort();

  it('on the page: an action chosen and the other fields left empty, as the form sends them', async () => {
    const res = await page(formQuery({ action: 'auth.login' }));
    expect(res.statusCode).toBe(200);
    expect(pageTargets(res.body)).toEqual(['yann-login', 'zoe-failed', 'zoe-login-1']);
    // The form keeps what was chosen, and offers whole families of actions.
    expect(res.body).toContain('<option value="auth.login" selected>');
    expect(res.body).toContain('<option value="auth.">auth.…</option>');
  });

  it('on the page: part of an e-mail or a name, a family of actions and a range of days', async () => {
    let res = await page(formQuery({ user: 'ZOE.QU' }));
    expect(res.statusCode).toBe(200);
    expect(pageTargets(res.body)).toEqual(['zoe-export', 'zoe-failed', 'zoe-login-1']);
    expect(res.body).toContain('value="ZOE.QU"');

    res = await page(
      formQuery({ user: 'ember', action: 'auth.', from: '2026-03-02', to: '2026-03-03' }),
    );
    expect(res.statusCode).toBe(200);
    expect(pageTargets(res.body)).toEqual(['yann-login']);
    expect(res.body).toContain('value="2026-03-02"');
    expect(res.body).toContain('<option value="auth." selected>');

    res = await page(formQuery({ user: 'nobody-has-this' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nothing matches this filter.');
  });

  it('on the page: a bad value shows the form again with what is wrong, answered 400', async () => {
    const res = await page(formQuery({ from: '2026-02-30', to: '2026-01-01' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    expect(res.body).toContain(
      'From &quot;2026-02-30&quot; does not exist: February 2026 has 28 days.',
    );
    expect(res.body).toContain('id="audit-from" name="from" type="date" value="2026-02-30"');
    expect(pageTargets(res.body)).toEqual([]);

    const backwards = await page(formQuery({ from: '2026-03-04', to: '2026-03-01' }));
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain('To (2026-03-01) is before from (2026-03-04).');
  });

  it('in the API: who, action prefix and days, each alone and together; empty fields mean any', async () => {
    expect(await apiTargets('user=zoe.quartz@example.com')).toEqual([
      'zoe-export',
      'zoe-failed',
      'zoe-login-1',
    ]);
    expect(await apiTargets('user=Yann%20E')).toEqual(['yann-authx', 'yann-login', 'yann-logout']);
    expect(await apiTargets(`user=${zoe}`)).toEqual(['zoe-export', 'zoe-failed', 'zoe-login-1']);
    // "auth." is a prefix with its dot: authx.weird is not in it.
    expect(await apiTargets('action=auth.')).toEqual([
      'yann-login',
      'yann-logout',
      'zoe-failed',
      'zoe-login-1',
    ]);
    // An underscore is itself, not "any character".
    expect(await apiTargets('action=auth.login_')).toEqual(['zoe-failed']);
    // Both ends of the range are whole days in UTC, included.
    expect(await apiTargets('from=2026-03-02&to=2026-03-02')).toEqual([
      'yann-authx',
      'yann-login',
      'zoe-failed',
    ]);
    expect(await apiTargets('from=2026-03-04')).toEqual(['yann-logout']);
    expect(await apiTargets('to=2026-03-01')).toEqual(['zoe-login-1']);
    expect(await apiTargets('user=zoe&action=auth.&from=2026-03-02')).toEqual(['zoe-failed']);
    expect(await apiTargets(formQuery({ action: 'report.' }))).toEqual(['zoe-export']);
    expect(await apiTargets(formQuery({}))).toHaveLength(6);
    // LIKE's own characters are taken literally, and SQL is only text to look for.
    expect(await apiTargets('user=%25')).toEqual([]);
    expect(await apiTargets(`user=${encodeURIComponent("' OR 1=1 --")}`)).toEqual([]);
    // Who is also an API token's name, as the page's "Who" column shows it.
    await t.dataSource.query(
      `INSERT INTO audit_event (actor_token_id, action, target)
       SELECT id, 'report.exported', 'token-export' FROM api_token WHERE name = 'tests'`,
    );
    const byToken = await t.api({ method: 'GET', url: '/api/v1/audit?user=TEST' });
    expect(byToken.json().items.map((i: { target: string }) => i.target)).toEqual(['token-export']);
  });

  it('in the API: a bad value is a 400 that says what is wrong', async () => {
    for (const [query, problem] of [
      ['from=2026-02-30', 'from "2026-02-30" does not exist: February 2026 has 28 days'],
      ['to=yesterday', 'to must be a date in the form YYYY-MM-DD'],
      ['from=2026-03-04&to=2026-03-01', 'to (2026-03-01) is before from (2026-03-04)'],
      ['action=AUTH', 'action must be letters, dots and underscores'],
      [`user=${'x'.repeat(321)}`, 'user must be at most 320 characters'],
      ['user=a&user=b', 'user must be a single text'],
      ['colour=red', 'property colour should not exist'],
    ]) {
      const res = await t.api({ method: 'GET', url: `/api/v1/audit?${query}` });
      expect({ query, status: res.statusCode, message: res.json().message }).toEqual({
        query,
        status: 400,
        message: expect.stringContaining(problem),
      });
    }
  });
});
