/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { REVIEW_REQUEST_QUEUE } from '../../src/modules/reviews/reviews.service';
import { createTeam } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Asking for a review link in a real headless Chromium, in Persian: the form is right to left,
 * the browser's own address check runs no script (the server checks), the POST redirects to the
 * one answer every address gets, and a reload of that answer asks for nothing again.
 */
describe('asking for a review link in a browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser(t);
    page = await watchedPage(browser.context, errors);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  const jobs = async () =>
    (
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [
        REVIEW_REQUEST_QUEUE,
      ])) as { n: number }[]
    )[0].n;

  it(
    'shows the Persian form right to left, refuses a bad address, and answers once after a redirect',
    async () => {
      const team = await createTeam(t, 'Help Desk');
      await page.goto(`${browser.baseUrl}/services/${team.slug}/review?lang=fa`);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      const field = page.getByLabel('نشانی ایمیل کاری شما');
      // The form is right to left, the address field left to right.
      expect(
        await page.locator('form.review-request').evaluate((f) => getComputedStyle(f).direction),
      ).toBe('rtl');
      expect(await field.evaluate((f) => getComputedStyle(f).direction)).toBe('ltr');

      await field.fill('not an address');
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'برایم پیوند بفرست' }).click(),
      ]);
      expect(await page.locator('.field-error').textContent()).toContain('این یک نشانی ایمیل نیست');
      expect(await jobs()).toBe(0);

      await page.getByLabel('نشانی ایمیل کاری شما').fill('someone@example.com');
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'برایم پیوند بفرست' }).click(),
      ]);
      expect(new URL(page.url()).pathname).toBe(`/services/${team.slug}/review/sent`);
      expect(await page.locator('h1').textContent()).toBe('صندوق ایمیل خود را ببینید');
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await jobs()).toBe(1);
      const reloaded = await page.reload();
      expect(reloaded?.request().method()).toBe('GET');
      expect(reloaded?.status()).toBe(200);
      expect(await jobs()).toBe(1);
      // Nothing went wrong in the page but the refused address's answer (400, as it should).
      expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
