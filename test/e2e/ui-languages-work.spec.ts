import { addDays, todayIn } from '../../src/modules/actions/action-dates';
import { ActionRemindersService } from '../../src/modules/actions/action-reminders.service';
import {
  createCampaign,
  createEmployees,
  createTeam,
  formBody,
  sendQueuedMail,
  signIn,
} from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

type Session = Awaited<ReturnType<typeof signIn>>;

/**
 * HR's and leads' working pages (campaigns, actions, follow-ups, the team profile) and their
 * mails in the person's language: Persian right to left, no English left in Japanese or Persian,
 * refused forms worded in Spanish and Japanese, the action reminder in its owner's language.
 */

/** Words that stay as they are in every language: product and standard names. */
const KEPT = [
  'inpulse',
  'iNPS',
  'eNPS',
  'NPS',
  'CSAT',
  'API',
  'CSV',
  'RRULE',
  'IANA',
  'HH:MM',
  'YYYY-MM-DD',
  'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1',
  'Europe/Madrid',
  'Asia/Tokyo',
  'Asia/Tehran',
  'UTC',
];

/**
 * The text nodes of a page (scripts, styles and tags left out, entities decoded) that still hold
 * a run of two or more English words, once product names, URLs, e-mail addresses and the test's
 * own data are taken out.
 */
function englishLeft(html: string, data: string[]): string[] {
  const body = html
    .replace(/<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<datalist[\s\S]*?<\/datalist>/gi, ' ');
  const texts = body
    .split(/<[^>]*>/)
    .map((s) =>
      s
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#x27;/g, '’')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .trim(),
    )
    .filter(Boolean);
  const found: string[] = [];
  for (const text of texts) {
    let rest = text.replace(/https?:\/\/\S+/g, ' ').replace(/[\w.+-]+@[\w.-]+/g, ' ');
    for (const kept of [...data, ...KEPT]) rest = rest.split(kept).join(' ');
    const run = /\b[A-Za-z][A-Za-z’'-]*(?:[ \t]+[A-Za-z][A-Za-z’'-]*)+/.exec(rest);
    if (run) found.push(`${run[0]}  ←  ${text}`);
  }
  return found;
}

describe('working pages and mails in the person’s language', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let team: { slug: string; id: string };
  let admin: Session;
  let lead: Session;
  let campaignId: string;
  let actionId: string;
  // The test's own data, as people typed it: not the app's words.
  const data: string[] = [];

  const form = (cookie: string) => ({
    'content-type': 'application/x-www-form-urlencoded',
    cookie,
  });
  const get = (who: Session, url: string) =>
    t.request({ method: 'GET', url, headers: { cookie: who.cookie } });
  const post = (who: Session, url: string, fields: Record<string, string | string[]>) =>
    t.request({
      method: 'POST',
      url,
      headers: form(who.cookie),
      payload: formBody({ _csrf: who.csrf, ...fields }),
    });
  /** The switch in the header: saved on the account. */
  const speak = async (who: Session, locale: string) => {
    const res = await post(who, '/account/language', { locale, next: '/' });
    expect(res.statusCode).toBe(303);
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url });
    team = await createTeam(t, 'サービスデスク');
    await createEmployees(t, 4, { department: 'Ventas' });
    admin = await signIn(t, 'admin');
    lead = await signIn(t, 'lead', [team.slug]);
    data.push('A admin', 'A lead', 'サービスデスク', 'Ventas', 'Madrid', 'Engineering');
    const campaign = await createCampaign(t, {
      name: 'Pulso mensual',
      teamSlugs: [team.slug],
      reportingThreshold: 5,
    });
    campaignId = campaign.id;
    // The campaign's questionnaire is stored with the template's name: data, as HR may rename it.
    data.push('Pulso mensual', 'Internal service pulse');
    const created = await t.api({
      method: 'POST',
      url: `/api/v1/teams/${team.slug}/actions`,
      payload: {
        heard: 'Las esperas son largas.',
        planned: 'Responder en cuatro horas.',
        locale: 'es',
        ownerId: lead.userId,
        dueOn: addDays(todayIn(t.config.organisationTimeZone), 2),
        status: 'in_progress',
      },
    });
    expect(created.statusCode).toBe(201);
    actionId = created.json().id;
    data.push('Las esperas son largas.', 'Responder en cuatro horas.');
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const pagesOf = () => ({
    admin: [
      '/campaigns',
      '/campaigns/new',
      `/campaigns/${campaignId}`,
      `/campaigns/${campaignId}/archive`,
      '/actions',
      '/follow-ups',
    ],
    lead: [
      `/teams/${team.slug}/actions`,
      `/teams/${team.slug}/actions/new`,
      `/teams/${team.slug}/actions/${actionId}/edit`,
      `/teams/${team.slug}/profile`,
      '/follow-ups',
      '/actions',
    ],
  });

  it.each(['fa', 'ja'])('shows every page in %s, with no English left', async (locale) => {
    await speak(admin, locale);
    await speak(lead, locale);
    const pages = pagesOf();
    for (const [who, urls] of [
      [admin, pages.admin],
      [lead, pages.lead],
    ] as const) {
      for (const url of urls) {
        const page = await get(who, url);
        expect({ url, status: page.statusCode }).toEqual({ url, status: 200 });
        const dir = locale === 'fa' ? 'rtl' : 'ltr';
        expect({ url, html: page.body.match(/<html[^>]*>/)?.[0] }).toEqual({
          url,
          html: `<html lang="${locale}" dir="${dir}">`,
        });
        expect({ url, english: englishLeft(page.body, data) }).toEqual({ url, english: [] });
      }
    }
  });

  it('writes dates, numbers and statuses in the language: the action list in Persian', async () => {
    await speak(lead, 'fa');
    const list = await get(lead, `/teams/${team.slug}/actions`);
    expect(list.body).toContain('در جریان');
    // The due date in Persian digits, never as 2026-12-07.
    const due = addDays(todayIn(t.config.organisationTimeZone), 2);
    expect(list.body).toContain(`<time datetime="${due}">`);
    expect(list.body).not.toContain(`>${due}<`);
    expect(list.body).toMatch(/<time datetime="[\d-]+">[^<]*[۰-۹]+[^<]*<\/time>/);
  });

  it('refuses a campaign form in Spanish, saying what is wrong in Spanish', async () => {
    await speak(admin, 'es');
    const before = (await t.dataSource.query('SELECT count(*)::int AS n FROM campaign'))[0].n;
    const res = await post(admin, '/campaigns', {
      name: 'Otra campaña',
      template: 'pulse',
      subject: 'teams',
      cadence: 'monthly',
      start: '2027-01-04T10:00',
      timeZone: 'Europe/Madrid',
      windowFrom: '09:00',
      windowTo: '17:00',
      windowDays: ['mon'],
      openDays: '120',
      reminder1: '3',
      reportingThreshold: '5',
      action: 'save',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<html lang="es" dir="ltr">');
    expect(res.body).toContain('No se pudo guardar la campaña:');
    expect(res.body).toContain('Elige al menos un equipo de servicio que evaluar.');
    expect(res.body).toContain(
      'Los días que cada oleada sigue abierta deben ser un número entero de 1 a 90.',
    );
    expect(res.body).not.toContain('must be a whole number');
    expect((await t.dataSource.query('SELECT count(*)::int AS n FROM campaign'))[0].n).toBe(before);
  });

  it('refuses an action form in Japanese, and the team profile form in Spanish and Japanese', async () => {
    await speak(lead, 'ja');
    const action = await post(lead, `/teams/${team.slug}/actions`, {
      heard: 'x',
      planned: '待ち時間を短くします。',
      locale: 'ja',
      dueOn: '2027-04-31',
      status: 'planned',
      origin: 'other',
    });
    expect(action.statusCode).toBe(400);
    expect(action.body).toContain('<html lang="ja" dir="ltr">');
    expect(action.body).toContain('何も保存されていません：');
    expect(action.body).toContain('寄せられた声は2〜500文字で入力してください（現在1文字）。');
    expect(action.body).toContain('期限：「2027-04-31」はカレンダーに存在しない日付です。');

    const profile = (zone: string) =>
      post(lead, `/teams/${team.slug}/profile`, {
        profileLocale: 'en',
        purpose_en_handles: 'Laptops',
        timeZone: zone,
        hours_1_1_opens: '09:00',
        hours_1_1_closes: '08:00',
      });
    const ja = await profile('Mars/Olympus');
    expect(ja.statusCode).toBe(400);
    expect(ja.body).toContain('プロフィールを保存できませんでした：');
    expect(ja.body).toContain('「Mars/Olympus」は既知のタイムゾーンではありません');
    await speak(lead, 'es');
    const es = await profile('Mars/Olympus');
    expect(es.statusCode).toBe(400);
    expect(es.body).toContain('<html lang="es" dir="ltr">');
    expect(es.body).toContain('No se pudo guardar el perfil:');
    expect(es.body).toContain('«Mars/Olympus» no es una zona horaria conocida');
    expect(es.body).toMatch(
      /orario \(lunes, intervalo 1\): el cierre debe ser posterior a la apertura/,
    );
  });

  it('mails the action reminder in its owner’s language (Japanese), else the team profile’s', async () => {
    await speak(lead, 'ja');
    const otherLead = await signIn(t, 'lead', [team.slug]);
    // No language chosen: the team profile's language decides (Spanish here).
    await t.dataSource.query(`UPDATE service_team SET profile_locale = 'es' WHERE id = $1`, [
      team.id,
    ]);
    const today = todayIn(t.config.organisationTimeZone);
    const due = addDays(today, 1);
    await t.api({
      method: 'POST',
      url: `/api/v1/teams/${team.slug}/actions`,
      payload: {
        heard: 'Faltan portátiles.',
        planned: 'Pedir diez portátiles.',
        locale: 'es',
        ownerId: otherLead.userId,
        dueOn: due,
      },
    });
    const queued = await t.get(ActionRemindersService).remind();
    expect(queued.soon).toBe(2);
    await sendQueuedMail(t);
    // The last mail to each owner (the first was the invitation to set a password).
    const to = (email: string) =>
      [...sink.mails]
        .reverse()
        .find((m) =>
          (Array.isArray(m.to) ? m.to : [m.to]).some((a) =>
            a?.value.some((v) => v.address === email),
          ),
        )!;

    const ja = to(lead.email);
    expect(ja).toBeDefined();
    const jaDue = new Intl.DateTimeFormat('ja', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${addDays(today, 2)}T12:00:00Z`),
    );
    expect(ja.subject).toBe(`${jaDue}が期限のアクション：サービスデスク`);
    expect(ja.text).toContain('A lead さん');
    expect(ja.text).toContain('あなたが担当するサービスデスクのアクションの期限は');
    expect(ja.text).toContain('（現在の状態：対応中）');
    expect(ja.text).toContain('Responder en cuatro horas.');
    expect(ja.text).toContain(`アクションを開く: ${t.config.baseUrl}/teams/${team.slug}/actions/`);
    expect(ja.html).toContain('<html lang="ja" dir="ltr">');
    expect(ja.text).not.toMatch(/\bdue on\b|Open the action/);

    const es = to(otherLead.email);
    expect(es.subject).toMatch(/^Acción que vence el .+: サービスデスク$/);
    expect(es.text).toContain('Abrir la acción');
    expect(es.html).toContain('<html lang="es" dir="ltr">');
  });

  it('sends HR’s campaign test with its banner in HR’s language, the invitation in the one tested', async () => {
    await speak(admin, 'es');
    const res = await post(admin, `/campaigns/${campaignId}/test`, { locale: 'ja' });
    expect(res.statusCode).toBe(303);
    const page = await get(admin, res.headers.location as string);
    expect(page.body).toContain(`Hay un correo de prueba en camino a ${admin.email}.`);
    await sendQueuedMail(t);
    const mail = [...sink.mails]
      .reverse()
      .find((m) =>
        (Array.isArray(m.to) ? m.to : [m.to]).some((a) =>
          a?.value.some((v) => v.address === admin.email),
        ),
      )!;
    expect(mail.text).toContain('Este es un correo de prueba de la campaña «Pulso mensual»');
    expect(mail.html).toContain('<html lang="ja"');
  });
});
