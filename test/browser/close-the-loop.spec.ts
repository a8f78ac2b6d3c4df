/// <reference lib="dom" />
import { join } from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  openSurvey,
  sendQueuedMail,
  submitSurvey,
} from '../factories';
import {
  BROWSER_TIMEOUT,
  type BrowserSession,
  openBrowser,
  openGuestBrowser,
  watchedPage,
} from '../setup/browser';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

const HEARD = 'Several of you said laptops take a week to arrive.';
const PLANNED = 'We now keep twenty spare laptops ready to hand out.';
const HEARD_FA = 'چند نفر از شما گفتید لپ‌تاپ‌ها یک هفته طول می‌کشد تا برسند.';
const PLANNED_FA = 'اکنون بیست لپ‌تاپ یدکی آماده نگه می‌داریم.';
const INTERNAL_HEARD = 'Some comments are about the licence budget.';
const INTERNAL_PLANNED = 'INTERNAL-ONLY: renegotiate the licence contract.';
const TOKEN = /\/s\/([A-Za-z0-9_-]{43})/;

/**
 * Closing the loop, end to end, in real browsers and through a real SMTP server: employees
 * comment on a team; its lead, signed in through the login form, turns a theme of the period's
 * comments into an action (published, with a Persian translation) and a second one kept
 * internal, marks both done from the team's action list; an employee whose browser reads
 * Persian, not signed in, finds the published action on the team's directory page (right to
 * left) and never the internal one; HR sends the next survey about the team through the API, and
 * its invitation ("last time you told us …") carries the action in the HTML and the text part —
 * which an invitation sent while the action was still planned did not; the employee follows the
 * mail's link, answers, and the thank-you page shows the action too.
 */
describe('closing the loop: from a comment theme to the next invitation', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let lead: BrowserSession;
  let leadPage: Page;
  let guest: { browser: Browser; context: BrowserContext };
  let slug: string;
  let questionnaireId: string;
  let persian: { email: string };
  let colleagues: { email: string }[];
  const errors: string[] = [];

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(lead.screenshots, `close-the-loop-${name}.png`), fullPage: true });
  // Which survey each mail invites to, known from when it arrived.
  const mailSurvey = new Map<ParsedMail, string>();
  let seen = 0;
  const tagNewMails = (surveyName: string) => {
    for (const m of smtp.mails.slice(seen)) mailSurvey.set(m, surveyName);
    seen = smtp.mails.length;
  };
  const mailTo = (email: string, surveyName: string): ParsedMail | undefined =>
    smtp.mails.find(
      (m) => mailSurvey.get(m) === surveyName && JSON.stringify(m.to).includes(email),
    );

  /** HR sends a new survey about the team through the public API; returns each person's mail. */
  async function sendSurveyByApi(name: string): Promise<Map<string, ParsedMail>> {
    const survey = await t.api({
      method: 'POST',
      url: '/api/v1/surveys',
      payload: { name, questionnaireId, teamSlug: slug },
    });
    expect(survey.statusCode).toBe(201);
    const everyone = [persian, ...colleagues].map((p) => p.email);
    const sent = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.json().id}/send`,
      payload: { emails: everyone },
    });
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ invited: everyone.length });
    await sendQueuedMail(t);
    tagNewMails(name);
    const mails = new Map<string, ParsedMail>();
    for (const email of everyone) {
      const mail = mailTo(email, name);
      expect(mail).toBeDefined();
      mails.set(email, mail!);
    }
    return mails;
  }

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'inpulse <surveys@example.com>',
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
      MIX_BATCH_SIZE: '3',
    });
    const team = await createTeam(t, 'IT Service Desk');
    slug = team.slug;
    [persian] = await createEmployees(t, 1, { locale: 'fa' });
    colleagues = await createEmployees(t, 2, { locale: 'en' });

    // A first survey about the team, answered with comments, closed and released: the period's
    // comments the lead reads.
    const made = await createSurvey(t, { teamSlug: slug });
    questionnaireId = made.questionnaire.id;
    const people = [persian, ...colleagues] as { id: string; email: string }[];
    await t.get(SurveysService).send(made.survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    tagNewMails('first');
    const nps = made.questions.find((q) => q.type === 'nps')!;
    const text = made.questions.find((q) => q.type === 'text')!;
    const comments = [
      'لپ‌تاپ جدید من یک هفته طول کشید.',
      'Waiting a week for a laptop is too long.',
      'My replacement laptop came after eight days.',
    ];
    for (const [i, person] of people.entries()) {
      const first = mailTo(person.email, 'first')!;
      // No action yet: the first invitation says nothing of what changed.
      expect(first.text).not.toMatch(/Last time you told us|دفعهٔ پیش/);
      const token = first.text!.match(TOKEN)![1];
      const session = await openSurvey(t, token);
      const res = await submitSurvey(
        t,
        token,
        { [`q_${nps.id}`]: String(5 + i), [`q_${text.id}`]: comments[i] },
        session,
      );
      expect(res.statusCode).toBe(200);
    }
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`,
      [made.survey.id],
    );
    expect(await t.get(ResponsesService).mix()).toBe(3);

    // The team's lead, signed in through the login form.
    const email = `lead.loop.${Date.now()}@example.com`;
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Lena Lead',
      role: 'lead',
      teamSlugs: [slug],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    lead = await openBrowser(t);
    leadPage = await watchedPage(lead.context, errors, { responses: true });
    await leadPage.goto(`${lead.baseUrl}/login`);
    await leadPage.locator('#email').fill(email);
    await leadPage.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      leadPage.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
      leadPage.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    guest = await openGuestBrowser('fa-IR');
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await guest?.browser.close();
    await lead?.close();
    await t?.close();
    await smtp?.close();
  }, BROWSER_TIMEOUT);

  /** The lead starts an action from the period's comments, through the team's report page. */
  async function startActionFromComments(fields: {
    heard: string;
    planned: string;
    published: boolean;
    fa?: { heard: string; planned: string };
  }) {
    const page = leadPage;
    await page.goto(
      `${lead.baseUrl}/teams/${slug}?period=quarter&at=${new Date().toISOString().slice(0, 10)}`,
      { waitUntil: 'load' },
    );
    const comments = page.locator('ul.comments li');
    expect(await comments.count()).toBe(3);
    await Promise.all([
      page.waitForURL(/\/actions\/new\?origin=comments/),
      page.locator('a.start-action[href*="origin=comments"]').click(),
    ]);
    expect(await page.locator('#heard').inputValue()).toMatch(/^Comments of \d{4} Q\d: $/);
    await page.locator('#heard').fill(fields.heard);
    await page.locator('#planned').fill(fields.planned);
    if (fields.published) await page.locator('input[name="published"]').check();
    if (fields.fa) {
      await page.locator('#tr_fa_heard').fill(fields.fa.heard);
      await page.locator('#tr_fa_planned').fill(fields.fa.planned);
    }
    await Promise.all([
      page.waitForURL(new RegExp(`/teams/${slug}/actions$`)),
      page.getByRole('button', { name: 'Create the action' }).click(),
    ]);
    expect(await page.getByText('The action was created.').isVisible()).toBe(true);
  }

  /** The lead marks an action done from the team's action list. */
  async function markDone(planned: string) {
    const page = leadPage;
    await page.goto(`${lead.baseUrl}/teams/${slug}/actions`, { waitUntil: 'load' });
    const row = page.locator('tr.action-row', { hasText: planned });
    await row.locator('select[name="status"]').selectOption('done');
    await Promise.all([
      page.waitForURL(new RegExp(`/teams/${slug}/actions$`)),
      row.getByRole('button', { name: 'Change' }).click(),
    ]);
    expect(await page.getByText('The action is now done.').isVisible()).toBe(true);
  }

  /** The employee's view of the team's directory page (a fresh browser reading Persian). */
  async function directoryPage(): Promise<Page> {
    const page = await watchedPage(guest.context, errors, { responses: true });
    const res = await page.goto(`${lead.baseUrl}/services/${slug}`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    expect(
      await page.evaluate(() => [
        document.documentElement.lang,
        document.documentElement.dir,
        getComputedStyle(document.body).direction,
      ]),
    ).toEqual(['fa', 'rtl', 'rtl']);
    return page;
  }

  const block = (mail: ParsedMail) => `${mail.html || ''}\n${mail.text ?? ''}`;

  it(
    'a lead turns a comment theme into an action; an employee reads it on the directory page, in the next invitation and after answering',
    async () => {
      // 1. The lead: one action published (with a Persian translation), one kept internal.
      await startActionFromComments({
        heard: HEARD,
        planned: PLANNED,
        published: true,
        fa: { heard: HEARD_FA, planned: PLANNED_FA },
      });
      await startActionFromComments({
        heard: INTERNAL_HEARD,
        planned: INTERNAL_PLANNED,
        published: false,
      });
      // The internal one is done at once: only "published" keeps it from employees.
      await markDone(INTERNAL_PLANNED);
      await shot(leadPage, '1-actions-planned');

      // Still planned: nothing for employees yet, on the page or in an invitation.
      const early = await directoryPage();
      expect(await early.locator('#you-said-we-did li.action').count()).toBe(0);
      expect(await early.locator('#you-said-we-did .none').textContent()).toContain(
        'هنوز چیزی منتشر نشده است',
      );
      await early.close();
      const before = await sendSurveyByApi('second');
      for (const mail of before.values()) {
        for (const absent of [PLANNED, PLANNED_FA, INTERNAL_PLANNED, HEARD_FA])
          expect(block(mail)).not.toContain(absent);
        expect(block(mail)).not.toMatch(/Last time you told us|دفعهٔ پیش نظرتان/);
      }

      // Done, from the list.
      await markDone(PLANNED);
      await shot(leadPage, '2-actions-done');
      const stored: { planned: string; status: string; published: boolean; origin: string }[] =
        await t.dataSource.query(
          `SELECT planned, status, published, origin FROM team_action ORDER BY planned`,
        );
      expect(stored).toEqual([
        { planned: INTERNAL_PLANNED, status: 'done', published: false, origin: 'comments' },
        { planned: PLANNED, status: 'done', published: true, origin: 'comments' },
      ]);

      // 2. The employee, not signed in, reads the team's directory page in Persian.
      const directory = await directoryPage();
      const items = directory.locator('#you-said-we-did li.action');
      expect(await items.count()).toBe(1);
      const item = (await items.first().textContent())!;
      expect(item).toContain(HEARD_FA);
      expect(item).toContain(PLANNED_FA);
      const section = (await directory.locator('#you-said-we-did').textContent())!;
      expect(section).not.toContain('INTERNAL-ONLY');
      expect(section).not.toContain(INTERNAL_HEARD);
      expect(await directory.content()).not.toContain('INTERNAL-ONLY');
      await directory.locator('#you-said-we-did').scrollIntoViewIfNeeded();
      await shot(directory, '3-directory-fa');
      await directory.close();

      // 3. HR sends the next survey about the team: the invitation says what changed.
      const after = await sendSurveyByApi('third');
      const mail = after.get(persian.email)!;
      expect(mail.html).toMatch(/<html lang="fa" dir="rtl">/);
      expect(mail.text).toContain('دفعهٔ پیش نظرتان را دربارهٔ IT Service Desk به ما گفتید');
      expect(mail.html).toContain('دفعهٔ پیش نظرتان را دربارهٔ IT Service Desk به ما گفتید');
      for (const part of [mail.text!, mail.html as string]) {
        expect(part).toContain(HEARD_FA);
        expect(part).toContain(PLANNED_FA);
        expect(part).not.toContain('INTERNAL-ONLY');
        expect(part).not.toContain('ترجمه نشده');
      }
      expect(mail.html).toMatch(
        new RegExp(`<span lang="fa" dir="rtl">${PLANNED_FA}</span> \\(انجام‌شده در [^)]+\\)`),
      );
      // An English reader gets the original text.
      const english = after.get(colleagues[0].email)!;
      expect(english.text).toContain('Last time you told us what you think of IT Service Desk');
      expect(english.text).toContain(`We did: ${PLANNED}`);
      expect(block(english)).not.toContain('INTERNAL-ONLY');

      // The mail as the employee sees it, then its link, followed in the browser.
      const reader = await watchedPage(guest.context, errors, { responses: true });
      await reader.setContent(mail.html as string);
      expect(
        await reader.evaluate(() => getComputedStyle(document.querySelector('div')!).direction),
      ).toBe('rtl');
      await shot(reader, '4-invitation-fa');
      const href = (mail.html as string).match(/href="(https?:\/\/[^"]+\/s\/[A-Za-z0-9_-]{43})"/);
      expect(href).not.toBeNull();
      const link = new URL(href![1]);
      expect(mail.text).toContain(link.href);
      const survey = await reader.goto(`${lead.baseUrl}${link.pathname}`, { waitUntil: 'load' });
      expect(survey?.status()).toBe(200);
      expect(
        await reader.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      ).toEqual(['fa', 'rtl']);
      await reader
        .locator('[id^="question-"] label.scale-option')
        .filter({ has: reader.locator('input[value="9"]') })
        .first()
        .click();
      const [posted] = await Promise.all([
        reader.waitForResponse(
          (r) => r.request().method() === 'POST' && r.url().endsWith(link.pathname),
        ),
        reader.locator('form.survey-form button[type="submit"]').click(),
      ]);
      expect(posted.status()).toBe(200);
      await reader.getByRole('heading', { level: 1, name: /سپاسگزاریم/ }).waitFor();
      const thanks = reader.locator('#you-said');
      expect(await thanks.locator('li.you-said-item').count()).toBe(1);
      const thanked = (await thanks.textContent())!;
      expect(thanked).toContain(PLANNED_FA);
      expect(thanked).toContain(HEARD_FA);
      expect(await reader.content()).not.toContain('INTERNAL-ONLY');
      await shot(reader, '5-thanks-fa');
      await reader.close();
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT * 2,
  );
});
