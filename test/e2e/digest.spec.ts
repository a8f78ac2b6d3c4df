import { randomUUID } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { DigestService } from '../../src/modules/digest/digest.service';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam, formBody, sendQueuedMail, signIn } from '../factories';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

const DAY = 86_400_000;

/** A header as sent (mailparser folds List-* headers into one object). */
function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name)?.line;
  return line?.slice(line.indexOf(':') + 1).trim();
}

/** The next Monday (UTC) from today, at `hh:mm` UTC: the digest's default day, in the future. */
function nextMonday(hh: number, mm: number): Date {
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const days = (8 - today.getUTCDay()) % 7 || 7;
  return new Date(today.getTime() + days * DAY + (hh * 60 + mm) * 60_000);
}

/**
 * Issue 15, item 6: the weekly digest and the score-drop alert, built from the report layer,
 * queued by the hourly tick at the set hour on each person's clock, sent through the real mail
 * pipeline to a real SMTP server and read back as a mail client would.
 */
describe('weekly digest', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let digest: DigestService;
  let leadEn: Awaited<ReturnType<typeof signIn>>;
  let leadFa: Awaited<ReturnType<typeof signIn>>;
  let hr: Awaited<ReturnType<typeof signIn>>;
  // Monday 08:05 UTC; Tehran (UTC+3:30) reaches 08:00 at 04:30 UTC.
  const monday = nextMonday(8, 5);
  const period = addBuckets(bucketStart(monday.toISOString().slice(0, 10), 'month'), 'month', -1);
  const before = addBuckets(period, 'month', -1);

  async function release(
    team: { id: string; slug: string },
    day: string,
    scores: number[],
    comments = 0,
  ) {
    const { survey, questionnaire, questions } = await createSurvey(t, { teamSlug: team.slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    const why = questions.find((q) => q.type === 'text')!;
    await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn: day,
      submissions: scores.map((score, i) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId: team.id,
            answers: [
              { question_id: nps.id, score, option_key: null, text: null },
              ...(i < comments
                ? [{ question_id: why.id, score: null, option_key: null, text: `Comment ${i}` }]
                : []),
            ],
          },
        ],
      })),
    });
  }

  /** The digest and alert mails to this address (not the account set-up mail). */
  const mailsTo = (email: string) =>
    smtp.mails
      .filter((m) => header(m, 'list-unsubscribe') !== undefined)
      .filter((m) => (m.to && 'value' in m.to ? m.to.value : []).some((a) => a.address === email));
  const digestTo = (email: string) =>
    mailsTo(email).find((m) => !(m.subject ?? '').includes('iNPS'))!;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: smtp.url, ORGANISATION_TIME_ZONE: 'UTC' });
    digest = t.get(DigestService);
    const falling = await createTeam(t, 'Falling desk');
    const quiet = await createTeam(t, 'Quiet desk');
    const other = await createTeam(t, 'Other desk');
    // Falling desk: 40 promoters before, then 10 promoters and 30 detractors: a real fall.
    await release(falling, `${before.slice(0, 7)}-10`, Array(40).fill(10));
    await release(
      falling,
      `${period.slice(0, 7)}-10`,
      [...Array(10).fill(10), ...Array(30).fill(3)],
      8,
    );
    // Quiet desk: 12 answers each month, iNPS 8.3 then 0: noise at this size.
    await release(quiet, `${before.slice(0, 7)}-10`, [10, 10, 10, 9, 9, 8, 8, 7, 6, 5, 3, 2]);
    await release(quiet, `${period.slice(0, 7)}-10`, [10, 10, 9, 9, 8, 8, 7, 7, 6, 5, 3, 2]);
    await release(other, `${period.slice(0, 7)}-10`, Array(12).fill(9));

    leadEn = await signIn(t, 'lead', [falling.slug, quiet.slug]);
    leadFa = await signIn(t, 'lead', [falling.slug]);
    hr = await signIn(t, 'admin');
    await t.dataSource.query(
      `UPDATE app_user SET locale = 'fa', time_zone = 'Asia/Tehran' WHERE id = $1`,
      [leadFa.userId],
    );
    await t.dataSource.query(`UPDATE app_user SET locale = 'en' WHERE id = ANY($1)`, [
      [leadEn.userId, hr.userId],
    ]);
    // An action of the falling desk due in three days.
    const res = await t.api({
      method: 'POST',
      url: `/api/v1/teams/${falling.slug}/actions`,
      payload: {
        heard: 'People wait too long.',
        planned: 'Answer within four hours.',
        locale: 'en',
        dueOn: new Date(monday.getTime() + 3 * DAY).toISOString().slice(0, 10),
      },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('is due only from the set hour on each person’s clock, once a week, and alerts once', async () => {
    // 03:05 UTC: 06:35 in Tehran, 03:05 in UTC: nobody's hour yet; the alert goes at once.
    const early = await digest.tick(new Date(monday.getTime() - 5 * 3_600_000));
    expect(early.digests).toBe(0);
    // Falling desk fell significantly: its lead in English, its lead in Persian, and HR.
    expect(early.alerts).toBe(3);
    // 04:35 UTC: 08:05 in Tehran.
    const tehran = await digest.tick(new Date(monday.getTime() - 3.5 * 3_600_000));
    expect(tehran).toEqual({ digests: 1, alerts: 0 });
    // 08:05 UTC, twice at once: the two other people get one digest each.
    const both = await Promise.all([digest.tick(monday), digest.tick(monday)]);
    expect(both[0].digests + both[1].digests).toBe(2);
    expect(await digest.tick(new Date(monday.getTime() + 3_600_000))).toEqual({
      digests: 0,
      alerts: 0,
    });
    await sendQueuedMail(t);
    expect(mailsTo(leadEn.email)).toHaveLength(2);
    expect(mailsTo(leadFa.email)).toHaveLength(2);
    expect(mailsTo(hr.email)).toHaveLength(2);
  });

  it('tells a lead about their teams only, in English, with significant and noisy changes worded apart', () => {
    const mail = digestTo(leadEn.email);
    expect(mail.subject).toMatch(/^Your weekly inpulse digest: /);
    const text = mail.text ?? '';
    expect(text).toContain('Falling desk');
    expect(text).toContain('Quiet desk');
    expect(text).not.toContain('Other desk');
    // Falling desk: iNPS 100 → −50 on 40 answers each.
    expect(text).toContain('iNPS -50 (95% interval');
    expect(text).toContain('Fell by 150 points since the previous period.');
    // Quiet desk: a drop of 8.3 points on 12 answers is noise.
    expect(text).toContain('No clear change since the previous period.');
    expect(text).toContain('Small sample: read with care.');
    expect(text).toContain('8 comments in the period.');
    expect(text).not.toContain('Comment 1');
    expect(text).toContain('1 action due in the next 7 days');
    expect(mail.html).toContain('dir="ltr"');
    expect(mail.html).toContain('Fell by 150 points');
  });

  it('writes Persian right to left for a Persian lead, with Persian digits', () => {
    const mail = digestTo(leadFa.email);
    expect(mail.subject).toContain('خلاصهٔ هفتگی');
    expect(mail.html).toMatch(/<html lang="fa" dir="rtl"/);
    expect(mail.html).toContain('text-align:right');
    expect(mail.text).toContain('۱۵۰ امتیاز پایین آمد');
    expect(mail.text).not.toContain('Quiet desk');
  });

  it('tells HR about every team', () => {
    const text = digestTo(hr.email).text ?? '';
    for (const name of ['Falling desk', 'Quiet desk', 'Other desk']) expect(text).toContain(name);
  });

  it('sends the alert once per team and period, with the fall and its interval', () => {
    const alert = mailsTo(leadEn.email).find((m) => (m.subject ?? '').includes('iNPS'))!;
    expect(alert.subject).toMatch(/^Falling desk: iNPS fell significantly in /);
    expect(alert.text).toContain('150 points below the previous period');
    expect(alert.text).toContain('The fall is significant');
  });

  describe('unsubscribing', () => {
    const linkOf = (mail: ParsedMail) => {
      return (header(mail, 'list-unsubscribe') ?? '').replace(/^<|>$/g, '');
    };

    it('carries List-Unsubscribe with one-click POST (RFC 8058) and the same link in the body', () => {
      const mail = digestTo(leadEn.email);
      const link = linkOf(mail);
      expect(link).toMatch(/^http:\/\/localhost:3000\/digest\/unsubscribe\/[0-9a-f-]{36}\.[\w-]+$/);
      expect(header(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.html).toContain(`href="${link}"`);
      expect(mail.text).toContain(link);
    });

    it('works with one click on the page, and the page subscribes again', async () => {
      const path = new URL(linkOf(digestTo(leadEn.email))).pathname;
      const page = await t.request({ method: 'GET', url: path });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('id="digest-unsubscribe"');
      // Opening the link changed nothing (mail scanners open links).
      expect(await digest.isSubscribed(leadEn.userId)).toBe(true);
      const posted = await t.request({ method: 'POST', url: path });
      expect(posted.statusCode).toBe(303);
      expect(await digest.isSubscribed(leadEn.userId)).toBe(false);
      const after = await t.request({ method: 'GET', url: path });
      expect(after.body).toContain('You are unsubscribed');
      const again = await t.request({ method: 'POST', url: `${path}/resubscribe` });
      expect(again.statusCode).toBe(303);
      expect(await digest.isSubscribed(leadEn.userId)).toBe(true);
    });

    it('works with the mail client’s POST, and no digest goes after it', async () => {
      const path = new URL(linkOf(digestTo(leadFa.email))).pathname;
      const res = await t.request({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(res.statusCode).toBe(200);
      expect(await digest.isSubscribed(leadFa.userId)).toBe(false);
      // A week later, in Tehran's morning: nothing for this person.
      const nextWeek = await digest.tick(new Date(monday.getTime() + 7 * DAY - 3.5 * 3_600_000));
      expect(nextWeek.digests).toBe(0);
      // The page answers in the person's language.
      const page = await t.request({ method: 'GET', url: path });
      expect(page.body).toContain('dir="rtl"');
    });

    it('takes the one-click POST as multipart/form-data too, which RFC 8058 recommends', async () => {
      const path = new URL(linkOf(digestTo(leadEn.email))).pathname;
      await digest.setSubscribed(decodeURIComponent(path.split('/').pop()!), true);
      const boundary = 'one-click-boundary';
      const res = await t.request({
        method: 'POST',
        url: path,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
      });
      expect(res.statusCode).toBe(200);
      expect(await digest.isSubscribed(leadEn.userId)).toBe(false);
      await digest.setSubscribed(decodeURIComponent(path.split('/').pop()!), true);
      // Other page routes still refuse multipart bodies.
      const other = await t.request({
        method: 'POST',
        url: '/admin/digest',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: hr.cookie },
        payload: `--${boundary}--\r\n`,
      });
      expect(other.statusCode).toBe(415);
    });

    it('answers 404 to a link that is not ours', async () => {
      const res = await t.request({
        method: 'POST',
        url: `/digest/unsubscribe/${leadEn.userId}.AAAAAAAAAAAAAAAAAAAAAA`,
      });
      expect(res.statusCode).toBe(404);
      expect(await digest.isSubscribed(leadEn.userId)).toBe(true);
    });
  });

  describe('settings', () => {
    const post = (fields: Record<string, string>) =>
      t.request({
        method: 'POST',
        url: '/admin/digest',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: hr.cookie },
        payload: formBody({ _csrf: hr.csrf, ...fields }),
      });
    const valid = {
      enabled: 'on',
      weekday: '3',
      hour: '9',
      grain: 'month',
      locale: 'es',
      timeZone: 'Europe/Madrid',
    };

    it('are HR’s, linked from the settings page', async () => {
      const settings = await t.request({
        method: 'GET',
        url: '/admin/settings',
        headers: { cookie: hr.cookie },
      });
      expect(settings.body).toContain('href="/admin/digest"');
      const page = await t.request({
        method: 'GET',
        url: '/admin/digest',
        headers: { cookie: hr.cookie },
      });
      expect(page.statusCode).toBe(200);
      const lead = await t.request({
        method: 'GET',
        url: '/admin/digest',
        headers: { cookie: leadEn.cookie },
      });
      expect(lead.statusCode).toBe(403);
    });

    it('refuse bad input with what is wrong, and save nothing', async () => {
      const res = await post({ ...valid, hour: '25', timeZone: 'Mars/Olympus', grain: 'day' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('hour must be a whole number from 0 to 23');
      expect(res.body).toContain('timeZone must be an IANA time zone');
      expect(res.body).toContain('grain must be one of week, month, quarter');
      expect((await digest.settings()).hour).toBe(8);
      // In the page's language when it is not English (HR's own choice, here Spanish).
      await t.dataSource.query(`UPDATE app_user SET locale = 'es' WHERE id = $1`, [hr.userId]);
      const es = await t.request({
        method: 'POST',
        url: '/admin/digest',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: hr.cookie,
        },
        payload: formBody({ _csrf: hr.csrf, ...valid, hour: '25' }),
      });
      expect(es.statusCode).toBe(400);
      expect(es.body).toContain('elija un número entero de 0 a 23');
      await t.dataSource.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [hr.userId]);
    });

    it('save the day, hour, language and zone', async () => {
      const res = await post(valid);
      expect(res.statusCode).toBe(303);
      expect(await digest.settings()).toMatchObject({
        enabled: true,
        weekday: 3,
        hour: 9,
        locale: 'es',
        timeZone: 'Europe/Madrid',
      });
    });
  });
});
