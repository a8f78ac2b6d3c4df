import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { openJson } from '../../src/common/crypto/sealing';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import type { SealedSubmission } from '../../src/modules/responses/entities/pending-response.entity';
import { FollowUpsService } from '../../src/modules/tickets/follow-ups.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam } from '../factories';
import { createIntegration, deliver, sendQueuedMail, ticketRowId } from '../factories/webhooks';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser } from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * The survey after a ticket in a real headless Chromium: the mail's "8" button opens the survey
 * with 8 selected; the person says why, asks to be contacted, and sends.
 */
describe('the survey after a ticket in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let context: BrowserContext;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp({ TICKET_INVITE_MAX_WAIT_HOURS: '0' });
    browser = await openBrowser(t);
    ({ context, baseUrl } = browser);
  }, BROWSER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  it(
    'one click on a score, then "why?" and "you may contact me", then send',
    async () => {
      const team = await createTeam(t, 'Field Services');
      await t.get(DirectoryService).create({ email: 'noor@example.com', name: 'Noor Haddad' });
      const integration = await createIntegration(t, 'generic', {
        defaultTeam: team.slug,
        delayMinutes: 0,
      });
      const at = Date.now() - 60_000;
      await deliver(t, integration, {
        type: 'ticket.resolved',
        occurredAt: new Date(at).toISOString(),
        ticket: {
          id: 'FS-88',
          requester: { email: 'noor@example.com' },
          category: 'Printer',
          createdAt: new Date(at - 2 * 3_600_000).toISOString(),
          resolvedAt: new Date(at).toISOString(),
        },
      });
      const id = (await ticketRowId(t, integration.id, 'FS-88')) as string;
      expect(await t.get(TicketSurveysService).run(id)).toBe('sent');
      // The invitation batch (a job every ten minutes) invites the person.
      expect(await t.get(TicketSurveysService).inviteDecided()).toBe(1);
      expect(await sendQueuedMail(t)).toBe(1);
      const [mail] = await t.dataSource.query(
        `SELECT text FROM outbox_message WHERE to_address = 'noor@example.com'`,
      );
      const link = (mail.text as string).match(/8: (http:\/\/\S+\?score=8)/)![1];

      await context.clearCookies();
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      const missing: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) missing.push(`${response.status()} ${response.url()}`);
      });
      const opened = await page.goto(link.replace('http://localhost:3000', baseUrl));
      expect(opened?.status()).toBe(200);
      await expect(page.locator('h1').first().textContent()).resolves.toContain('Field Services');
      expect(await page.locator('input[type="radio"][value="8"]').isChecked()).toBe(true);
      // Nothing is recorded by opening the link.
      expect(await t.dataSource.query('SELECT 1 FROM pending_response')).toHaveLength(0);

      await page.locator('textarea').first().fill('Quick, but the printer jammed again next day.');
      await page.getByLabel(/may contact me about this/).check();
      await page.locator('#contact-message').fill('Happy to show you the printer.');
      await page.screenshot({
        path: join(browser.screenshots, 'ticket-survey-form.png'),
        fullPage: true,
      });
      await page.locator('button[type="submit"]').click();
      await page.waitForLoadState();
      await expect(page.locator('h1').textContent()).resolves.toContain('Thank you');
      await expect(page.locator('body').textContent()).resolves.toContain(
        'within the hour, the team’s lead will have your name',
      );
      // No script or style was blocked; the only miss is the browser's own favicon request.
      expect(missing.filter((m) => !m.endsWith('/favicon.ico'))).toEqual([]);
      expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);

      // The answer waits sealed (readable only with APP_SECRET, as the mixer will open it), with
      // the 8 of the mail's button and the comment; of the ticket, only the resolution band is
      // kept, on the invitation.
      const pending: { sealed: Buffer }[] = await t.dataSource.query(
        'SELECT sealed FROM pending_response',
      );
      expect(pending).toHaveLength(1);
      expect(pending[0].sealed.toString('latin1')).not.toMatch(/Printer|printer jammed|noor/i);
      const submission = openJson<SealedSubmission>(
        t.config.appSecret,
        'pending-answer',
        pending[0].sealed,
      )!;
      const answers = submission.blocks.flatMap((b) => b.answers);
      expect(answers.map((a) => a.score)).toContain(8);
      expect(answers.map((a) => a.text)).toContain('Quick, but the printer jammed again next day.');
      expect(JSON.stringify(submission)).not.toContain('Printer');
      const [invitation] = await t.dataSource.query(
        `SELECT i.id, i.resolution_band, i.answered FROM invitation i
           JOIN employee e ON e.id = i.employee_id WHERE e.email = 'noor@example.com'`,
      );
      expect(invitation).toEqual({
        id: submission.invitationId,
        resolution_band: '<4h',
        answered: false,
      });
      // The request to be contacted waits, sealed, for the hourly follow-up job.
      expect(await t.dataSource.query('SELECT 1 FROM follow_up')).toHaveLength(0);
      expect(await t.get(FollowUpsService).release()).toBe(1);
      const [followUp] = await t.dataSource.query('SELECT employee_name, message FROM follow_up');
      expect(followUp).toEqual({
        employee_name: 'Noor Haddad',
        message: 'Happy to show you the printer.',
      });
    },
    BROWSER_TIMEOUT,
  );
});

describe('the "after tickets" part of a team page in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true', TICKET_INVITE_MAX_WAIT_HOURS: '0' });
    await t.get(DemoService).seedIfEmpty();
    browser = await openBrowser(t);
  }, BROWSER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  it(
    'shows last month’s iNPS after tickets, service standards and busiest hours of the demo',
    async () => {
      const accounts = t.get(AccountsService);
      const email = `hr.browser.${Date.now()}@example.com`;
      const { link } = await accounts.invite(undefined, {
        email,
        name: 'HR',
        role: 'admin',
        teamSlugs: [],
      });
      await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
        ip: '127.0.0.1',
      });
      const page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      const missing: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) missing.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${browser.baseUrl}/login`);
      await page.locator('#email').fill(email);
      await page.locator('#password').fill(TEST_PASSWORD);
      await Promise.all([
        page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      const now = new Date();
      const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15))
        .toISOString()
        .slice(0, 10);
      const opened = await page.goto(
        `${browser.baseUrl}/teams/it-service-desk?period=month&at=${lastMonth}`,
      );
      expect(opened?.status()).toBe(200);
      const tickets = page.locator('section', { has: page.locator('#tickets-title') });
      const standards = page.locator('section', { has: page.locator('#standards-title') });
      await expect(tickets.locator('.source-split').textContent()).resolves.toMatch(
        /After tickets\s*-?\d/,
      );
      await expect(standards.locator('table.standards').textContent()).resolves.toMatch(
        /First response\s*\d+ (min|h)/,
      );
      expect(await standards.locator('table.hours td[class^="busy-"]').count()).toBe(7 * 24);
      expect(await standards.locator('table.hours td.busy-5').count()).toBeGreaterThan(0);
      await tickets.screenshot({ path: join(browser.screenshots, 'team-after-tickets.png') });
      await standards.screenshot({ path: join(browser.screenshots, 'team-service-standards.png') });
      // Scripts and styles all loaded (CSP included); the only miss is the browser's favicon.
      expect(missing.filter((m) => !m.endsWith('/favicon.ico'))).toEqual([]);
      expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
