/// <reference lib="dom" />
import type { Locator, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { createCampaign, createTeam } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * Post/redirect/get in a real headless Chromium: every form that creates or changes something
 * answers with a redirect, so reloading the page afterwards asks the server for the page again
 * (a GET) and nothing is created, sent or done a second time. Counted in the tables and the audit
 * log after the reload. Secrets shown once (integration secret, API token, set-up link) are
 * shown after the redirect and gone after the reload.
 */
describe('forms redirect after the POST: a reload repeats nothing', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let page: Page;
  let baseUrl: string;
  const errors: string[] = [];
  const email = `hr.prg.${Date.now()}@example.com`;
  let password = TEST_PASSWORD;

  beforeAll(async () => {
    t = await startTestApp({ REPORTING_THRESHOLD: '3' });
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: 'Pia PRG',
      role: 'admin',
      teamSlugs: [],
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], password, {
      ip: '127.0.0.1',
    });
    browser = await openBrowser(t);
    baseUrl = browser.baseUrl;
    page = await watchedPage(browser.context, errors);
    await page.goto(`${baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  const count = async (sql: string, params: unknown[] = []) =>
    ((await t.dataSource.query(sql, params)) as { n: number }[])[0].n;
  const audited = (action: string) =>
    count('SELECT count(*)::int AS n FROM audit_event WHERE action = $1', [action]);

  /** Submits with `button`, then reloads what the browser shows: the reload must be a GET. */
  async function submitAndReload(button: Locator): Promise<void> {
    await Promise.all([page.waitForNavigation(), button.click()]);
    const reloaded = await page.reload();
    expect(reloaded?.request().method()).toBe('GET');
    expect(reloaded?.status()).toBe(200);
  }

  it(
    'creates an integration once, showing its secret once; rotates its secret once',
    async () => {
      const desk = await createTeam(t, 'PRG Desk');
      await page.goto(`${baseUrl}/admin/integrations`);
      await page.locator('#integration-kind').selectOption('generic');
      await page.locator('#integration-name').fill('PRG intake');
      await page.locator('#integration-team').selectOption(desk.slug);
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'Create' }).click(),
      ]);
      expect(await page.locator('#signing-secret').textContent()).toMatch(/^whsec_/);
      const reloaded = await page.reload();
      expect(reloaded?.request().method()).toBe('GET');
      expect(await page.locator('#signing-secret').count()).toBe(0);
      expect(
        await count(`SELECT count(*)::int AS n FROM integration WHERE name = 'PRG intake'`),
      ).toBe(1);
      expect(await audited('integration.created')).toBe(1);

      await submitAndReload(page.getByRole('button', { name: 'Rotate the secret' }));
      expect(await audited('integration.secret_rotated')).toBe(1);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'saves a team profile once, with a date typed in the date field, and says so once',
    async () => {
      const desk = await createTeam(t, 'PRG Profile Desk');
      await page.goto(`${baseUrl}/teams/${desk.slug}`);
      await Promise.all([page.waitForNavigation(), page.locator('#team-profile-link').click()]);
      await page.locator('#p-en-handles').fill('Laptops and accounts');
      await page.locator('#p-fa-handles').fill('لپ‌تاپ و حساب‌ها');
      await page.locator('#p-zone').fill('Europe/Madrid');
      await page.getByLabel('Monday, interval 1, opens').fill('09:00');
      await page.getByLabel('Monday, interval 1, closes').fill('17:00');
      await page.getByLabel('Exception 0: date').fill('2026-12-25');
      await page.getByLabel('Exception 0: label').fill('Christmas Day');
      await page.getByLabel('Exception 0: closed all day').check();
      await page.getByLabel('Channel 0: address, number or place').fill('help@example.com');
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'Save the profile' }).click(),
      ]);
      expect(await page.locator('#profile-saved').textContent()).toContain('saved');
      const reloaded = await page.reload();
      expect(reloaded?.request().method()).toBe('GET');
      expect(await page.locator('#profile-saved').count()).toBe(0);
      expect(await page.getByLabel('Exception 0: date').inputValue()).toBe('2026-12-25');
      const [row] = await t.dataSource.query(
        `SELECT purpose, hours_exceptions, contact_channels FROM service_team WHERE slug = $1`,
        [desk.slug],
      );
      expect(row.purpose.fa.handles).toBe('لپ‌تاپ و حساب‌ها');
      expect(row.hours_exceptions).toEqual([
        { date: '2026-12-25', label: 'Christmas Day', closed: true },
      ]);
      expect(row.contact_channels).toEqual([{ kind: 'email', value: 'help@example.com' }]);
      expect(await audited('team.profile_updated')).toBe(1);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'invites a person once and creates an API token once',
    async () => {
      const users = () => count('SELECT count(*)::int AS n FROM app_user');
      const before = await users();
      await page.goto(`${baseUrl}/admin/users`);
      await page.locator('#invite-email').fill(`invitee.${Date.now()}@example.com`);
      await page.locator('#invite-name').fill('Ivo Invitee');
      await page.locator('#invite-role').selectOption('viewer');
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'Invite' }).click(),
      ]);
      expect(await page.getByText('was invited').count()).toBe(1);
      const reloaded = await page.reload();
      expect(reloaded?.request().method()).toBe('GET');
      expect(await page.getByText('was invited').count()).toBe(0);
      expect(await users()).toBe(before + 1);
      expect(await audited('user.invited')).toBe(2); // the test's own administrator, and Ivo

      const tokens = () => count('SELECT count(*)::int AS n FROM api_token');
      const tokensBefore = await tokens();
      await page.goto(`${baseUrl}/admin/tokens`);
      await page.locator('#token-name').fill('PRG sync');
      await page.getByLabel('directory:read').check();
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('button', { name: 'Create' }).click(),
      ]);
      expect(await page.locator('#new-token').count()).toBe(1);
      await page.reload();
      expect(await page.locator('#new-token').count()).toBe(0);
      expect(await tokens()).toBe(tokensBefore + 1);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'sends one test mail, pauses, resumes and archives a campaign once each',
    async () => {
      const desk = await createTeam(t, 'PRG campaign desk');
      const campaign = await createCampaign(t, { name: 'PRG pulse', teamSlugs: [desk.slug] });
      const tests = () =>
        count(`SELECT count(*)::int AS n FROM mail_message WHERE kind = 'campaign-test'`);
      await page.goto(`${baseUrl}/campaigns/${campaign.id}`);
      await submitAndReload(page.getByRole('button', { name: 'Send me a test' }));
      expect(await tests()).toBe(1);
      await submitAndReload(page.getByRole('button', { name: 'Pause' }));
      expect(await audited('campaign.paused')).toBe(1);
      await submitAndReload(page.getByRole('button', { name: 'Resume' }));
      expect(await audited('campaign.resumed')).toBe(1);
      await page.getByRole('link', { name: 'Archive…' }).click();
      await page.getByLabel('Yes, archive it for good').check();
      await submitAndReload(page.getByRole('button', { name: 'Archive the campaign' }));
      expect(await audited('campaign.archived')).toBe(1);
      expect(await page.locator('.status-archived').count()).toBe(1);
      expect(await tests()).toBe(1);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );

  it(
    'changes the password once',
    async () => {
      await page.goto(`${baseUrl}/account/password`);
      await page.locator('#current').fill(password);
      password = 'another long password for PRG';
      await page.locator('#password').fill(password);
      await page.locator('#confirm').fill(password);
      await submitAndReload(page.getByRole('button', { name: 'Change password' }));
      expect(await audited('auth.password_changed')).toBe(1);
      expect(await audited('auth.password_change_failed')).toBe(0);
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
