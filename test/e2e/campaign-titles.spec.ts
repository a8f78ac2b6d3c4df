import { WavesService } from '../../src/modules/campaigns/waves.service';
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

const INTERNAL = 'Q1 pulse — IT only (internal)';
const TITLES = {
  en: 'How is IT doing for you?',
  es: '¿Qué tal te atiende IT?',
  ja: 'ITサポートはいかがですか？',
};
/** Persian has no title of the campaign's own: the pulse template's wording stands in. */
const TEMPLATE_FA = 'خدمات ما چگونه است؟';

/** A page's text as a browser shows it (Handlebars escapes quotes, =, / …). */
const shown = (html: string) =>
  html.replace(
    /&(quot|#x27|#x3D|#x2F|#x60|amp);/g,
    (_, e: string) =>
      ({ quot: '"', '#x27': "'", '#x3D': '=', '#x2F': '/', '#x60': '`', amp: '&' })[e] ?? e,
  );

/**
 * A campaign has HR's internal name and a title per language: respondents in English, Spanish,
 * Japanese and Persian see the title in their language as the survey's heading and in the
 * subject of the mail that reaches the SMTP server, never the internal name.
 */
describe('campaign titles per language', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: smtp.url, REPORTING_THRESHOLD: '3', MIX_BATCH_SIZE: '3' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('shows respondents the title in their language, in the mail subject and the page heading', async () => {
    const desk = await createTeam(t, 'IT Desk');
    const people = {
      en: await createEmployees(t, 1, { department: 'Titles', locale: 'en' }),
      es: await createEmployees(t, 1, { department: 'Titles', locale: 'es' }),
      ja: await createEmployees(t, 1, { department: 'Titles', locale: 'ja' }),
      fa: await createEmployees(t, 1, { department: 'Titles', locale: 'fa' }),
    };
    const campaign = await createCampaign(t, {
      name: INTERNAL,
      titles: { ...TITLES, fa: '  ' },
      teamSlugs: [desk.slug],
      audience: { departments: ['Titles'] },
    });
    const got = await t.api({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}` });
    expect(got.json()).toMatchObject({ name: INTERNAL, titles: TITLES });

    await t.get(WavesService).tick(new Date('2027-01-04T10:01:00Z'));
    const [wave] = await t.dataSource.query('SELECT id FROM wave WHERE campaign_id = $1', [
      campaign.id,
    ]);
    expect(await t.get(WavesService).open(wave.id)).toBe(4);
    await t.dataSource.query(
      `UPDATE mail_message SET due_at = now()
        WHERE invitation_id IN (SELECT i.id FROM invitation i JOIN wave w ON w.survey_id = i.survey_id
                                 WHERE w.id = $1)`,
      [wave.id],
    );
    await sendQueuedMail(t);

    const expected = { ...TITLES, fa: TEMPLATE_FA };
    for (const [locale, [person]] of Object.entries(people)) {
      const title = expected[locale as keyof typeof expected];
      const mail = smtp.mails.find((m) => JSON.stringify(m.to).includes(person.email));
      expect(mail?.subject).toContain(title);
      expect(mail?.subject).not.toContain('Q1 pulse');
      const token = mail!.text!.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
      const page = await t.request({ method: 'GET', url: `/s/${token}` });
      expect(page.statusCode).toBe(200);
      expect(shown(page.body)).toContain(`<h1>${title}</h1>`);
      expect(page.body).not.toContain('Q1 pulse');
    }
  });

  it('puts the title in the test mail’s subject and heading; the internal name only in HR’s banner', async () => {
    const admin = await signIn(t, 'admin');
    const desk = await createTeam(t, 'IT Desk test');
    const campaign = await createCampaign(t, {
      name: INTERNAL,
      titles: TITLES,
      teamSlugs: [desk.slug],
    });
    const sent = await t.request({
      method: 'POST',
      url: `/campaigns/${campaign.id}/test`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({ _csrf: admin.csrf, locale: 'ja' }),
    });
    expect(sent.statusCode).toBe(303);
    await sendQueuedMail(t);
    const mail = smtp.mails.find(
      (m) => JSON.stringify(m.to).includes(admin.email) && m.subject?.startsWith('[テスト]'),
    );
    expect(mail?.subject).toBe(`[テスト] ${TITLES.ja}：匿名のアンケートのお願い`);
    const path = mail!.text!.match(/http:\/\/localhost:3000(\/s\/test\/\S+)/)![1];
    const page = await t.request({ method: 'GET', url: path });
    expect(shown(page.body)).toContain(`<h1>${TITLES.ja}</h1>`);
  });

  it('takes titles in the campaign form, and refuses a language it does not speak', async () => {
    const desk = await createTeam(t, 'IT Desk form');
    const refused = await t.api({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: {
        name: 'Klingon',
        template: 'pulse',
        titles: { tlh: 'Qapla’' },
        teamSlugs: [desk.slug],
        cadence: { kind: 'weekly', start: '2027-01-04T10:00' },
        openDays: 5,
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/titles: no language tlh; use en, es, ja, fa/);

    const admin = await signIn(t, 'admin');
    const created = await t.request({
      method: 'POST',
      url: '/campaigns',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({
        _csrf: admin.csrf,
        name: 'Form titles (internal)',
        title_es: 'Encuesta de servicios',
        title_fa: 'نظرسنجی خدمات',
        template: 'pulse',
        subject: 'teams',
        teams: [desk.slug],
        cadence: 'weekly',
        start: '2027-01-04T10:00',
        timeZone: 'UTC',
        windowFrom: '09:00',
        windowTo: '17:00',
        windowDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
        openDays: '5',
        reportingThreshold: '3',
      }),
    });
    expect(created.statusCode).toBe(303);
    const id = (created.headers.location as string).split('/')[2].split('?')[0];
    const [row] = await t.dataSource.query('SELECT name, titles FROM campaign WHERE id = $1', [id]);
    expect(row).toEqual({
      name: 'Form titles (internal)',
      titles: { es: 'Encuesta de servicios', fa: 'نظرسنجی خدمات' },
    });
    const edit = await t.request({
      method: 'GET',
      url: `/campaigns/${id}/edit`,
      headers: { cookie: admin.cookie },
    });
    expect(edit.body).toMatch(
      /name="title_fa" lang="fa" dir="rtl" maxlength="200" value="نظرسنجی خدمات"/,
    );
    const preview = await t.request({
      method: 'GET',
      url: `/campaigns/${id}/preview?locale=es`,
      headers: { cookie: admin.cookie },
    });
    expect(preview.body).toContain('<h1>Encuesta de servicios</h1>');
  });

  it('shows HR’s preview banner whole in the Persian preview: English, left to right, its languages filled in', async () => {
    const admin = await signIn(t, 'admin');
    const desk = await createTeam(t, 'Preview desk');
    const campaign = await createCampaign(t, { name: 'Banner pulse', teamSlugs: [desk.slug] });
    const preview = await t.request({
      method: 'GET',
      url: `/campaigns/${campaign.id}/preview?locale=fa`,
      headers: { cookie: admin.cookie },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('<html lang="fa" dir="rtl">');
    // In an RTL page, an English sentence ending in "(?locale=…)." reads "(…locale=?).": the
    // banner is isolated as English, left to right, and names real links instead.
    const banner = preview.body.match(/<p [^>]*id="preview-banner"[^>]*>([\s\S]*?)<\/p>/);
    expect(banner?.[0]).toContain('lang="en" dir="ltr"');
    const text = banner![1].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(text).toBe('Preview of “Banner pulse”, wave 1. Languages: en es ja fa.');
    expect(shown(banner![1])).toContain(`href="/campaigns/${campaign.id}/preview?locale=es"`);
    expect(preview.body).not.toContain('?locale=…');
  });

  it('words the preview banner in HR’s own language and direction, whatever the survey’s', async () => {
    const admin = await signIn(t, 'admin');
    const desk = await createTeam(t, 'Preview desk ja');
    const campaign = await createCampaign(t, { name: 'Banner <pulse>', teamSlugs: [desk.slug] });
    const banner = async (survey: string, hr: string) => {
      const preview = await t.request({
        method: 'GET',
        url: `/campaigns/${campaign.id}/preview?locale=${survey}`,
        headers: { cookie: admin.cookie, 'accept-language': hr },
      });
      expect(preview.statusCode).toBe(200);
      const html = preview.body.match(/<p [^>]*id="preview-banner"[^>]*>([\s\S]*?)<\/p>/)!;
      return { tag: html[0].slice(0, html[0].indexOf('>') + 1), inner: html[1] };
    };
    const ja = await banner('fa', 'ja');
    expect(ja.tag).toContain('lang="ja" dir="ltr"');
    // The name stays escaped and isolated inside HR's sentence.
    expect(ja.inner).toContain('「<bdi>Banner &lt;pulse&gt;</bdi>」第1回のプレビューです。 言語：');
    const fa = await banner('ja', 'fa');
    expect(fa.tag).toContain('lang="fa" dir="rtl"');
    expect(fa.inner).toContain('پیش‌نمایش «<bdi>Banner &lt;pulse&gt;</bdi>»، موج ۱. زبان‌ها:');
  });
});
