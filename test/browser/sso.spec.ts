/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { SsoSettingsService } from '../../src/modules/sso/sso-settings.service';
import { createTeam } from '../factories';
import { axeViolations, describeViolations } from '../setup/axe';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser } from '../setup/browser';
import { freePort } from '../setup/free-port';
import { startTestProvider, type TestProvider } from '../setup/oidc-provider';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Signing in through a real OpenID provider (oidc-provider, started here) in a real headless
 * Chromium, by redirects only: HR, then a lead whose group maps to a team and who lands on that
 * team's page; signing out reaches the provider's end-session page and comes back.
 */
describe('sign-in through the identity provider, in a real browser', () => {
  let provider: TestProvider;
  let t: TestApp;
  let browser: BrowserSession;
  let team: { slug: string; name: string };

  beforeAll(async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    provider = await startTestProvider(
      [
        { id: 'hana', email: 'hana@corp.example', name: 'Hana HR', groups: ['hr-admins'] },
        { id: 'leo', email: 'leo@corp.example', name: 'Leo Lead', groups: ['it-leads'] },
      ],
      { baseUrl, allowCreate: true },
    );
    t = await startTestApp({ ...provider.env, BASE_URL: baseUrl });
    team = await createTeam(t, 'IT Service Desk');
    const settings = t.get(SsoSettingsService);
    const actor = {
      kind: 'token' as const,
      id: '00000000-0000-0000-0000-000000000000',
      name: 't',
      scopes: [],
    };
    await settings.addRule(
      actor,
      { groupName: 'hr-admins', role: 'admin', teamSlug: '' },
      { ip: '127.0.0.1' },
    );
    await settings.addRule(
      actor,
      { groupName: 'it-leads', role: 'lead', teamSlug: team.slug },
      { ip: '127.0.0.1' },
    );
    browser = await openBrowser(t, { port });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await provider?.close();
  }, BROWSER_TIMEOUT);

  async function signInAtProvider(page: Page, login: string, landsOn: (url: URL) => boolean) {
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(provider.issuer)),
      page.locator('#sso-sign-in').click(),
    ]);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(browser.baseUrl) && landsOn(url)),
      page.locator('button[type="submit"]').first().click(),
    ]);
  }

  it(
    'signs HR in, signs out at the provider too, then a lead lands on their team',
    async () => {
      const page = await browser.context.newPage();
      await page.goto(`${browser.baseUrl}/login?next=/admin/users`);
      await signInAtProvider(page, 'hana', (url) => url.pathname === '/admin/users');
      await page.screenshot({ path: join(browser.screenshots, 'sso-hr-signed-in.png') });
      expect(await page.locator('h1').first().textContent()).toMatch(/People|Users/i);
      const hana = await t.get(AccountsService).findByEmail('hana@corp.example');
      expect(hana?.role).toBe('admin');

      // HR's page of rules: readable, and nothing axe-core finds against WCAG 2 A and AA.
      await page.goto(`${browser.baseUrl}/admin/sso`);
      expect(await page.locator('#sso-rules').textContent()).toContain('it-leads');
      await page.screenshot({ path: join(browser.screenshots, 'sso-admin.png'), fullPage: true });
      expect(describeViolations('/admin/sso', await axeViolations(page))).toEqual([]);

      // Sign-out: inpulse's session ends, and the browser reaches the provider's end-session page.
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(`${provider.issuer}/session/end`)),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(`${browser.baseUrl}/login`)),
        page.locator('button[name="logout"]').click(),
      ]);
      const after = await page.goto(`${browser.baseUrl}/admin/users`);
      expect(page.url()).toContain('/login');
      expect(after?.status()).toBeLessThan(500);

      // The lead: their group maps to the team, and `next` brings them to its page.
      await page.goto(`${browser.baseUrl}/login?next=/teams/${team.slug}`);
      await signInAtProvider(page, 'leo', (url) => url.pathname === `/teams/${team.slug}`);
      await page.screenshot({ path: join(browser.screenshots, 'sso-lead-team.png') });
      expect(await page.locator('h1').first().textContent()).toContain(team.name);
      const leo = await t.get(AccountsService).findByEmail('leo@corp.example');
      expect(leo?.role).toBe('lead');
      await page.close();
    },
    BROWSER_TIMEOUT,
  );
});
