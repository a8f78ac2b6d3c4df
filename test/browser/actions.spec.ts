/// <reference lib="dom" />
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * A lead in a real Chromium, on the demo: turns a theme of a period's comments into an action
 * from the team page, marks it done from the team's action list, and sees the trend chart draw
 * a marker line for it (its pixels, in the markers' violet), without a script error.
 */
describe('action plans in a real browser', () => {
  // The current period, as the lead opens it (without `at` a page lands on the last closed one).
  const today = new Date().toISOString().slice(0, 10);
  let t: TestApp;
  let browser: BrowserSession;
  let context: BrowserContext;
  let baseUrl: string;
  let screenshots: string;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    browser = await openBrowser(t);
    ({ context, baseUrl, screenshots } = browser);
    const email = `lead.actions.${Date.now()}@example.com`;
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Lena Lead',
      role: 'lead',
      teamSlugs: ['it'],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    page = await watchedPage(context, errors, { responses: true });
    await page.goto(`${baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  /** Pixels of the trend canvas in the markers' violet (#7048e8). */
  async function markerInk(): Promise<number> {
    await page
      .waitForFunction(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('#trend-chart');
        return !!canvas && canvas.width > 0;
      })
      .catch(() => undefined);
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    return page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#trend-chart')!;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (
          data[i + 3] > 150 &&
          Math.abs(data[i] - 0x70) < 30 &&
          Math.abs(data[i + 1] - 0x48) < 30 &&
          Math.abs(data[i + 2] - 0xe8) < 30
        )
          n++;
      return n;
    });
  }

  it(
    'turns a comment theme into an action, marks it done, and sees it on the trend chart',
    async () => {
      // The demo's done actions are drawn already.
      await page.goto(`${baseUrl}/teams/it-service-desk?period=month&at=${today}`, {
        waitUntil: 'load',
      });
      const before = await markerInk();
      expect(before).toBeGreaterThan(20);
      await page.screenshot({ path: join(screenshots, 'actions-1-markers.png'), fullPage: true });

      // From the comments of the quarter: the form names the period and warns not to quote.
      await page.goto(`${baseUrl}/teams/it-service-desk?period=quarter&at=${today}`, {
        waitUntil: 'load',
      });
      await Promise.all([
        page.waitForURL(/\/actions\/new\?origin=comments/),
        page.locator('a.start-action[href*="origin=comments"]').click(),
      ]);
      expect(await page.locator('#heard').inputValue()).toMatch(/^Comments of \d{4} Q\d: $/);
      expect(await page.getByText('Summarise, do not quote').isVisible()).toBe(true);
      await page.screenshot({ path: join(screenshots, 'actions-3-form.png'), fullPage: true });
      await page.locator('#heard').fill('Several people find the VPN drops during video calls.');
      await page.locator('#planned').fill('Replace the VPN client on every laptop.');
      await page.locator('input[name="published"]').check();
      await page.locator('#tr_es_heard').fill('Varias personas dicen que la VPN se corta.');
      await page.locator('#tr_es_planned').fill('Sustituir el cliente VPN en cada portátil.');
      await Promise.all([
        page.waitForURL(/\/teams\/it-service-desk\/actions$/),
        page.getByRole('button', { name: 'Create the action' }).click(),
      ]);
      expect(await page.getByText('The action was created.').isVisible()).toBe(true);
      // Post/redirect/get: a reload asks for the list again and creates nothing.
      const counts = async () =>
        (
          await t.dataSource.query(
            `SELECT (SELECT count(*) FROM team_action)::int AS actions,
                    (SELECT count(*) FROM audit_event WHERE action LIKE 'action.%')::int AS audited`,
          )
        )[0] as { actions: number; audited: number };
      const created = await counts();
      await page.reload({ waitUntil: 'load' });
      expect(await counts()).toEqual(created);
      expect(await page.getByText('The action was created.').count()).toBe(0);

      // Done, from the list.
      const row = page.locator('tr.action-row', {
        hasText: 'Replace the VPN client on every laptop.',
      });
      await row.locator('select[name="status"]').selectOption('done');
      await Promise.all([
        page.waitForURL(/\/teams\/it-service-desk\/actions$/),
        row.getByRole('button', { name: 'Change' }).click(),
      ]);
      expect(await page.getByText('The action is now done.').isVisible()).toBe(true);
      await page.screenshot({ path: join(screenshots, 'actions-4-list.png'), fullPage: true });
      const [stored] = await t.dataSource.query(
        `SELECT status, published, origin, origin_ref FROM team_action WHERE planned = $1`,
        ['Replace the VPN client on every laptop.'],
      );
      expect(stored).toMatchObject({ status: 'done', published: true, origin: 'comments' });

      // The chart marks it this month.
      await page.goto(`${baseUrl}/teams/it-service-desk?period=month&at=${today}`, {
        waitUntil: 'load',
      });
      expect(await page.locator('.action-marker', { hasText: 'Replace the VPN' }).count()).toBe(1);
      expect(await markerInk()).toBeGreaterThan(before);
      await page.locator('#trend-chart').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'actions-2-marker-added.png') });
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
