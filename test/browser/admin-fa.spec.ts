/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createEmployees, createTeam } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';
import { untranslatedRuns } from '../setup/untranslated';

/**
 * An HR admin who reads Persian: signs in (in English, the browser's language), switches to
 * فارسی with the header's switch, and walks the admin pages at phone (360 px) and desktop
 * (1280 px) widths: each page right to left, in Persian, without sideways scrolling of the page
 * itself (wide tables scroll in their own box), screenshotted to test-artifacts/screenshots.
 */
describe('the admin pages in Persian, in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  let integrationId: string;
  const email = `admin.fa.${Date.now()}@example.com`;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser(t);
    const team = await createTeam(t, 'Helpdesk');
    await createEmployees(t, 3);
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Ada',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    const created = await t.api({
      method: 'POST',
      url: '/api/v1/integrations',
      payload: { kind: 'jira', name: 'Jira', defaultTeam: team.slug },
    });
    expect(created.statusCode).toBe(201);
    integrationId = created.json().integration?.id ?? created.json().id;
    page = await watchedPage(browser.context, errors, { responses: true });
  }, BROWSER_TIMEOUT);

  beforeEach(() => {
    errors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  it(
    'switches to Persian with the header’s switch and keeps it after signing in again',
    async () => {
      await page.goto(`${browser.baseUrl}/login`);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await page.locator('#email').fill(email);
      await page.locator('#password').fill(TEST_PASSWORD);
      await Promise.all([
        page.waitForURL((url) => url.pathname !== '/login'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await page.goto(`${browser.baseUrl}/admin/users`);
      await page.locator('#ui-language').selectOption('fa');
      await Promise.all([
        page.waitForURL('**/admin/users'),
        page.getByRole('button', { name: 'Change' }).click(),
      ]);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('html').getAttribute('lang')).toBe('fa');
      expect(await page.locator('h1').textContent()).toBe('کاربران');
      expect(await page.locator('#ui-language').inputValue()).toBe('fa');
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  const pages = () => [
    ['users', '/admin/users'],
    ['tokens', '/admin/tokens'],
    ['employees', '/admin/employees'],
    ['integrations', '/admin/integrations'],
    ['integration', `/admin/integrations/${integrationId}`],
    ['audit', '/admin/audit'],
    ['settings', '/admin/settings'],
    ['mail', '/admin/mail'],
    ['outbox', '/outbox'],
    ['password', '/account/password'],
  ];

  for (const width of [360, 1280])
    it(
      `walks the admin pages in Persian at ${width} px, each right to left and screenshotted`,
      async () => {
        await page.setViewportSize({ width, height: 900 });
        const overflows: { name: string; width: number; by: number; outside: string[] }[] = [];
        for (const [name, url] of pages()) {
          await page.goto(`${browser.baseUrl}${url}`);
          const html = await page.content();
          expect({ name, dir: await page.locator('html').getAttribute('dir') }).toEqual({
            name,
            dir: 'rtl',
          });
          expect({ name, lang: await page.locator('html').getAttribute('lang') }).toEqual({
            name,
            lang: 'fa',
          });
          const nav = html.match(/<nav aria-label="[^"]*">[\s\S]*?<\/nav>/)?.[0] ?? '';
          expect({ name, runs: untranslatedRuns(nav) }).toEqual({ name, runs: [] });
          // The heading's text starts on the right, as Persian reads.
          const gap = await page.evaluate(() => {
            const h1 = document.querySelector('h1')!;
            const range = document.createRange();
            range.selectNodeContents(h1);
            return Math.round(
              h1.getBoundingClientRect().right - range.getBoundingClientRect().right,
            );
          });
          expect({ name, gap }).toEqual({ name, gap: 0 });
          // The page itself never scrolls sideways; wide tables scroll inside their own box.
          const overflow = await page.evaluate(() => {
            const width = document.documentElement.clientWidth;
            const outside = Array.from(document.querySelectorAll('body *'))
              .filter((e) => {
                const box = e.getBoundingClientRect();
                return box.width > 0 && (box.left < -1 || box.right > width + 1);
              })
              .filter(
                (e) =>
                  !e.closest('.skip-link') &&
                  !(
                    e.parentElement?.closest('.scroll, .table-scroll') &&
                    getComputedStyle(e).position !== 'absolute'
                  ),
              )
              .slice(0, 4)
              .map((e) => `${e.tagName.toLowerCase()}.${e.className}#${e.id}`);
            return { by: document.documentElement.scrollWidth - width, outside };
          });
          overflows.push({ name, width, ...overflow });
          await page.screenshot({
            path: join(browser.screenshots, `admin-fa-${name}-${width}.png`),
            fullPage: true,
          });
        }
        expect(overflows.filter((o) => o.by > 0)).toEqual([]);
        expect(errors).toEqual([]);
      },
      BROWSER_TIMEOUT * 2,
    );

  it(
    'shows a refused form’s error in Persian',
    async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${browser.baseUrl}/admin/users`);
      await page.locator('#invite-email').fill(email);
      await page.locator('#invite-name').fill('Ada again');
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'دعوت' }).click(),
      ]);
      await page.locator('[role="alert"]').waitFor();
      expect(await page.locator('[role="alert"]').textContent()).toContain('از قبل وجود دارد');
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      // The refused invitation is the one 409 this test expects.
      expect(errors.filter((e) => !e.startsWith('409 '))).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
