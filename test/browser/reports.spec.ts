/// <reference lib="dom" />
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * A team lead's report page in a real headless Chromium, against the real app on a port, with the
 * demo data: signs in through the login form, checks that Chart.js really drew both charts (by
 * reading the canvases' pixels), that a withheld period shows its message and no chart, that a
 * team outside the lead's scope is a 404, and that the Content-Security-Policy let the page's
 * scripts run (a blocked script or a violation is a console error).
 */
const TIMEOUT = BROWSER_TIMEOUT;

interface CanvasInk {
  width: number;
  height: number;
  /** Share of the canvas's pixels that are not fully transparent. */
  inked: number;
  /** Pixels close to a given colour (the target line's green, the band's blue). */
  target: number;
  band: number;
}

describe('a team report in a real browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let browser: BrowserSession;
  let baseUrl: string;
  let screenshots: string;
  let page: Page;
  const errors: string[] = [];
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    browser = await openBrowser(t);
    ({ context, baseUrl, screenshots } = browser);

    // A lead of IT, who therefore sees IT and its sub-teams, and nothing else.
    const email = `lead.browser.${Date.now()}@example.com`;
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

    page = await watchedPage(context, errors);

    // Sign in through the real form, like a person would.
    const form = await page.goto(`${baseUrl}/login`);
    expect(form?.status()).toBe(200);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect((await context.cookies()).some((c) => c.name === 'inpulse_session')).toBe(true);
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, TIMEOUT);

  beforeEach(() => {
    errors.length = 0;
  });

  async function shot(name: string): Promise<void> {
    // Let a frame with the drawn canvases reach the screen first: one run's full-page shot had
    // blank charts although their pixels were already checked.
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }

  /** Reads a canvas's pixels in the page: how much of it was drawn, and in which colours. */
  function inkOf(selector: string): Promise<CanvasInk> {
    return page.evaluate((sel) => {
      const canvas = document.querySelector<HTMLCanvasElement>(sel);
      if (!canvas) throw new Error(`no canvas ${sel}`);
      const { width, height } = canvas;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
      const near = (i: number, [r, g, b]: number[], tolerance: number) =>
        Math.abs(pixels[i] - r) <= tolerance &&
        Math.abs(pixels[i + 1] - g) <= tolerance &&
        Math.abs(pixels[i + 2] - b) <= tolerance;
      let inked = 0;
      let target = 0;
      let band = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const alpha = pixels[i + 3];
        if (alpha === 0) continue;
        inked++;
        if (alpha > 200 && near(i, [0x2b, 0x8a, 0x3e], 24)) target++; // #2b8a3e, the target line
        if (alpha > 20 && alpha < 60 && near(i, [59, 91, 219], 24)) band++; // the 95% band, 15%
      }
      return { width, height, inked: inked / (width * height), target, band };
    }, selector);
  }

  /** Waits (bounded) until the canvas has ink, then returns what it holds. */
  async function drawn(selector: string): Promise<CanvasInk> {
    await page
      .waitForFunction(
        (sel) => {
          const canvas = document.querySelector<HTMLCanvasElement>(sel);
          if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          for (let i = 3; i < data.data.length; i += 4) if (data.data[i] !== 0) return true;
          return false;
        },
        selector,
        { timeout: 10_000 },
      )
      .catch(() => undefined); // the assertions below say what is wrong
    return inkOf(selector);
  }

  it(
    'draws the trend and the score distribution of IT Service Desk',
    async () => {
      const opened = await page.goto(
        `${baseUrl}/teams/it-service-desk?period=quarter&at=${today}`,
        { waitUntil: 'load' },
      );
      expect(opened?.status()).toBe(200);
      expect(await page.locator('h1').first().textContent()).toContain('IT Service Desk');
      // The headline has a number (the demo quarter has enough responses).
      expect(await page.locator('.nps-value').textContent()).toMatch(/^-?\d+(\.\d+)?$/);

      const trend = await drawn('#trend-chart');
      const distribution = await drawn('#distribution-chart');
      await shot('report-1-quarter');

      for (const canvas of [trend, distribution]) {
        expect(canvas.width).toBeGreaterThan(100);
        expect(canvas.height).toBeGreaterThan(100);
        expect(canvas.inked).toBeGreaterThan(0.01);
      }
      // The trend shows the team's dashed target line and the shaded 95% band.
      expect(trend.target).toBeGreaterThan(50);
      expect(trend.band).toBeGreaterThan(200);
      // Chart.js itself holds the two charts, with the data the server rendered.
      const charts = await page.evaluate(() => {
        const { Chart } = window as unknown as {
          Chart: { getChart(id: string): { data: { datasets: { label: string }[] } } | undefined };
        };
        return ['trend-chart', 'distribution-chart'].map((id) =>
          Chart.getChart(id)?.data.datasets.map((d) => d.label),
        );
      });
      expect(charts).toEqual([
        ['95% interval', '95% interval', 'iNPS', expect.stringMatching(/^Target \(-?\d+\)$/)],
        ['Responses'],
      ]);

      // The same page scrolled to the charts, at the viewport's size, for a closer look.
      await page.locator('#trend-chart').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'report-2-trend.png') });
      await page.locator('#distribution-chart').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, 'report-3-distribution.png') });

      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'shows a withheld period as such, without a distribution chart',
    async () => {
      const opened = await page.goto(`${baseUrl}/teams/it-service-desk?period=week&at=2020-01-06`, {
        waitUntil: 'load',
      });
      expect(opened?.status()).toBe(200);
      const withheld = page.getByText('fewer than 5 responses').first();
      await withheld.waitFor({ state: 'visible' });
      expect(await withheld.isVisible()).toBe(true);
      expect(await page.locator('.headline .kpi-value .withheld').first().isVisible()).toBe(true);
      expect(await page.locator('#distribution-chart').count()).toBe(0);
      expect(await page.locator('.nps-value').count()).toBe(0);
      await shot('report-4-withheld-week');
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'the survey-facing part of the same demo works in Persian, right to left',
    async () => {
      const links = await t.get(DemoService).liveLinks(4);
      const persian = links.find((l) => l.locale === 'fa');
      expect(persian).toBeDefined();
      const survey = await context.newPage();
      // The one-click score link of the mail: the score is pre-selected, nothing is recorded yet.
      const opened = await survey.goto(`${baseUrl}${new URL(persian!.url).pathname}?score=9`, {
        waitUntil: 'load',
      });
      expect(opened?.status()).toBe(200);
      const layout = await survey.evaluate(() => {
        const scale = document.querySelector('.scale-nps')!;
        const option = (v: number) =>
          Array.from(scale.querySelectorAll('label'))
            .find((l) => l.querySelector(`input[value="${v}"]`))!
            .getBoundingClientRect();
        const checked = document.querySelector<HTMLInputElement>('input[type="radio"]:checked');
        return {
          dir: document.documentElement.dir,
          lang: document.documentElement.lang,
          direction: getComputedStyle(document.querySelector('main')!).direction,
          zeroRightOfTen: option(0).left > option(10).right,
          checked: checked?.value,
        };
      });
      expect(layout).toEqual({
        dir: 'rtl',
        lang: 'fa',
        direction: 'rtl',
        zeroRightOfTen: true,
        checked: '9',
      });
      await survey.screenshot({
        path: join(screenshots, 'report-6-survey-fa.png'),
        fullPage: true,
      });
      await survey.close();
    },
    TIMEOUT,
  );

  it(
    'answers 404 for a team outside the lead’s scope',
    async () => {
      const opened = await page.goto(`${baseUrl}/teams/facilities?period=quarter&at=${today}`, {
        waitUntil: 'load',
      });
      expect(opened?.status()).toBe(404);
      expect(await page.content()).not.toContain('Facilities');
      expect(await page.locator('canvas').count()).toBe(0);
      await shot('report-5-not-found');
      // The browser reports the 404 document itself as a failed load; nothing else may appear.
      expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    },
    TIMEOUT,
  );
});
