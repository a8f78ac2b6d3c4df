import { createHash, randomBytes } from 'node:crypto';
import { openJson, sealJson } from '../../src/common/crypto/sealing';
import { ApiTokensService } from '../../src/modules/accounts/api-tokens.service';
import { ReaderAccessService } from '../../src/modules/services/reader-access.service';
import { ServicesClock } from '../../src/modules/services/services-clock';
import { createEmployees, createTeam, formBody, sendQueuedMail, signIn } from '../factories';
import { createIntegration, deliver } from '../factories/webhooks';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * The service directory for employees (docs/directory.md): the chart, search in four languages,
 * a team's page (hours with a fixed clock, channels, standards, satisfaction, "you said, we did"),
 * bad input, and both access modes.
 */

const MINUTE = 60_000;
/** Wednesday 3 June 2026, 12:00 in Madrid (CEST, UTC+2). */
const WEDNESDAY_NOON_MADRID = new Date('2026-06-03T10:00:00Z');
/** Saturday 6 June 2026, 12:00 in Madrid. */
const SATURDAY_MADRID = new Date('2026-06-06T10:00:00Z');

async function profile(t: TestApp, slug: string, values: Record<string, unknown>) {
  const sets = Object.keys(values).map((column, i) => `${column} = $${i + 2}`);
  await t.dataSource.query(`UPDATE service_team SET ${sets.join(', ')} WHERE slug = $1`, [
    slug,
    ...Object.values(values).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
  ]);
}

async function seedDirectory(t: TestApp) {
  const it = await createTeam(t, 'IT Service Desk');
  const hr = await createTeam(t, 'People & HR');
  const madrid = await createTeam(t, 'Madrid Desk', it.slug);
  await profile(t, it.slug, {
    purpose: {
      en: { handles: 'Laptops, phones, accounts and passwords', excludes: 'Payslips and holidays' },
      es: { handles: 'Portátiles, teléfonos, cuentas y contraseñas', excludes: 'Nóminas' },
      ja: { handles: 'ノートＰＣ、スマートフォン、アカウント', excludes: '給与明細' },
      fa: { handles: 'لپ‌تاپ، تلفن همراه، حساب کاربری', excludes: 'فیش حقوقی' },
    },
    time_zone: 'Europe/Madrid',
    opening_hours: [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })),
    hours_exceptions: [{ date: '2026-06-08', label: 'Company holiday', closed: true }],
    contact_channels: [
      { kind: 'email', value: 'it@example.com' },
      { kind: 'phone', value: '+34 91 555 0100' },
      { kind: 'portal', value: 'https://help.example.com/it', label: { en: 'Help portal' } },
      { kind: 'chat', value: 'javascript:alert(1)' },
      { kind: 'desk', value: '<script>alert(1)</script> Floor 2' },
    ],
    first_response_target_minutes: '60',
    resolution_target_minutes: '480',
  });
  await profile(t, hr.slug, {
    purpose: {
      en: { handles: 'Payslips, contracts and holidays', excludes: '' },
      es: { handles: 'Nóminas, contratos y vacaciones', excludes: '' },
    },
    profile_locale: 'en',
  });
  return { it, hr, madrid };
}

describe('the service directory (SERVICES_ACCESS=network)', () => {
  let t: TestApp;
  let teams: Awaited<ReturnType<typeof seedDirectory>>;
  let clock: ServicesClock;

  beforeAll(async () => {
    t = await startTestApp();
    teams = await seedDirectory(t);
    clock = t.get(ServicesClock);
    clock.fix(WEDNESDAY_NOON_MADRID);
  }, 120_000);
  afterAll(() => t?.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.request({ method: 'GET', url, headers });

  it('draws the teams as a tree: boxes nested under their parent, under one root', async () => {
    const res = await get('/services');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="en" dir="ltr">');
    expect(res.body).toContain('class="org-tree"');
    const box = (slug: string) => res.body.indexOf(`data-slug="${slug}"`);
    expect(box(teams.it.slug)).toBeGreaterThan(-1);
    // Madrid's box sits in the list nested inside IT's item.
    const itItem = res.body.slice(
      box(teams.it.slug),
      box(teams.hr.slug) > box(teams.it.slug) ? box(teams.hr.slug) : undefined,
    );
    expect(itItem).toContain(`data-slug="${teams.madrid.slug}"`);
    expect(res.body).toContain('Laptops, phones, accounts and passwords');
    expect(res.body).toMatch(/badge-open">Open now · until 17:00</);
    // No signed-in navigation for an anonymous reader.
    expect(res.body).not.toContain('Sign out');
    expect(res.body).toContain('services.css');
  });

  it('searches purposes, and says where a thing is not handled and who handles it', async () => {
    const laptop = await get('/services?q=LAPTOP');
    expect(laptop.statusCode).toBe(200);
    const results = laptop.body.slice(
      laptop.body.indexOf('search-results'),
      laptop.body.indexOf('org-chart-section'),
    );
    expect(results).toContain(teams.it.name);
    expect(results).not.toContain(teams.hr.name);

    const payslip = await get('/services?q=payslip');
    const found = payslip.body.slice(
      payslip.body.indexOf('search-results'),
      payslip.body.indexOf('org-chart-section'),
    );
    expect(found).toMatch(new RegExp(`result handled">\\s*<a href="/services/${teams.hr.slug}">`));
    expect(found).toMatch(
      new RegExp(`result not-handled">\\s*<a href="/services/${teams.it.slug}">`),
    );
    expect(found).toContain('does not handle this');

    const none = await get('/services?q=%25_');
    expect(none.statusCode).toBe(200);
    expect(none.body).toContain('No team says it handles “%_”');
  });

  it('searches in Spanish without accents, Japanese by substring, Persian right-to-left', async () => {
    const es = await get('/services?lang=es&q=nomina');
    expect(es.body).toContain('<html lang="es" dir="ltr">');
    expect(es.body).toMatch(
      new RegExp(`result handled">\\s*<a href="/services/${teams.hr.slug}">`),
    );

    const ja = await get(`/services?lang=ja&q=${encodeURIComponent('スマート')}`);
    expect(ja.body).toContain('<html lang="ja" dir="ltr">');
    expect(ja.body).toMatch(
      new RegExp(`result handled">\\s*<a href="/services/${teams.it.slug}">`),
    );
    // HR wrote no Japanese: its English is shown, marked as English.
    expect(ja.body).toContain(
      '<span class="org-purpose" dir="auto" lang="en">Payslips, contracts and holidays</span>',
    );

    const fa = await get(`/services?lang=fa&q=${encodeURIComponent('لپ')}`);
    expect(fa.body).toContain('<html lang="fa" dir="rtl">');
    expect(fa.body).toMatch(
      new RegExp(`result handled">\\s*<a href="/services/${teams.it.slug}">`),
    );
    expect(fa.body).toContain('اکنون باز است');
  });

  it('chooses the language by ?lang=, then the cookie it sets, then Accept-Language; a bad lang is ignored', async () => {
    const chosen = await get('/services?lang=fa');
    const cookie = chosen.cookies.find((c) => c.name === 'inpulse_services_lang');
    expect(cookie?.value).toBe('fa');
    expect(cookie?.httpOnly).toBe(true);
    const again = await get('/services', {
      cookie: `inpulse_services_lang=fa`,
      'accept-language': 'ja',
    });
    expect(again.body).toContain('<html lang="fa" dir="rtl">');
    const negotiated = await get('/services', { 'accept-language': 'ja-JP,ja;q=0.9' });
    expect(negotiated.body).toContain('<html lang="ja" dir="ltr">');
    const bad = await get('/services?lang=xx%3Cscript%3E', { 'accept-language': 'es' });
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain('<html lang="es" dir="ltr">');
    expect(bad.cookies.find((c) => c.name === 'inpulse_services_lang')).toBeUndefined();
  });

  it('refuses a search that is too long with 400 and a clear message; a repeated q too', async () => {
    const long = await get(`/services?q=${'a'.repeat(101)}`);
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Search for at most 100 characters.');
    const es = await get(`/services?lang=es&q=${'a'.repeat(101)}`);
    expect(es.statusCode).toBe(400);
    expect(es.body).toContain('Busca con 100 caracteres como máximo.');
    const twice = await get('/services?q=a&q=b');
    expect(twice.statusCode).toBe(400);
  });

  it("refuses a team slug the directory's own pages take, writing nothing", async () => {
    for (const slug of ['access', 'pass']) {
      const res = await t.api({
        method: 'POST',
        url: '/api/v1/teams',
        payload: { slug, name: 'Shadowed' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('team.slug_reserved');
      expect(res.json().message).toContain(`/services/${slug}`);
    }
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM service_team WHERE slug IN ('access', 'pass')`,
    );
    expect(n).toBe(0);
  });

  it("shows a team's page: purpose, the week's hours in its zone, the holiday, open now", async () => {
    const res = await get(`/services/${teams.it.slug}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Laptops, phones, accounts and passwords');
    expect(res.body).toContain('Payslips and holidays');
    expect(res.body).toContain('Europe/Madrid');
    expect(res.body).toContain('Company holiday');
    expect(res.body).toMatch(/id="open-state">Open now · until 17:00</);
    expect(res.body).toContain(`href="/services/${teams.madrid.slug}"`);
    expect(res.body).toContain('id="review"');
    // The anonymous review request form of the reviews feature, posting to the team's review.
    expect(res.body).toContain(`action="/services/${teams.it.slug}/review"`);
    const madrid = await get(`/services/${teams.madrid.slug}`);
    expect(madrid.body).toContain(`href="/services/${teams.it.slug}"`);
  });

  it('says when a closed team opens next, skipping a holiday, with the clock fixed', async () => {
    clock.fix(SATURDAY_MADRID);
    try {
      const res = await get(`/services/${teams.it.slug}`);
      // Monday 8 June is a holiday: next opening Tuesday 09:00 Madrid time.
      expect(res.body).toMatch(/id="open-state">Closed · opens Tue,? 09:00</);
      const es = await get(`/services/${teams.it.slug}?lang=es`);
      expect(es.body).toMatch(/Cerrado · abre mar,? 9:00|Cerrado · abre mar,? 09:00/);
    } finally {
      clock.fix(WEDNESDAY_NOON_MADRID);
    }
  });

  it('links only mailto:, tel: and https: channels, never javascript:, and escapes what is stored', async () => {
    const res = await get(`/services/${teams.it.slug}`);
    expect(res.body).toContain('href="mailto:it@example.com"');
    expect(res.body).toContain('href="tel:+34915550100"');
    expect(res.body).toContain('href="https://help.example.com/it"');
    expect(res.body).toContain('Help portal');
    expect(res.body.toLowerCase()).not.toContain('href="javascript:');
    expect(res.body).toContain('<span class="channel-value">javascript:alert(1)</span>');
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Floor 2');
    // In the order given.
    const order = ['mailto:', 'tel:', 'https://help', 'javascript:alert', 'Floor 2'].map((s) =>
      res.body.indexOf(s),
    );
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows standards beside last month’s median and p90, or "too few tickets" below k', async () => {
    const integration = await createIntegration(t, 'generic', { defaultTeam: teams.it.slug });
    const may = Date.parse('2026-05-11T08:00:00Z');
    for (let i = 0; i < 6; i++) {
      const created = may + i * 24 * 60 * MINUTE;
      const resolved = new Date(created + (120 + i * 60) * MINUTE).toISOString();
      const res = await deliver(t, integration, {
        type: 'ticket.resolved',
        occurredAt: resolved,
        ticket: {
          id: `DIR-${i}`,
          requester: { email: 'someone@example.com' },
          createdAt: new Date(created).toISOString(),
          firstResponseAt: new Date(created + (20 + i * 4) * MINUTE).toISOString(),
          resolvedAt: resolved,
        },
      });
      expect(res.statusCode).toBe(202);
    }
    const res = await get(`/services/${teams.it.slug}`);
    const standards = res.body.slice(
      res.body.indexOf('id="standards"'),
      res.body.indexOf('id="satisfaction"'),
    );
    expect(standards).toContain('May 2026');
    // Targets 60 min and 8 h; first responses 20…40 min (median 30), resolutions 2…7 h.
    expect(standards).toMatch(/standard-first-response">[\s\S]*60 min[\s\S]*30 min/);
    expect(standards).toContain('8 h');
    expect(standards).not.toContain('Too few tickets');

    const hr = await get(`/services/${teams.hr.slug}`);
    const few = hr.body.slice(
      hr.body.indexOf('id="standards"'),
      hr.body.indexOf('id="satisfaction"'),
    );
    expect(few).toContain('No target set');
    expect(few.match(/Too few tickets that month to show \(fewer than 5\)/g)).toHaveLength(2);
  });

  it('withholds satisfaction without enough answers', async () => {
    const res = await get(`/services/${teams.hr.slug}`);
    const part = res.body.slice(
      res.body.indexOf('id="satisfaction"'),
      res.body.indexOf('id="you-said-we-did"'),
    );
    expect(part).toContain('Q1 2026');
    expect(part.match(/Not enough answers to show\./g)).toHaveLength(2);
    expect(part).not.toContain('nps-value');
  });

  it('shows published actions only, marking the untranslated ones', async () => {
    const insert = (heard: string, planned: string, published: boolean, extra = '') =>
      t.dataSource.query(
        `INSERT INTO team_action (team_id, heard, planned, locale, translations, status, done_on, published)
         VALUES ($1, $2, $3, 'en', $4, $5, $6, $7)`,
        [
          teams.it.id,
          heard,
          planned,
          extra === 'es'
            ? JSON.stringify({ es: { heard: 'Esperas largas', planned: 'Más personal' } })
            : '{}',
          extra === 'planned' ? 'planned' : 'done',
          extra === 'planned' ? null : '2026-05-20',
          published,
        ],
      );
    await insert('Long waits at the desk', 'More staff at lunchtime', true, 'es');
    await insert('Password resets are slow', 'Self-service resets', true);
    await insert('INTERNAL: the lead is overworked', 'INTERNAL plan', false);
    await insert('Planned only', 'Not started', true, 'planned');
    const en = await get(`/services/${teams.it.slug}`);
    expect(en.body).toContain('Long waits at the desk');
    expect(en.body).toContain('Self-service resets');
    expect(en.body).not.toContain('INTERNAL');
    expect(en.body).not.toContain('Not started');
    const es = await get(`/services/${teams.it.slug}?lang=es`);
    expect(es.body).toContain('Más personal');
    // The one without Spanish is shown in English, marked.
    expect(es.body).toMatch(
      /<li class="action" lang="en">[\s\S]*Self-service resets[\s\S]*Aún no está traducido/,
    );
  });

  it('answers an unknown team with 404 in the reader’s language', async () => {
    const res = await get('/services/no-such-team', { 'accept-language': 'es' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Equipo no encontrado');
    const odd = await get(`/services/${encodeURIComponent('<x>%00')}`);
    expect([400, 404]).toContain(odd.statusCode);
  });

  it('has no access pages in network mode: they lead to the directory', async () => {
    const res = await get('/services/access');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/services');
  });
});

describe('the service directory (SERVICES_ACCESS=link)', () => {
  let t: TestApp;
  let teams: Awaited<ReturnType<typeof seedDirectory>>;
  let employee: { email: string };

  beforeAll(async () => {
    t = await startTestApp({ SERVICES_ACCESS: 'link' });
    teams = await seedDirectory(t);
    [employee] = await createEmployees(t, 1, { locale: 'es' });
  }, 120_000);
  afterAll(() => t?.close());

  const get = (url: string, cookie = '') =>
    t.request({ method: 'GET', url, headers: cookie ? { cookie } : {} });

  async function accessForm() {
    const page = await get('/services/access');
    expect(page.statusCode).toBe(200);
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    return { nonce, csrf };
  }

  async function ask(email: string) {
    const { nonce, csrf } = await accessForm();
    return t.request({
      method: 'POST',
      url: '/services/access',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `inpulse_csrf=${nonce}`,
      },
      payload: formBody({ _csrf: csrf, email }),
    });
  }

  const jobs = async () =>
    (await t.dataSource.query(
      `SELECT data FROM pgboss.job WHERE name = 'services.pass' ORDER BY created_on`,
    )) as {
      data: { ref: string; sealed: string };
    }[];
  /** pg-boss's rows (jobs and archive) of the pass queue, as text. */
  const passJobsText = async () =>
    (
      (await t.dataSource.query(
        `SELECT data::text AS data FROM pgboss.job WHERE name = 'services.pass'
         UNION ALL SELECT data::text FROM pgboss.archive WHERE name = 'services.pass'`,
      )) as { data: string }[]
    )
      .map((r) => r.data)
      .join('\n');

  it('sends readers without a session or pass to the access page (303)', async () => {
    for (const url of ['/services', `/services/${teams.it.slug}`, '/services?q=laptop']) {
      const res = await get(url);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/services/access');
    }
    const forged = await get('/services', 'inpulse_services_pass=not-a-sealed-value');
    expect(forged.statusCode).toBe(303);
  });

  it('lets anyone signed in to inpulse read it', async () => {
    const viewer = await signIn(t, 'viewer');
    const res = await get('/services', viewer.cookie);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('class="org-tree"');
  });

  it('answers the same page whatever the address, and mails a link only to an active employee', async () => {
    const before = (await jobs()).length;
    const known = await ask(employee.email.toUpperCase());
    const unknown = await ask('nobody.here@example.com');
    expect(known.statusCode).toBe(303);
    expect(unknown.statusCode).toBe(303);
    expect(known.headers.location).toBe(unknown.headers.location);
    const pageAfter = async () =>
      (await get('/services/access?sent=1')).body.replace(/name="_csrf" value="[^"]+"/, '');
    expect(await pageAfter()).toEqual(await pageAfter());
    // The jobs do the looking up; their payloads hold the address sealed, all of one size.
    const queued = (await jobs()).slice(before);
    expect(queued).toHaveLength(2);
    const text = await passJobsText();
    for (const address of [employee.email, 'nobody.here', 'example.com'])
      expect(text.toLowerCase()).not.toContain(address.toLowerCase());
    expect(new Set(queued.map((j) => j.data.sealed.length)).size).toBe(1);
    const opened = queued.map(
      (j) =>
        openJson<{ email: string }>(
          TEST_APP_SECRET,
          'services-pass-request',
          Buffer.from(j.data.sealed, 'base64'),
        )?.email,
    );
    expect(opened.sort()).toEqual([employee.email.toLowerCase(), 'nobody.here@example.com'].sort());
    const access = t.get(ReaderAccessService);
    for (const job of queued) await access.runPassRequest(job.data);
    // Each job deleted itself: nothing of the requests is left in pg-boss, archive included.
    const refs = queued.map((j) => j.data.ref);
    const [{ n }] = await t.dataSource.query(
      `SELECT ((SELECT count(*) FROM pgboss.job WHERE name = 'services.pass' AND id = ANY($1::uuid[]))
             + (SELECT count(*) FROM pgboss.archive WHERE name = 'services.pass' AND id = ANY($1::uuid[])))::int AS n`,
      [refs],
    );
    expect(n).toBe(0);
    await sendQueuedMail(t);
    const mails: { to_address: string; subject: string; text: string }[] = await t.dataSource.query(
      `SELECT to_address, subject, text FROM outbox_message WHERE to_address IN ($1, $2)`,
      [employee.email.toLowerCase(), 'nobody.here@example.com'],
    );
    expect(mails.map((m) => m.to_address)).toEqual([employee.email.toLowerCase()]);
    expect(mails[0].subject).toBe('Tu enlace al directorio de servicios');
    // No address or employee id is stored with the pass.
    const columns: { column_name: string }[] = await t.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'services_reader_pass'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual([
      'created_at',
      'expires_at',
      'token_hash',
      'used_at',
    ]);
  });

  async function mailedToken(): Promise<string> {
    await t.get(ReaderAccessService).sendPass(employee.email);
    await sendQueuedMail(t);
    const [mail]: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1`,
      [employee.email.toLowerCase()],
    );
    return mail.text.match(/\/services\/pass\/([A-Za-z0-9_-]+)/)![1];
  }

  async function redeem(token: string) {
    const page = await get(`/services/pass/${token}`);
    if (page.statusCode !== 200) return page;
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    return t.request({
      method: 'POST',
      url: `/services/pass/${token}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `inpulse_csrf=${nonce}`,
      },
      payload: formBody({ _csrf: csrf }),
    });
  }

  it('turns a mailed link into a pass once: the cookie grants reading, the link then is gone', async () => {
    const token = await mailedToken();
    const opened = await redeem(token);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/services');
    const pass = opened.cookies.find((c) => c.name === 'inpulse_services_pass')!;
    expect(pass.httpOnly).toBe(true);
    expect(pass.path).toBe('/services');
    expect(pass.maxAge).toBe(14 * 86_400);
    // Sealed: nothing readable in it, no employee id or address.
    const sealed = Buffer.from(pass.value, 'base64url');
    expect(sealed.toString('latin1')).not.toContain('example');
    const content = openJson<Record<string, unknown>>(
      TEST_APP_SECRET,
      'services-reader-pass',
      sealed,
    );
    // A pass id (a server-side row naming nobody) and the expiry.
    expect(Object.keys(content ?? {}).sort()).toEqual(['e', 'p']);
    const res = await get(`/services/${teams.it.slug}`, `inpulse_services_pass=${pass.value}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Laptops, phones');

    const again = await get(`/services/pass/${token}`);
    expect(again.statusCode).toBe(410);
    // A replayed POST of the form is refused too.
    const replay = await redeem(token);
    expect(replay.statusCode).toBe(410);
    // Only its hash was stored.
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM services_reader_pass WHERE token_hash = $1 AND used_at IS NOT NULL`,
      [createHash('sha256').update(token).digest()],
    );
    expect(n).toBe(1);
  });

  it('refuses an expired link and an unknown one, and a pass past its expiry', async () => {
    const token = randomBytes(32).toString('base64url');
    await t.dataSource.query(
      `INSERT INTO services_reader_pass (token_hash, expires_at) VALUES ($1, now() - interval '1 minute')`,
      [createHash('sha256').update(token).digest()],
    );
    expect((await get(`/services/pass/${token}`)).statusCode).toBe(410);
    expect((await get(`/services/pass/${randomBytes(32).toString('base64url')}`)).statusCode).toBe(
      404,
    );

    const fresh = await mailedToken();
    const opened = await redeem(fresh);
    const pass = opened.cookies.find((c) => c.name === 'inpulse_services_pass')!.value;
    const clock = t.get(ServicesClock);
    clock.fix(new Date(Date.now() + 15 * 86_400_000));
    try {
      expect((await get('/services', `inpulse_services_pass=${pass}`)).statusCode).toBe(303);
    } finally {
      clock.fix(undefined);
    }
  });

  it('honours a pass only while its server-side row lives: an admin revokes all, audited', async () => {
    const pass = async () => {
      const opened = await redeem(await mailedToken());
      return opened.cookies.find((c) => c.name === 'inpulse_services_pass')!.value;
    };
    const first = await pass();
    const second = await pass();
    for (const p of [first, second])
      expect((await get('/services', `inpulse_services_pass=${p}`)).statusCode).toBe(200);
    // A well-sealed cookie whose id has no row (or no id at all, as passes before) is refused.
    const e = Date.now() + 86_400_000;
    for (const value of [{ p: '00000000-0000-4000-8000-000000000000', e }, { e }]) {
      const forged = sealJson(TEST_APP_SECRET, 'services-reader-pass', value).toString('base64url');
      expect((await get('/services', `inpulse_services_pass=${forged}`)).statusCode).toBe(303);
    }
    // Only the admin scope may revoke.
    const reader = (
      await t
        .get(ApiTokensService)
        .createApiToken(undefined, { name: 'dir', scopes: ['directory:write'] })
    ).value;
    const refused = await t.request({
      method: 'POST',
      url: '/api/v1/services/passes/revoke-all',
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(refused.statusCode).toBe(403);
    expect((await get('/services', `inpulse_services_pass=${first}`)).statusCode).toBe(200);
    const res = await t.api({ method: 'POST', url: '/api/v1/services/passes/revoke-all' });
    expect(res.statusCode).toBe(200);
    expect(res.json().revoked).toBeGreaterThanOrEqual(2);
    for (const p of [first, second])
      expect((await get('/services', `inpulse_services_pass=${p}`)).statusCode).toBe(303);
    const [audit] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'services.passes_revoked' ORDER BY at DESC LIMIT 1`,
    );
    expect(audit.details.revoked).toBe(res.json().revoked);
    // A new link gives a new pass that works.
    expect((await get('/services', `inpulse_services_pass=${await pass()}`)).statusCode).toBe(200);

    // The settings page's button: HR only.
    const third = await pass();
    const lead = await signIn(t, 'lead');
    const byLead = await t.request({
      method: 'POST',
      url: '/admin/settings/services-passes/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: lead.cookie },
      payload: formBody({ _csrf: lead.csrf }),
    });
    expect(byLead.statusCode).toBe(403);
    expect((await get('/services', `inpulse_services_pass=${third}`)).statusCode).toBe(200);
    const admin = await signIn(t, 'admin');
    const settings = await t.request({
      method: 'GET',
      url: '/admin/settings',
      headers: { cookie: admin.cookie },
    });
    expect(settings.body).toContain('action="/admin/settings/services-passes/revoke"');
    const byAdmin = await t.request({
      method: 'POST',
      url: '/admin/settings/services-passes/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(byAdmin.statusCode).toBe(303);
    expect(byAdmin.headers.location).toBe('/admin/settings?saved=1');
    expect((await get('/services', `inpulse_services_pass=${third}`)).statusCode).toBe(303);
    // No address or employee id is stored with a browser's pass either.
    const columns: { column_name: string }[] = await t.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'services_reader_session'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(['created_at', 'expires_at', 'id']);
  });

  it('refuses a malformed address with 400 and queues nothing; a forged form with 403', async () => {
    const before = (await jobs()).length;
    const bad = await ask('not an address');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter your work e-mail address');
    const forged = await t.request({
      method: 'POST',
      url: '/services/access',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ _csrf: 'x', email: employee.email }),
    });
    expect(forged.statusCode).toBe(403);
    expect((await jobs()).length).toBe(before);
  });

  it('rate-limits asking for links for one address', async () => {
    const address = `limited.${randomBytes(3).toString('hex')}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await ask(address)).statusCode);
    expect(statuses).toEqual([303, 303, 303, 429]);
  });
});
