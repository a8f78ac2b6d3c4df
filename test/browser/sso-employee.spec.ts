/// <reference lib="dom" />
import { join } from 'node:path';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { EMPLOYEE_COOKIE } from '../../src/modules/employees/employee-sessions.service';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser } from '../setup/browser';
import { freePort } from '../setup/free-port';
import { startTestProvider, type TestProvider } from '../setup/oidc-provider';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * An employee signs in through a real OpenID provider in a real headless Chromium, by redirects
 * only, from the employee sign-in page, and lands on "my surveys" with the employee cookie (on
 * /me and /services only) and no staff session.
 */
describe('an employee signs in through the identity provider, in a real browser', () => {
  let provider: TestProvider;
  let t: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    provider = await startTestProvider(
      [{ id: 'ema', email: 'ema@corp.example', name: 'Ema Employee', groups: ['staff'] }],
      { baseUrl },
    );
    t = await startTestApp({ ...provider.env, BASE_URL: baseUrl });
    await t.get(DirectoryService).importCsv('email,name,locale\nema@corp.example,Ema Employee,es');
    browser = await openBrowser(t, { port });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await provider?.close();
  }, BROWSER_TIMEOUT);

  it(
    'follows "sign in with your company account" to the provider and back to my surveys',
    async () => {
      const page = await browser.context.newPage();
      await page.goto(`${browser.baseUrl}/me/sign-in?lang=es`);
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(provider.issuer)),
        page.locator('#sign-in-provider').click(),
      ]);
      await page.locator('input[name="login"]').fill('ema');
      await page.locator('input[name="password"]').fill('any password');
      await Promise.all([
        page.waitForURL((url) => url.href === `${browser.baseUrl}/me/surveys`),
        page.locator('button[type="submit"]').first().click(),
      ]);
      await page.screenshot({ path: join(browser.screenshots, 'sso-employee-surveys.png') });
      expect(await page.locator('main').textContent()).toContain('Ema Employee');
      const cookies = await browser.context.cookies();
      expect(
        cookies
          .filter((c) => c.name === EMPLOYEE_COOKIE)
          .map((c) => c.path)
          .sort(),
      ).toEqual(['/me', '/services']);
      expect(cookies.find((c) => c.name === 'inpulse_session')).toBeUndefined();
      await page.close();
    },
    BROWSER_TIMEOUT,
  );
});
