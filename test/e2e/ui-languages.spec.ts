import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createEmployees, createTeam, formBody, signIn } from '../factories';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';
import { untranslatedRuns } from '../setup/untranslated';

type Session = Awaited<ReturnType<typeof signIn>>;

const catalogue = (code: string) =>
  JSON.parse(readFileSync(join(process.cwd(), 'views', 'locales', `${code}.json`), 'utf8'));
const english = catalogue('en');
const persian = catalogue('fa');

/** The language of signed-in pages (issue 15, item 1): the switch, its fallbacks, the admin pages. */
describe('languages of signed-in pages', () => {
  let t: TestApp;
  let admin: Session;
  let teamName: string;
  let integrationIds: string[];
  let setupToken: string;
  let pages: string[];

  beforeAll(async () => {
    t = await startTestApp();
    teamName = (await createTeam(t, 'Helpdesk')).name;
    admin = await signIn(t, 'admin');
    await createEmployees(t, 2);
    integrationIds = [];
    for (const kind of ['jira', 'zendesk', 'servicenow', 'freshservice', 'generic']) {
      const res = await post(admin, '/admin/integrations', {
        kind,
        name: `Desk${kind}`,
        defaultTeam: (await teamSlug()) ?? '',
        ...(kind === 'zendesk' ? { signingSecret: 'zendesk-secret-0123456789' } : {}),
      });
      expect(res.statusCode).toBe(303);
      integrationIds.push(String(res.headers.location).split('/').pop()!);
    }
    // A token used once, so that the tokens page shows a time.
    await t.api({ method: 'GET', url: '/api/v1/audit?limit=1' });
    const { link } = await t.get(AccountsService).invite(undefined, {
      email: 'newcomer@example.com',
      name: 'Newcomer',
      role: 'viewer',
      teamSlugs: [],
    });
    setupToken = link.split('/account/setup/')[1];
    pages = [
      '/admin/users',
      '/admin/tokens',
      '/admin/employees',
      '/admin/integrations',
      ...integrationIds.map((id) => `/admin/integrations/${id}`),
      '/admin/audit',
      '/admin/settings',
      '/admin/mail',
      '/outbox',
      '/account/password',
    ];
  });
  afterAll(() => t.close());

  async function teamSlug(): Promise<string | undefined> {
    const [row] = await t.dataSource.query('SELECT slug FROM service_team WHERE name = $1', [
      'Helpdesk',
    ]);
    return row?.slug;
  }

  function post(session: Session, url: string, fields: Record<string, string>) {
    return t.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: formBody({ _csrf: session.csrf, ...fields }),
    });
  }

  const get = (session: Session, url: string, headers: Record<string, string> = {}) =>
    t.request({ method: 'GET', url, headers: { cookie: session.cookie, ...headers } });

  const choose = (session: Session, locale: string, next = '/admin/users') =>
    post(session, '/account/language', { locale, next });

  const savedLocale = async (session: Session) =>
    (await t.dataSource.query('SELECT locale FROM app_user WHERE id = $1', [session.userId]))[0]
      .locale as string | null;

  const navOf = (html: string) => html.match(/<nav aria-label="[^"]*">[\s\S]*?<\/nav>/)?.[0] ?? '';

  it('saves the choice of the switch (with the form’s CSRF token) and pages follow it', async () => {
    const lead = await signIn(t, 'lead');
    const refused = await t.request({
      method: 'POST',
      url: '/account/language',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: lead.cookie },
      payload: formBody({ locale: 'ja', next: '/' }),
    });
    expect(refused.statusCode).toBe(403);
    expect(await savedLocale(lead)).toBeNull();

    const res = await choose(lead, 'ja', '/account/password');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/password');
    expect(await savedLocale(lead)).toBe('ja');
    // The saved choice wins over the browser's language.
    const page = await get(lead, '/account/password', { 'accept-language': 'es' });
    expect(page.body).toContain('<html lang="ja" dir="ltr">');
    expect(page.body).toContain('パスワードを変更する');
  });

  it('goes back to the browser’s language with auto', async () => {
    const lead = await signIn(t, 'lead');
    await choose(lead, 'fa');
    expect((await get(lead, '/account/password')).body).toContain('<html lang="fa" dir="rtl">');
    const res = await choose(lead, 'auto', '/account/password');
    expect(res.statusCode).toBe(303);
    expect(await savedLocale(lead)).toBeNull();
    const cleared = res.cookies.find((c) => c.name === 'inpulse_lang');
    expect(cleared?.value ?? '').toBe('');
    const page = await get(lead, '/account/password', { 'accept-language': 'es-MX,es;q=0.9' });
    expect(page.body).toContain('<html lang="es" dir="ltr">');
    expect(page.body).toContain('Cambia tu contraseña');
    const none = await get(lead, '/account/password');
    expect(none.body).toContain('<html lang="en" dir="ltr">');
  });

  it('answers an unknown language with a 400 that names it, and saves nothing', async () => {
    const lead = await signIn(t, 'lead');
    await choose(lead, 'es');
    const res = await choose(lead, 'klingon');
    expect(res.statusCode).toBe(400);
    // The page is in the person's language and says which codes exist.
    expect(res.body).toContain('<html lang="es"');
    expect(res.body).toContain('Idioma desconocido «klingon»');
    expect(res.body).toContain('en, es, fa, ja');
    expect(await savedLocale(lead)).toBe('es');
    const json = await t.request({
      method: 'POST',
      url: '/account/language',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        cookie: lead.cookie,
      },
      payload: formBody({ _csrf: lead.csrf, locale: 'xx' }),
    });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ error: 'account.invalid' });
  });

  it('lets someone signed out choose with a cookie, and only goes back to local paths', async () => {
    const res = await t.request({ method: 'GET', url: '/language?lang=fa&next=/login' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    const cookie = res.cookies.find((c) => c.name === 'inpulse_lang');
    expect(cookie?.value).toBe('fa');
    for (const next of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'login'])
      expect(
        (
          await t.request({
            method: 'GET',
            url: `/language?lang=fa&next=${encodeURIComponent(next)}`,
          })
        ).headers.location,
      ).toBe('/');
    const unknown = await t.request({ method: 'GET', url: '/language?lang=xx&next=/login' });
    expect(unknown.cookies.find((c) => c.name === 'inpulse_lang')).toBeUndefined();

    const login = await t.request({
      method: 'GET',
      url: '/login',
      headers: { cookie: 'inpulse_lang=fa', 'accept-language': 'ja' },
    });
    expect(login.body).toContain('<html lang="fa" dir="rtl">');
    expect(login.body).toContain(persian.account.login.title);
    // The language links of the signed-out header, the current one marked.
    for (const code of ['en', 'es', 'fa', 'ja'])
      expect(login.body).toContain(`href="/language?lang=${code}&amp;next=%2Flogin"`);
    expect(login.body).toMatch(/hreflang="fa" aria-current="true">فارسی</);
  });

  it('renders every admin page in Persian, right to left, with no English navigation left', async () => {
    await choose(admin, 'fa');
    const englishNav = Object.entries(english.nav as Record<string, string>)
      .filter(([key]) => !['tokens'].includes(key))
      .map(([, label]) => label);
    for (const url of pages) {
      const res = await get(admin, url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect({ url, html: res.body.slice(0, 60) }).toEqual({
        url,
        html: expect.stringContaining('<html lang="fa" dir="rtl">'),
      });
      const nav = navOf(res.body);
      expect(nav).toContain(persian.nav.sign_out);
      const left = englishNav.filter((label) => nav.includes(`>${label}<`));
      expect({ url, left }).toEqual({ url, left: [] });
      expect({ url, runs: untranslatedRuns(nav, { allow: ['A admin'] }) }).toEqual({
        url,
        runs: [],
      });
    }
    const setup = await t.request({
      method: 'GET',
      url: `/account/setup/${setupToken}`,
      headers: { cookie: 'inpulse_lang=fa' },
    });
    expect(setup.body).toContain('<html lang="fa" dir="rtl">');
    expect(setup.body).toContain(persian.account.setup.title);
    const missing = await get(admin, '/admin/integrations/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<html lang="fa" dir="rtl">');
    expect(missing.body).toContain(persian.errors.title_404);
  });

  it('leaves no English text on these pages in Japanese (outside names and the test’s data)', async () => {
    await choose(admin, 'ja');
    const subjects: string[] = (
      await t.dataSource.query('SELECT DISTINCT subject FROM outbox_message')
    ).map((r: { subject: string }) => r.subject);
    const allow = [/A (admin|lead)/, teamName, /Person \d+/, /Desk\w+/, ...subjects];
    for (const url of pages) {
      const res = await get(admin, url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect({ url, runs: untranslatedRuns(res.body, { allow }) }).toEqual({ url, runs: [] });
    }
    for (const url of ['/login', `/account/setup/${setupToken}`]) {
      const res = await t.request({ method: 'GET', url, headers: { cookie: 'inpulse_lang=ja' } });
      expect({ url, runs: untranslatedRuns(res.body) }).toEqual({ url, runs: [] });
    }
    const missing = await get(admin, '/admin/integrations/00000000-0000-4000-8000-000000000000');
    expect(untranslatedRuns(missing.body, { allow })).toEqual([]);
  });

  it('the checker itself finds English left in a page', () => {
    const html =
      '<p>保存しました。</p><button>Sign out</button><code>auth.login failed now</code>' +
      '<input placeholder="any one"><p>Jira Service Management · ops@example.com</p>';
    expect(untranslatedRuns(html).map((r) => r.split('  ')[0])).toEqual(['any one', 'Sign out']);
  });

  it('shows a refused form’s error in the page’s language, by its code', async () => {
    await choose(admin, 'fa');
    const taken = await post(admin, '/admin/users', {
      email: 'newcomer@example.com',
      name: 'Again',
      role: 'viewer',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('<html lang="fa" dir="rtl">');
    expect(taken.body).toContain('حسابی برای newcomer@example.com از قبل وجود دارد.');
    expect(taken.body).not.toContain('already exists');
    // The JSON API keeps its English message and code.
    const api = await t.api({
      method: 'GET',
      url: '/api/v1/integrations/00000000-0000-4000-8000-000000000000',
      headers: { 'accept-language': 'fa' },
    });
    expect(api.json()).toMatchObject({ error: 'integration.not_found' });
    expect(api.json().message).toMatch(/^No integration/);

    const short = await post(admin, '/account/password', {
      current: TEST_PASSWORD,
      password: 'short',
      confirm: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('گذرواژه باید دست‌کم 12 نویسه باشد.');

    const settings = await post(admin, '/admin/settings', { days: 'a week' });
    expect(settings.statusCode).toBe(400);
    expect(settings.body).toContain('عدد صحیح از ۰ (بدون سقف) تا 365');
  });

  it('words a refused integration in the page’s language, by its code and its problems', async () => {
    await choose(admin, 'fa');
    const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM integration'))[0].n;
    const res = await post(admin, '/admin/integrations', {
      kind: 'generic',
      name: '',
      defaultTeam: (await teamSlug()) ?? '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<html lang="fa" dir="rtl">');
    expect(res.body).toContain(
      'role="alert">یکپارچه‌سازی معتبر نیست: نام باید ۱ تا ۲۰۰ نویسه و در یک سطر باشد.',
    );
    expect(res.body).not.toContain('The integration is not valid');
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM integration'))[0].n).toBe(
      before,
    );
  });

  it('sends the invitation in the language chosen for the invited person, else the admin’s', async () => {
    await choose(admin, 'fa');
    const subjectTo = async (email: string) =>
      (
        await t.dataSource.query('SELECT subject, text FROM outbox_message WHERE to_address = $1', [
          email,
        ])
      )[0] as { subject: string; text: string };
    const chosen = await post(admin, '/admin/users', {
      email: 'kenji@example.com',
      name: 'Kenji',
      role: 'lead',
      locale: 'ja',
    });
    expect(chosen.statusCode).toBe(303);
    const ja = await subjectTo('kenji@example.com');
    expect(ja.subject).toBe('inpulse に招待されました');
    expect(ja.text).toContain('「リーダー」');
    expect(ja.text).toMatch(/\/account\/setup\/[\w-]+/);
    const defaulted = await post(admin, '/admin/users', {
      email: 'sara@example.com',
      name: 'Sara',
      role: 'viewer',
    });
    expect(defaulted.statusCode).toBe(303);
    const fa = await subjectTo('sara@example.com');
    expect(fa.subject).toBe(persian.account.invite_mail.subject);
    expect(fa.text).toContain('بیننده');
  });

  it('shows times in the person’s time zone, in their language', async () => {
    await choose(admin, 'es');
    await t.dataSource.query(`UPDATE app_user SET time_zone = 'Asia/Tokyo' WHERE id = $1`, [
      admin.userId,
    ]);
    await t.dataSource.query(
      `INSERT INTO audit_event (action, target, at) VALUES ('zone.check', 'zone-target', '2026-03-02 23:30:00+00')`,
    );
    const res = await get(admin, '/admin/audit?user=&action=zone.check&from=&to=');
    expect(res.statusCode).toBe(200);
    // 23:30 UTC on 2 March is 08:30 on 3 March in Tokyo.
    expect(res.body).toMatch(/3 mar 2026, 8:30/);
    expect(res.body).toContain('Las horas están en Asia/Tokyo.');
    await t.dataSource.query(`UPDATE app_user SET time_zone = NULL WHERE id = $1`, [admin.userId]);
  });
});
