/// <reference lib="dom" />
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { I18n } from '../../src/common/i18n/i18n.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import { createEmployees, createTeam } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

/**
 * HR in a real headless Chromium: signs in, creates a campaign in the pages, watches the live
 * audience count follow the filters (the page's script asking the server), sends a test to their
 * own address — the mail arrives at the SMTP server started here — and opens its link.
 */
describe('HR creates a campaign in a real browser', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let browser: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  const errors: string[] = [];
  const email = `hr.browser.${Date.now()}@example.com`;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    // With job workers, as in production: the test mail goes out through the mail pipeline's jobs.
    t = await startTestApp({ SMTP_URL: smtp.url, REPORTING_THRESHOLD: '3', JOB_WORKERS: 'true' });
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Hanna HR',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    browser = await openBrowser(t);
    ({ context, baseUrl } = browser);
    page = await watchedPage(context, errors, { responses: true });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  }, BROWSER_TIMEOUT);

  const shot = (name: string) =>
    page.screenshot({ path: join(browser.screenshots, `campaign-${name}.png`), fullPage: true });

  it(
    'signs in, creates a campaign with the audience count, and sends a test that arrives',
    async () => {
      const desk = await createTeam(t, 'Service Desk');
      await createEmployees(t, 7, { department: 'Browser-Sales' });
      await createEmployees(t, 4, { department: 'Browser-Legal' });

      await page.goto(`${baseUrl}/login`);
      await page.locator('#email').fill(email);
      await page.locator('#password').fill(TEST_PASSWORD);
      await Promise.all([
        page.waitForURL((url) => url.pathname !== '/login'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);

      await page.getByRole('link', { name: 'Campaigns' }).click();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.locator('#c-name').fill('Browser pulse');
      await page.locator('#c-teams').selectOption(desk.slug);
      const count = page.locator('#audience-count');
      // The script counts everyone first, then follows the filter.
      await page.waitForFunction(() =>
        /people would be invited/.test(document.getElementById('audience-count')!.textContent!),
      );
      await page.locator('#c-departments').selectOption('Browser-Sales');
      await page.waitForFunction(() =>
        document.getElementById('audience-count')!.textContent!.startsWith('7 people'),
      );
      expect(await count.textContent()).toBe('7 people would be invited');
      await page.locator('#c-departments').selectOption(['Browser-Sales', 'Browser-Legal']);
      await page.waitForFunction(() =>
        document.getElementById('audience-count')!.textContent!.startsWith('11 people'),
      );
      await page.locator('#c-k').fill('3');
      await shot('1-form');
      await Promise.all([
        page.waitForURL(/\/campaigns\/[0-9a-f-]{36}/),
        page.getByRole('button', { name: 'Create campaign' }).click(),
      ]);
      expect(await page.locator('h1').textContent()).toContain('Browser pulse');
      expect(await page.locator('#audience-now').textContent()).toBe('11');
      await shot('2-created');

      await page.locator('#test-locale').selectOption('ja');
      await page.getByRole('button', { name: 'Send me a test' }).click();
      await page.getByText(`A test mail is on its way to ${email}`).waitFor();
      await shot('3-test-sent');

      // The mail arrived at the SMTP server started by this test.
      const isTest = (m: (typeof smtp.mails)[number]) =>
        JSON.stringify(m.to).includes(email) && /^\[テスト\]/.test(m.subject ?? '');
      await until('the test mail at the SMTP server', () => smtp.mails.some(isTest));
      const mail = smtp.mails.find(isTest);
      // The subject is the title respondents see in Japanese (the template's), not HR's name.
      expect(mail?.subject).toBe(
        '[テスト] 社内サービスについてのアンケート：匿名のアンケートのお願い',
      );
      const link = mail!.text!.match(/http:\/\/localhost:3000(\/s\/test\/\S+)/)![1];

      // Its link shows the survey, in Japanese, and records nothing.
      await page.goto(`${baseUrl}${link}`);
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');
      expect(await page.locator('.rated-team h2').first().textContent()).toBe('Service Desk');
      await shot('4-test-link');
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});

/** The demo campaign's report in a real browser: the chart drawn, the waves and their heatmaps. */
describe('a campaign report in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  const errors: string[] = [];
  const email = `hr.report.${Date.now()}@example.com`;

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Rita Report',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    browser = await openBrowser(t);
    page = await watchedPage(browser.context, errors, { responses: true });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  it(
    'shows participation, results and heatmaps per wave, and draws the chart',
    async () => {
      await page.goto(`${browser.baseUrl}/login`);
      await page.locator('#email').fill(email);
      await page.locator('#password').fill(TEST_PASSWORD);
      await Promise.all([
        page.waitForURL((url) => url.pathname !== '/login'),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await page.goto(`${browser.baseUrl}/campaigns`);
      await page.getByRole('link', { name: 'Monthly internal-service pulse' }).click();
      await page.getByRole('link', { name: 'Report', exact: true }).click();
      expect(await page.locator('h1').textContent()).toContain('report');
      expect(await page.locator('.wave-report').count()).toBe(3);
      // Each wave's heatmap has a row per rated team, with shaded cells.
      expect(
        await page.locator('.wave-report').first().locator('table.heatmap tbody tr').count(),
      ).toBe(3);
      expect(await page.locator('table.heatmap td[class^="heat-"]').count()).toBeGreaterThan(10);
      await page.waitForFunction(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('#campaign-chart');
        if (!canvas || canvas.width === 0) return false;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked++;
        return inked > 500;
      });
      await page.screenshot({
        path: join(browser.screenshots, 'campaign-5-report.png'),
        fullPage: true,
      });
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it.each(['fa', 'ja'])(
    'draws the chart with its legend and axes in %s, numbers in its digits',
    async (lang) => {
      const i18n = new I18n(join(process.cwd(), 'views', 'locales'));
      const report = page.url();
      expect(report).toMatch(/\/campaigns\/[0-9a-f-]{36}\/report$/);
      // The switch in the header saves the person's language.
      await page.locator('#ui-language').selectOption(lang);
      await Promise.all([
        page.waitForLoadState('load'),
        page.locator('.language-switch button').click(),
      ]);
      await page.goto(report, { waitUntil: 'load' });
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await page.waitForFunction(() => {
        const chart = (window as unknown as { Chart?: { getChart(id: string): unknown } }).Chart;
        return Boolean(chart?.getChart('campaign-chart'));
      });
      const drawn = await page.evaluate(() => {
        type Scale = { title: { text: string }; ticks: { callback: (v: number) => string } };
        const chart = (
          window as unknown as {
            Chart: {
              getChart(id: string): {
                data: { datasets: { label: string }[] };
                options: { scales: { score: Scale; rate: Scale; x: { reverse: boolean } } };
              };
            };
          }
        ).Chart.getChart('campaign-chart');
        const { score, rate, x } = chart.options.scales;
        return {
          labels: chart.data.datasets.map((d) => d.label),
          score: score.title.text,
          rate: rate.title.text,
          tick: score.ticks.callback(-50),
          reversed: x.reverse,
        };
      });
      expect(drawn.labels[0]).toBe(i18n.t(lang, 'reports.campaign.chart_participation'));
      expect(drawn.labels).not.toContain('participation %');
      expect(drawn.score).toBe(i18n.t(lang, 'reports.campaign.chart_score'));
      expect(drawn.rate).toBe(i18n.t(lang, 'reports.campaign.chart_rate'));
      expect(drawn.tick).toBe(i18n.number(lang, -50));
      expect(drawn.reversed).toBe(lang === 'fa');
      await page.screenshot({
        path: join(browser.screenshots, `campaign-6-report-${lang}.png`),
        fullPage: true,
      });
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
