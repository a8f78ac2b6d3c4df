/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * HR's pages as an admin uses them, in a real headless Chromium: the audit log's filter form,
 * the invite form's default role, the CSV import from the employees page, the site's icon, and
 * the API's documentation page under the site's Content-Security-Policy.
 */
describe('HR’s admin pages in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  const email = `admin.pages.${Date.now()}@example.com`;
  /** Script errors, console errors and every answer of 400 or more, per test. */
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser(t);
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Ada Admin',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    page = await watchedPage(browser.context, errors, { responses: true });
    await page.goto(`${browser.baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
  }, BROWSER_TIMEOUT);

  beforeEach(() => {
    errors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  it(
    'filters the audit log by choosing an action and pressing Filter, then by typing an e-mail',
    async () => {
      await page.goto(`${browser.baseUrl}/admin/audit`);
      await page.locator('#audit-action').selectOption('auth.login');
      await Promise.all([
        page.waitForURL('**/admin/audit?**'),
        page.getByRole('button', { name: 'Filter' }).click(),
      ]);
      const actions = () => page.locator('tbody tr td:nth-child(3)').allTextContents();
      expect(await actions()).toContain('auth.login');
      expect(new Set(await actions())).toEqual(new Set(['auth.login']));
      expect(await page.locator('[role="alert"]').count()).toBe(0);

      await page.locator('#audit-action').selectOption('');
      await page.locator('#audit-user').fill(email.slice(0, 12).toUpperCase());
      await Promise.all([
        page.waitForURL('**/admin/audit?**'),
        page.getByRole('button', { name: 'Filter' }).click(),
      ]);
      const who = await page.locator('tbody tr td:nth-child(2)').allTextContents();
      expect(who.length).toBeGreaterThan(0);
      expect(new Set(who)).toEqual(new Set([email]));

      // A range that ends before it starts is said on the page, above the form.
      await page.locator('#audit-from').fill('2026-03-04');
      await page.locator('#audit-to').fill('2026-03-01');
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/admin/audit?')),
        page.getByRole('button', { name: 'Filter' }).click(),
      ]);
      expect(answer.status()).toBe(400);
      expect(await page.locator('[role="alert"]').textContent()).toContain(
        'To (2026-03-01) is before from (2026-03-04).',
      );
      errors.length = 0; // that 400 was the point
    },
    BROWSER_TIMEOUT,
  );

  it(
    'invites someone as a viewer unless the admin chooses more',
    async () => {
      await page.goto(`${browser.baseUrl}/admin/users`);
      expect(await page.locator('#invite-role').inputValue()).toBe('viewer');
      const invited = `invited.${Date.now()}@example.com`;
      await page.locator('#invite-email').fill(invited);
      await page.locator('#invite-name').fill('Ivo Invited');
      await Promise.all([
        page.waitForLoadState('load'),
        page.getByRole('button', { name: 'Invite' }).click(),
      ]);
      await page.getByText(`${invited} was invited`).waitFor();
      const [row] = await t.dataSource.query('SELECT role FROM app_user WHERE email = $1', [
        invited,
      ]);
      expect(row.role).toBe('viewer');
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'imports employees from a CSV file chosen on the employees page, or lists every problem',
    async () => {
      await page.goto(`${browser.baseUrl}/admin/employees`);
      const stamp = Date.now();
      const csv = [
        'email,name,department,locale',
        `uma.upload.${stamp}@example.com,Uma Upload,Finance,es`,
        `"vic.upload.${stamp}@example.com","Vic, Upload",Legal,fa`,
      ].join('\r\n');
      await page.locator('#import-file').setInputFiles({
        name: 'people.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv, 'utf8'),
      });
      const [posted] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Import' }).click(),
      ]);
      expect(posted.status()).toBe(303);
      expect(posted.request().headers()['content-type']).toMatch(
        /^multipart\/form-data; boundary=/,
      );
      await page.waitForURL('**/admin/employees?imported=**');
      expect(await page.getByRole('status').textContent()).toContain(
        'Imported: 2 added, 0 updated, 0 deactivated.',
      );
      const people = await t.dataSource.query(
        'SELECT name, department, locale FROM employee WHERE email LIKE $1 ORDER BY email',
        [`%.upload.${stamp}@example.com`],
      );
      expect(people).toEqual([
        { name: 'Uma Upload', department: 'Finance', locale: 'es' },
        { name: 'Vic, Upload', department: 'Legal', locale: 'fa' },
      ]);
      // Reloading the page after the import shows the list again and imports nothing more.
      await page.reload();
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_event WHERE action = 'directory.imported'`,
      );
      expect(n).toBe(1);

      // A file with bad rows imports nothing and says what is wrong, line by line.
      await page.locator('#import-file').setInputFiles({
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`email,name\nnot-an-address,X\nw.${stamp}@example.com,\n`),
      });
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Import' }).click(),
      ]);
      expect(refused.status()).toBe(400);
      const said = await page.locator('#import-errors').textContent();
      expect(said).toContain('Nothing was imported from bad.csv: 2 row(s) have problems.');
      expect(said).toContain('Line 2: email "not-an-address" is not a valid address');
      expect(said).toContain('Line 3:');
      expect(
        (
          await t.dataSource.query('SELECT 1 FROM employee WHERE email = $1', [
            `w.${stamp}@example.com`,
          ])
        ).length,
      ).toBe(0);
      errors.length = 0; // that 400 was the point
    },
    BROWSER_TIMEOUT,
  );

  it(
    'has an icon: in every page, and at /favicon.ico for whoever asks',
    async () => {
      const requested: string[] = [];
      const listen = (r: { url(): string }) => requested.push(new URL(r.url()).pathname);
      page.on('request', listen);
      await page.goto(`${browser.baseUrl}/admin/employees`);
      await page.goto(`${browser.baseUrl}/`);
      page.off('request', listen);
      // The pages carry the icon (the same drawing as public/favicon.svg) and ask for no other.
      const href = await page.locator('link[rel="icon"]').getAttribute('href');
      expect(
        decodeURIComponent(href!.replace(/^data:image\/svg\+xml,/, '')).replace(/'/g, '"'),
      ).toBe(readFileSync(join(t.config.projectRoot, 'public', 'favicon.svg'), 'utf8').trim());
      expect(requested.filter((p) => /favicon/i.test(p))).toEqual([]);
      const icon = await page.request.get(`${browser.baseUrl}/favicon.ico`);
      expect(icon.status()).toBe(200);
      expect(icon.headers()['content-type']).toBe('image/x-icon');
      const bytes = await icon.body();
      expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO file's signature
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'shows the API documentation with no Content-Security-Policy violation and no console error',
    async () => {
      const docs = await watchedPage(browser.context, errors, { responses: true });
      const violations: string[] = [];
      await docs.exposeFunction('reportViolation', (v: string) => violations.push(v));
      await docs.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) =>
          (window as unknown as { reportViolation(v: string): void }).reportViolation(
            `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
          ),
        );
      });
      const opened = await docs.goto(`${browser.baseUrl}/api/docs`);
      expect(opened?.status()).toBe(200);
      // A policy of its own, whose scripts are still only the app's files.
      const policy = opened?.headers()['content-security-policy'] ?? '';
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(await docs.title()).toBe('inpulse API');
      // Swagger UI drew the operations of the API, from its own document.
      await docs.locator('.opblock-summary-path', { hasText: '/api/v1/teams' }).first().waitFor();
      await docs.locator('.opblock-summary-path').first().click();
      await docs.locator('.opblock-body').first().waitFor();
      // Violations are reported as events queued after the fact: let those of the drawing in.
      await docs.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      await docs.screenshot({ path: join(browser.screenshots, 'api-docs.png') });
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
      await docs.close();
    },
    BROWSER_TIMEOUT,
  );
});
