/// <reference lib="dom" />
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, sendQueuedMail } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { type SmtpSink, startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * HR's mail, settings and employees pages in a real headless Chromium: "send me a test" reaches
 * the SMTP server started by the test, a mail the server refused is listed with its reason and
 * retried from the page, the fatigue budget is set, and deactivating someone withdraws their link.
 */
describe('HR’s mail, settings and employees pages in a real browser', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  const email = `hr.browser.${Date.now()}@example.com`;
  const errors: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: smtp.url });
    browser = await openBrowser(t);
    context = browser.context;
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Hana HR',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    page = await watchedPage(context, errors, { responses: true });
    await page.goto(`${browser.baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
  }, BROWSER_TIMEOUT);

  beforeEach(() => {
    errors.length = 0; // the sign-in page's favicon request is a 404 (the site has none)
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  }, BROWSER_TIMEOUT);

  it(
    'sends HR a test mail, and shows and retries a mail the server refused',
    async () => {
      await page.getByRole('link', { name: 'Mail' }).click();
      await page.waitForURL('**/admin/mail');
      await Promise.all([
        page.waitForURL('**/admin/mail?test=queued'),
        page.getByRole('button', { name: 'Send me a test' }).click(),
      ]);
      expect(await page.getByRole('status').textContent()).toContain('test mail is on its way');
      await sendQueuedMail(t);
      const tests = smtp.mails.filter(
        (m) => JSON.stringify(m.to).includes(email) && /^\[Test\]/.test(m.subject ?? ''),
      );
      expect(tests).toHaveLength(1);
      expect(tests[0].text).toContain('This is a test of the invitation mail');

      // A person whose mailbox the server refuses, among colleagues (a survey goes to at least
      // m people, MIX_BATCH_SIZE).
      const people = await createEmployees(t, t.config.mixBatchSize);
      const [person] = people;
      smtp.reject(person.email, 550, '5.1.1 no such mailbox');
      const { survey } = await createSurvey(t);
      await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
      await sendQueuedMail(t);
      await page.reload();
      const row = page.locator('#mail-problems tbody tr', { hasText: person.email });
      expect(await row.textContent()).toContain('SMTP 550 5.1.1 no such mailbox');
      expect(await page.locator('#mail-counts td[data-status="failed"]').textContent()).toBe('1');
      await page.screenshot({ path: join(browser.screenshots, 'admin-mail.png'), fullPage: true });

      smtp.clearRejects();
      await Promise.all([
        page.waitForURL('**/admin/mail?retried=1'),
        row.getByRole('button', { name: 'Retry' }).click(),
      ]);
      await sendQueuedMail(t);
      expect(smtp.countTo(person.email)).toBe(1);
      await page.reload();
      expect(await page.locator('#mail-problems').textContent()).toContain('Nothing failed.');
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'sets the fatigue budget, and deactivates an employee whose link then stops working',
    async () => {
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.locator('#fatigue-days').fill('7');
      await Promise.all([
        page.waitForURL('**/admin/settings?saved=1'),
        page.getByRole('button', { name: 'Save' }).click(),
      ]);
      expect(await page.locator('#fatigue-current').textContent()).toBe('7');
      await page.screenshot({
        path: join(browser.screenshots, 'admin-settings.png'),
        fullPage: true,
      });

      const people = await createEmployees(t, t.config.mixBatchSize);
      const [person] = people;
      const { survey } = await createSurvey(t);
      await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
      await sendQueuedMail(t);
      const mail = smtp.mails.find((m) => JSON.stringify(m.to).includes(person.email))!;
      const link = mail.text!.match(/\/s\/[A-Za-z0-9_-]{43}/)![0];
      expect((await page.request.get(`${browser.baseUrl}${link}`)).status()).toBe(200);

      await page.getByRole('link', { name: 'Employees' }).click();
      await page.locator('#employee-search').fill(person.email);
      await Promise.all([
        page.waitForURL('**/admin/employees?search=**'),
        page.getByRole('button', { name: 'Search' }).click(),
      ]);
      const row = page.locator(`#employees tr[data-email="${person.email}"]`);
      await Promise.all([
        page.waitForURL('**changed=**'),
        row.getByRole('button', { name: 'Deactivate' }).click(),
      ]);
      expect(await page.getByRole('status').textContent()).toContain(
        '1 open survey link(s) withdrawn',
      );
      expect(await row.textContent()).toContain('inactive');
      await page.screenshot({
        path: join(browser.screenshots, 'admin-employees.png'),
        fullPage: true,
      });
      expect((await page.request.get(`${browser.baseUrl}${link}`)).status()).toBe(410);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
