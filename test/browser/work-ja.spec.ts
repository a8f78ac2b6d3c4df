/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createEmployees, createTeam } from '../factories';
import {
  BROWSER_TIMEOUT,
  type BrowserSession,
  openBrowser,
  openGuestBrowser,
  watchedPage,
} from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * Two people at work in their own language, in a real Chromium: a lead who switches the pages
 * to Japanese creates an action (a refused form first, worded in Japanese), and an HR admin
 * whose browser speaks Spanish drafts a campaign, the live audience count worded in Spanish.
 * Screenshots go to test-artifacts/screenshots (work-ja-*, work-es-*).
 */
describe('working pages in Japanese and Spanish in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let guest: { browser: Browser; context: BrowserContext } | undefined;
  let context: BrowserContext;
  let baseUrl: string;
  let screenshots: string;
  let team: { slug: string; id: string };
  const errors: string[] = [];

  async function account(role: 'lead' | 'admin', teamSlugs: string[]) {
    const email = `${role}.work.${Date.now()}@example.com`;
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: role === 'lead' ? '山田 花子' : 'Lucía Gómez',
      role,
      teamSlugs,
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    return email;
  }

  async function signIn(page: Page, email: string) {
    await page.goto(`${baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
      page.locator('form[action="/login"] button[type="submit"]').click(),
    ]);
  }

  beforeAll(async () => {
    t = await startTestApp();
    team = await createTeam(t, 'インフラ窓口');
    await createEmployees(t, 6, { department: 'Finanzas' });
    browser = await openBrowser(t);
    ({ context, baseUrl, screenshots } = browser);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await guest?.browser.close();
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  it(
    'a lead in Japanese creates an action',
    async () => {
      const page = await watchedPage(context, errors);
      await signIn(page, await account('lead', [team.slug]));
      // The switch in the header: saved on the account.
      await page.goto(`${baseUrl}/teams/${team.slug}/actions`, { waitUntil: 'load' });
      await page.locator('#ui-language').selectOption('ja');
      await Promise.all([
        page.waitForURL(/\/teams\/.+\/actions$/, { waitUntil: 'load' }),
        page.locator('form.language-switch button[type="submit"]').click(),
      ]);
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');
      expect(await page.locator('h1').textContent()).toBe('アクション · インフラ窓口');

      await Promise.all([
        page.waitForURL(/\/actions\/new$/, { waitUntil: 'load' }),
        page.getByRole('link', { name: 'アクションを始める' }).click(),
      ]);
      await page.locator('#heard').fill('x');
      await page.locator('#planned').fill('ノートPCの貸し出しを当日中に行います。');
      await page.locator('#locale').selectOption('ja');
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'アクションを作成' }).click(),
      ]);
      const refused = page.locator('.form-errors');
      expect(await refused.textContent()).toContain('何も保存されていません');
      expect(await refused.textContent()).toContain('寄せられた声は2〜500文字で入力してください');
      await page.screenshot({ path: join(screenshots, 'work-ja-1-refused.png'), fullPage: true });
      // The refusal is a 400, which Chromium logs; nothing else may go wrong.
      expect(errors).toEqual([
        'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ]);
      errors.splice(0);

      await page.locator('#heard').fill('ノートPCの貸し出しに時間がかかるという声がありました。');
      await page.locator('#dueOn').fill('2027-03-31');
      await Promise.all([
        page.waitForURL(/\/teams\/.+\/actions$/, { waitUntil: 'load' }),
        page.getByRole('button', { name: 'アクションを作成' }).click(),
      ]);
      expect(await page.getByText('アクションを作成しました。').isVisible()).toBe(true);
      const row = page.locator('tr.action-row', { hasText: 'ノートPCの貸し出しを当日中に' });
      expect(await row.locator('time').textContent()).toBe('2027/03/31');
      expect(await row.getByText('予定').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(screenshots, 'work-ja-2-list.png'), fullPage: true });
      const [stored] = await t.dataSource.query(
        `SELECT locale, status, to_char(due_on, 'YYYY-MM-DD') AS due FROM team_action WHERE team_id = $1`,
        [team.id],
      );
      expect(stored).toEqual({ locale: 'ja', status: 'planned', due: '2027-03-31' });
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'HR in Spanish drafts a campaign, with the live count in Spanish',
    async () => {
      const email = await account('admin', []);
      // Another person on another machine, whose browser asks for Spanish.
      guest = await openGuestBrowser('es-ES');
      const page = await watchedPage(guest.context, errors);
      await signIn(page, email);
      await page.goto(`${baseUrl}/campaigns/new?template=pulse`, { waitUntil: 'load' });
      expect(await page.locator('html').getAttribute('lang')).toBe('es');
      expect(await page.locator('h1').textContent()).toBe('Nueva campaña');
      await page.locator('#c-name').fill('Pulso de invierno');
      await page.locator('#c-teams').selectOption(team.slug);
      await page.locator('#c-departments').selectOption('Finanzas');
      await page.waitForFunction(() =>
        /^Se invitaría a 6 personas$/.test(document.getElementById('audience-count')!.textContent!),
      );
      await page.screenshot({ path: join(screenshots, 'work-es-1-form.png'), fullPage: true });
      await Promise.all([
        page.waitForURL(/\/campaigns\/[0-9a-f-]{36}\?created=1$/, { waitUntil: 'load' }),
        page.getByRole('button', { name: 'Crear la campaña' }).click(),
      ]);
      expect(await page.getByText('Campaña creada.').isVisible()).toBe(true);
      expect(await page.locator('#audience-now').textContent()).toBe('6');
      expect(await page.locator('.status').first().textContent()).toBe('Activa');
      await page.screenshot({ path: join(screenshots, 'work-es-2-campaign.png'), fullPage: true });
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
