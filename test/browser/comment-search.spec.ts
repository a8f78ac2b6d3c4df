/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * A lead reads a team's comments in Persian on a 360 px phone, in a real Chromium on the demo
 * data: the card is right to left and fits the screen, a theme is a link that runs its search,
 * the matches come back marked, the search form works without JavaScript, and axe-core finds no
 * contrast or labelling problem in the card. Screenshots go to test-artifacts/screenshots.
 */
describe('comment search and themes in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  const errors: string[] = [];
  // The demo's quarter so far, of IT and its sub-teams: enough comments for themes.
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    browser = await openBrowser(t);
    const email = `lead.comments.${Date.now()}@example.com`;
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'A lead',
      role: 'lead',
      teamSlugs: ['it'],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    await browser.context.addCookies([{ name: 'inpulse_lang', value: 'fa', url: browser.baseUrl }]);
    page = await watchedPage(browser.context, errors);
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`${browser.baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
      page.locator('button[type="submit"]').last().click(),
    ]);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  /** The comment card alone (the page around it is another test's). */
  const shot = (name: string) =>
    page
      .locator('section.report-comments')
      .screenshot({ path: join(browser.screenshots, `${name}.png`) });

  it(
    'runs a theme’s search, marks the matches, fits 360 px right to left, passes axe',
    async () => {
      await page.goto(`${browser.baseUrl}/teams/it?period=quarter&at=${today}`);
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');
      const card = page.locator('section.report-comments');
      await expect(card.locator('h2').textContent()).resolves.toContain('نظرها');
      const theme = card.locator('.themes a').first();
      expect({ themes: await theme.count(), card: await card.innerText() }).toEqual({
        themes: 1,
        card: expect.any(String),
      });
      const word = (await theme.locator('.theme-text').textContent())?.trim() ?? '';
      expect(word.length).toBeGreaterThan(0);
      await card.scrollIntoViewIfNeeded();
      await shot('comments-fa-360');

      await Promise.all([page.waitForURL(/[?&]q=/), theme.click()]);
      expect(new URL(page.url()).searchParams.get('q')).toBe(word);
      const results = page.locator('section.report-comments .comment-results li');
      expect(await results.count()).toBeGreaterThan(0);
      expect(await page.locator('section.report-comments mark').count()).toBeGreaterThan(0);
      expect(await page.locator('#comment-q').inputValue()).toBe(word);
      // Nothing spills sideways on a phone.
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        view: window.innerWidth,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.view);
      await page.locator('section.report-comments').scrollIntoViewIfNeeded();
      await shot('comments-fa-360-search');

      // The form, typed into: a word nobody wrote finds nothing, and says so.
      await page.locator('#comment-q').fill('zzzz-nothing');
      await Promise.all([
        page.waitForURL(/q=zzzz-nothing/),
        page.locator('.comment-search button').click(),
      ]);
      await expect(
        page.locator('section.report-comments .comment-matches').textContent(),
      ).resolves.toContain('هیچ نظری');

      // Accessibility of the card (contrast at WCAG AA, labels) with axe-core, evaluated through
      // the DevTools protocol (the page's Content-Security-Policy allows no inline script).
      await page.goto(
        `${browser.baseUrl}/teams/it?period=quarter&at=${today}&q=${encodeURIComponent(word)}`,
      );
      await page.evaluate(
        readFileSync(join(process.cwd(), 'node_modules/axe-core/axe.min.js'), 'utf8'),
      );
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<unknown> } })
          .axe;
        const result = (await axe.run('section.report-comments', {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
        })) as { violations: { id: string; nodes: { html: string }[] }[] };
        return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.html) }));
      });
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
