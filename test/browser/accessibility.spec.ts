/// <reference lib="dom" />
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import { createEmployees, createSurvey, inviteAndCollectTokens } from '../factories';
import { describeViolations, axeViolations } from '../setup/axe';
import {
  BROWSER_TIMEOUT,
  type BrowserSession,
  openBrowser,
  openGuestBrowser,
  watchedPage,
} from '../setup/browser';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * Every signed-in page, as HR and as a lead, in a real Chromium on the demo data, at a phone's
 * width (360 px) and a laptop's (1280 px): the page never scrolls sideways (a wide table
 * scrolls in its own box), axe-core finds nothing against WCAG 2 A and AA (colour contrast
 * included), and printed, the header, navigation and forms are gone with no separator left
 * alone. After a refused form the error summary has the focus. The employees' pages (a survey,
 * the service directory) go through axe at 360 px too. Screenshots of each page and width are
 * kept in test-artifacts/screenshots.
 */
const WIDTHS = [360, 1280];
const TIMEOUT = 10 * BROWSER_TIMEOUT;

describe('pages that read at a glance: every width, WCAG AA, print and error focus', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let leadBrowser: { browser: Browser; context: BrowserContext };
  let hr: Page;
  let lead: Page;
  const errors: string[] = [];
  const ids = { campaign: '', integration: '', action: '', actionTeam: '' };

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    browser = await openBrowser(t);
    leadBrowser = await openGuestBrowser('en-US');
    const stamp = Date.now();
    hr = await signedIn(browser.context, `hr.a11y.${stamp}@example.com`, 'admin', []);
    lead = await signedIn(leadBrowser.context, `lead.a11y.${stamp}@example.com`, 'lead', ['it']);

    const [campaign] = await t.dataSource.query(`SELECT id FROM campaign ORDER BY name LIMIT 1`);
    const [integration] = await t.dataSource.query(
      `SELECT id FROM integration ORDER BY name LIMIT 1`,
    );
    const [action] = await t.dataSource.query(
      `SELECT a.id, s.slug FROM team_action a JOIN service_team s ON s.id = a.team_id
        WHERE s.slug = 'it' OR s.parent_id = (SELECT id FROM service_team WHERE slug = 'it')
        ORDER BY a.created_at LIMIT 1`,
    );
    Object.assign(ids, {
      campaign: campaign.id,
      integration: integration.id,
      action: action.id,
      actionTeam: action.slug,
    });
  }, TIMEOUT);

  afterAll(async () => {
    await leadBrowser?.browser.close();
    await browser?.close();
    await t?.close();
  }, TIMEOUT);

  beforeEach(() => {
    errors.length = 0;
  });

  /** A person with an account, signed in through the login form in `context`. */
  async function signedIn(
    context: BrowserContext,
    email: string,
    role: 'admin' | 'lead',
    teamSlugs: string[],
  ): Promise<Page> {
    const accounts = t.get(AccountsService);
    const { link } = await accounts.invite(undefined, {
      email,
      name: `A ${role}`,
      role,
      teamSlugs,
    });
    await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
      ip: '127.0.0.1',
    });
    const page = await watchedPage(context, errors, { responses: true });
    await page.goto(`${browser.baseUrl}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(TEST_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    return page;
  }

  /** A file name for a page's screenshot. */
  const shotName = (who: string, path: string, width: number | string) =>
    `a11y-${who}-${
      path
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'id')
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/^-|-$/g, '') || 'home'
    }-${width}.png`;

  /** A screenshot of the whole page (its first 12,000 px: the outbox and audit log are long). */
  async function shoot(page: Page, name: string): Promise<void> {
    const height = await page.evaluate(() => document.scrollingElement!.scrollHeight);
    const { width } = page.viewportSize()!;
    await page.screenshot({
      path: join(browser.screenshots, name),
      fullPage: true,
      clip: height > 12_000 ? { x: 0, y: 0, width, height: 12_000 } : undefined,
      timeout: 60_000,
    });
  }

  /**
   * The page at each width, then printed: what is wrong with it, one line each (empty when
   * nothing is).
   */
  async function check(
    page: Page,
    who: string,
    path: string,
    widths = WIDTHS,
    printed = true,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      const response = await page.goto(`${browser.baseUrl}${path}`, { waitUntil: 'load' });
      if (response?.status() !== 200) {
        problems.push(`${path}: answered ${response?.status()}`);
        continue;
      }
      const overflow = await sidewaysOverflow(page);
      if (overflow) problems.push(`${path} at ${width} px: ${overflow}`);
      problems.push(...describeViolations(`${path} at ${width} px`, await axeViolations(page)));
      await shoot(page, shotName(who, path, width));
    }
    if (printed) {
      problems.push(...(await printProblems(page)).map((p) => `${path} printed: ${p}`));
      await shoot(page, shotName(who, path, 'print'));
      await page.emulateMedia({ media: 'screen' });
    }
    return problems;
  }

  it(
    'HR’s pages: reports, actions, follow-ups, campaigns',
    async () => {
      const pages = [
        '/',
        '/teams/it',
        '/teams/it/profile',
        '/teams/it/actions',
        `/teams/${ids.actionTeam}/actions/new`,
        `/teams/${ids.actionTeam}/actions/${ids.action}/edit`,
        '/actions',
        '/follow-ups',
        '/campaigns',
        '/campaigns/new',
        `/campaigns/${ids.campaign}`,
        `/campaigns/${ids.campaign}/edit`,
        `/campaigns/${ids.campaign}/archive`,
        `/campaigns/${ids.campaign}/report`,
      ];
      const problems: string[] = [];
      for (const path of pages) problems.push(...(await check(hr, 'hr', path)));
      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'HR’s pages: integrations, people, employees, tokens, audit, mail, settings, account',
    async () => {
      const pages = [
        '/admin/integrations',
        `/admin/integrations/${ids.integration}`,
        '/admin/users',
        '/admin/employees',
        '/admin/tokens',
        '/admin/audit',
        '/admin/mail',
        '/admin/settings',
        '/outbox',
        '/account/password',
      ];
      const problems: string[] = [];
      for (const path of pages) problems.push(...(await check(hr, 'hr', path)));
      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'a lead’s pages',
    async () => {
      const pages = [
        '/',
        '/teams/it',
        '/teams/it/profile',
        '/teams/it/actions',
        '/teams/it/actions/new',
        '/actions',
        '/follow-ups',
        '/account/password',
      ];
      const problems: string[] = [];
      for (const path of pages) problems.push(...(await check(lead, 'lead', path)));
      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'a lead’s pages in Persian, right to left, at 360 px',
    async () => {
      const language = async (code: string) => {
        await lead.locator('#ui-language').selectOption(code);
        await Promise.all([
          lead.waitForEvent('framenavigated'),
          lead.locator('form.language-switch button[type="submit"]').click(),
        ]);
        await lead.waitForLoadState('load');
      };
      await lead.setViewportSize({ width: 360, height: 900 });
      await lead.goto(`${browser.baseUrl}/actions`);
      await language('fa');
      expect(await lead.evaluate(() => document.documentElement.dir)).toBe('rtl');
      const problems: string[] = [];
      try {
        for (const path of ['/', '/teams/it', '/teams/it/actions', '/follow-ups'])
          problems.push(...(await check(lead, 'lead-fa', path, [360], false)));
      } finally {
        await language('en');
      }
      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
    },
    TIMEOUT,
  );

  /** What has the focus: its tag, id and classes. */
  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}#${el.id}.${Array.from(el.classList).join('.')}` : '';
    });

  /** A refusal is a 4xx that names what is wrong: never a 500, never accepted. */
  const refusal = (status: number | undefined) =>
    status !== undefined && status >= 400 && status < 500;

  /** The errors a page reported, less the refusals the test asked for (4xx answers). */
  const unexpected = (lines: string[]) =>
    lines.filter(
      (line) => !/^4\d\d |^console: Failed to load resource: .* status of 4\d\d/.test(line),
    );

  /** Submits a form by its button and waits for the page that answers. */
  async function submit(page: Page, button: string): Promise<number | undefined> {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' || r.url().includes('?')),
      page.locator(button).click(),
    ]);
    await page.waitForLoadState('load');
    return response.status();
  }

  it(
    'after a refused form, the error summary has the focus',
    async () => {
      await hr.setViewportSize({ width: 360, height: 900 });
      await lead.setViewportSize({ width: 360, height: 900 });

      // HR: a campaign with a time zone that does not exist.
      await hr.goto(`${browser.baseUrl}/campaigns/new`);
      await hr.locator('#c-name').fill('Refused in the browser');
      await hr.locator('#c-tz').fill('Mars/Base');
      expect(refusal(await submit(hr, '#campaign-form button[type="submit"].primary'))).toBe(true);
      expect(await focused(hr)).toMatch(/^div#form-errors\.form-errors/);
      await shoot(hr, 'a11y-refused-campaign-360.png');

      // HR: the audit log's filter, a range that ends before it starts (a GET form).
      await hr.goto(`${browser.baseUrl}/admin/audit`);
      await hr.locator('#audit-from').fill('2026-03-04');
      await hr.locator('#audit-to').fill('2026-03-01');
      expect(refusal(await submit(hr, 'form.row-form button[type="submit"]'))).toBe(true);
      expect(await focused(hr)).toMatch(/^div#\.form-errors/);

      // A lead: the team profile with an opening time that is not one.
      await lead.goto(`${browser.baseUrl}/teams/it/profile`);
      await lead.locator('input[name="hours_1_1_opens"]').fill('25:99');
      expect(refusal(await submit(lead, '#profile-form button[type="submit"]'))).toBe(true);
      expect(await focused(lead)).toMatch(/^div#form-errors\.form-errors/);
      await shoot(lead, 'a11y-refused-profile-360.png');

      // Signing in with a wrong password, in a browser nobody signed in with.
      const guest = await leadBrowser.browser.newContext({ viewport: { width: 360, height: 900 } });
      const login = await watchedPage(guest, []);
      await login.goto(`${browser.baseUrl}/login`);
      await login.locator('#email').fill('nobody@example.com');
      await login.locator('#password').fill('not the password');
      expect(refusal(await submit(login, 'button[type="submit"].primary'))).toBe(true);
      expect(await focused(login)).toMatch(/^p#\.form-errors/);
      await guest.close();
      expect(unexpected(errors)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'the employees’ pages at 360 px: a survey (and its refused form), the service directory',
    async () => {
      const { survey } = await createSurvey(t);
      const [person] = await createEmployees(t, 1);
      const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
      const guest = await leadBrowser.browser.newContext({ viewport: { width: 360, height: 900 } });
      const page = await watchedPage(guest, errors);
      const problems: string[] = [];
      const visit = async (path: string, name: string) => {
        const response = await page.goto(`${browser.baseUrl}${path}`);
        expect(response?.status()).toBe(200);
        await audit(path);
        await shoot(page, `a11y-employee-${name}-360.png`);
      };
      const audit = async (where: string) => {
        const overflow = await sidewaysOverflow(page);
        if (overflow) problems.push(`${where}: ${overflow}`);
        problems.push(...describeViolations(where, await axeViolations(page)));
      };
      await visit(`/s/${token}`, 'survey');
      // Sent with nothing chosen: refused, and the summary of what is missing has the focus
      // (the survey page loads no script: the summary is autofocused).
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.locator('form.survey-form button[type="submit"]').click(),
      ]);
      expect(refusal(refused.status())).toBe(true);
      // The response may arrive before the refused page replaces the old one (whose load state
      // is already "load"), and autofocus applies at the next rendering: wait for the summary,
      // then (at most 10 s) for the focus to reach it; the assertion below decides.
      await page.locator('#form-errors').waitFor();
      await page
        .waitForFunction(() => document.activeElement?.id === 'form-errors', undefined, {
          timeout: 10_000,
        })
        .catch(() => undefined);
      expect(await focused(page)).toMatch(/^div#form-errors\.form-errors/);
      await audit(`/s/… refused`);
      await shoot(page, 'a11y-employee-survey-refused-360.png');

      for (const lang of ['en', 'fa']) {
        await visit(`/services?lang=${lang}`, `services-${lang}`);
        await visit(`/services/it?lang=${lang}`, `services-team-${lang}`);
      }
      await visit('/services/it/review', 'review');
      await guest.close();
      expect(problems).toEqual([]);
      expect(unexpected(errors)).toEqual([]);
    },
    TIMEOUT,
  );
});

/**
 * Whether the page is wider than the window (it would scroll sideways), and if so, the deepest
 * elements that stick out, to say where to look.
 */
function sidewaysOverflow(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const scroller = document.scrollingElement!;
    const width = window.innerWidth;
    if (scroller.scrollWidth <= width) return undefined;
    const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
    const sticksOutBox = (box: DOMRect) =>
      box.width > 0 && (rtl ? box.left < -0.5 : box.right > width + 0.5);
    const sticksOut = (el: Element) => sticksOutBox(el.getBoundingClientRect());
    /** Inside a box that clips or scrolls what sticks out (which is not the page's problem). */
    const clipped = (el: Element) => {
      // An absolutely positioned element is clipped only from its containing block up.
      let block =
        getComputedStyle(el).position === 'absolute' ? (el as HTMLElement).offsetParent : null;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (block && up !== block) continue;
        block = null;
        if (getComputedStyle(up).overflowX !== 'visible') return true;
      }
      return false;
    };
    const culprits = Array.from(document.body.querySelectorAll('*')).filter(
      (el) => sticksOut(el) && !clipped(el),
    );
    const name = (el: Element) =>
      el.tagName.toLowerCase() +
      (el.id ? `#${el.id}` : '') +
      (el.classList.length ? `.${Array.from(el.classList).join('.')}` : '');
    // The deepest of them: where the width comes from.
    const out = culprits
      .filter((el) => !culprits.some((other) => other !== el && el.contains(other)))
      .map((el) => {
        const box = el.getBoundingClientRect();
        return `${name(el)} (${Math.round(box.left)}–${Math.round(box.right)})`;
      });
    // Text that runs out of its box (a word that cannot wrap).
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const box = range.getBoundingClientRect();
      const parent = node.parentElement!;
      if (
        box.width === 0 ||
        getComputedStyle(parent).overflowX !== 'visible' ||
        clipped(parent) ||
        !sticksOutBox(box)
      )
        continue;
      out.push(`text “${node.textContent!.trim().slice(0, 40)}” in ${name(parent)}`);
    }
    return `page ${scroller.scrollWidth} px wide in a ${width} px window: ${out.slice(0, 6).join(', ')}`;
  });
}

/**
 * The page printed (print media emulated): the header, its navigation and the forms are not
 * shown, and no separator ("·", "|") stands alone where the links around it were hidden.
 */
async function printProblems(page: Page): Promise<string[]> {
  await page.emulateMedia({ media: 'print' });
  return page.evaluate(() => {
    const problems: string[] = [];
    const shown = (el: Element) => {
      const style = getComputedStyle(el);
      return (
        el.getClientRects().length > 0 &&
        style.visibility !== 'hidden' &&
        parseFloat(style.fontSize) > 0
      );
    };
    for (const el of Array.from(document.querySelectorAll('header, nav, form, button')))
      if (shown(el)) problems.push(`${el.tagName.toLowerCase()} is printed`);
    // A separator at the start of a text needs something shown before it; at its end, after it.
    const blank = (n: Node | null) =>
      n?.nodeType === Node.TEXT_NODE && n.textContent!.trim() === '';
    const showsSomething = (n: Node | null): boolean => {
      if (!n) return false;
      if (n.nodeType === Node.TEXT_NODE) return !/^[\s·|•]*$/.test(n.textContent!);
      return n instanceof Element && shown(n) && (n.textContent ?? '').trim() !== '';
    };
    const sibling = (n: Node, way: 'previousSibling' | 'nextSibling') => {
      let s = n[way];
      while (blank(s)) s = s![way];
      return s;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const parent = node.parentElement!;
      if (!/[·|•]/.test(text) || !shown(parent)) continue;
      const lone =
        (/^\s*[·|•]/.test(text) && !showsSomething(sibling(node, 'previousSibling'))) ||
        (/[·|•]\s*$/.test(text) && !showsSomething(sibling(node, 'nextSibling')));
      if (lone)
        problems.push(
          `a separator left alone in “${text.trim()}” (${parent.tagName.toLowerCase()}.${parent.className})`,
        );
    }
    return [...new Set(problems)];
  });
}
