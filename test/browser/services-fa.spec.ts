import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ServicesClock } from '../../src/modules/services/services-clock';
import { createTeam } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The service directory in Persian, in a real headless Chromium: the organisation chart is drawn
 * (boxes laid out as a tree, children below their parent, connector lines visible), the page is
 * right-to-left, and the open-now badge says so in Persian. Screenshots go to
 * test-artifacts/screenshots like the other browser tests'.
 */
describe('the service directory in Persian, in a browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  const slugs: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const root = await createTeam(t, 'IT');
    const desk = await createTeam(t, 'Service Desk', root.slug);
    const network = await createTeam(t, 'Network', root.slug);
    const hr = await createTeam(t, 'HR');
    Object.assign(slugs, { root: root.slug, desk: desk.slug, network: network.slug, hr: hr.slug });
    const hours = JSON.stringify(
      [1, 2, 3, 4, 5].map((day) => ({ day, opens: '09:00', closes: '17:00' })),
    );
    await t.dataSource.query(
      `UPDATE service_team SET time_zone = 'Asia/Tehran', opening_hours = $1,
              purpose = '{"fa": {"handles": "لپ‌تاپ، تلفن و حساب کاربری", "excludes": ""}}'`,
      [hours],
    );
    // Wednesday 3 June 2026, 12:00 in Tehran (UTC+3:30): open.
    t.get(ServicesClock).fix(new Date('2026-06-03T08:30:00Z'));
    browser = await openBrowser(t);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  const box = (page: Page, slug: string) => page.locator(`a.org-box[data-slug="${slug}"]`);

  it(
    'draws the chart right-to-left, children below parents, with connectors and the open badge in Persian',
    async () => {
      const errors: string[] = [];
      const page = await watchedPage(browser.context, errors, { responses: true });
      await page.goto(`${browser.baseUrl}/services?lang=fa`);
      expect(
        await page.evaluate(() => [
          document.documentElement.lang,
          document.documentElement.dir,
          getComputedStyle(document.body).direction,
        ]),
      ).toEqual(['fa', 'rtl', 'rtl']);

      const parent = await box(page, slugs.root).boundingBox();
      const desk = await box(page, slugs.desk).boundingBox();
      const network = await box(page, slugs.network).boundingBox();
      const hr = await box(page, slugs.hr).boundingBox();
      const root = await page.locator('.org-root').boundingBox();
      for (const b of [parent, desk, network, hr, root]) expect(b).not.toBeNull();
      // The top-level teams side by side on one row below the root; right-to-left, the first
      // ("HR" before "IT") stands to the right.
      expect(parent!.y).toBeGreaterThan(root!.y + root!.height);
      expect(Math.abs(parent!.y - hr!.y)).toBeLessThan(2);
      expect(hr!.x).toBeGreaterThan(parent!.x);
      // Sub-teams below their parent, stacked, within its span and indented from its start
      // (the right, in Persian).
      for (const child of [desk!, network!]) {
        expect(child.y).toBeGreaterThan(parent!.y + parent!.height);
        expect(child.x).toBeGreaterThanOrEqual(parent!.x - 1);
        expect(child.x + child.width).toBeLessThan(parent!.x + parent!.width);
      }
      const [upper, lower] = [network!, desk!].sort((a, b) => a.y - b.y);
      expect(lower.y).toBeGreaterThanOrEqual(upper.y + upper.height);

      // The connectors are drawn: the root's drop, the bar over the row, the elbows.
      const connectors = await page.evaluate(() => {
        const style = (selector: string, pseudo: string) => {
          const s = getComputedStyle(document.querySelector(selector) as Element, pseudo);
          return {
            content: s.content,
            start: `${s.borderInlineStartWidth} ${s.borderInlineStartStyle}`,
            top: `${s.borderTopWidth} ${s.borderTopStyle}`,
            bottom: `${s.borderBottomWidth} ${s.borderBottomStyle}`,
          };
        };
        return {
          drop: style('.org-row', '::before'),
          bar: style('.org-row > li:first-child', '::after'),
          elbow: style('.org-stack > li', '::before'),
        };
      });
      expect(connectors.drop).toMatchObject({ content: '""', start: '2px solid' });
      expect(connectors.bar).toMatchObject({ content: '""', top: '2px solid', start: '2px solid' });
      expect(connectors.elbow).toMatchObject({
        content: '""',
        start: '2px solid',
        bottom: '2px solid',
      });

      const badge = box(page, slugs.desk).locator('.badge-open');
      await expect(badge.textContent()).resolves.toContain('اکنون باز است');
      await page.screenshot({
        path: join(browser.screenshots, 'services-fa-chart.png'),
        fullPage: true,
      });

      // A phone's width: the same tree drawn downwards, still readable, still right-to-left.
      await page.setViewportSize({ width: 360, height: 780 });
      const narrowParent = await box(page, slugs.root).boundingBox();
      const narrowDesk = await box(page, slugs.desk).boundingBox();
      expect(narrowDesk!.y).toBeGreaterThan(narrowParent!.y + narrowParent!.height);
      // Indented towards the left in right-to-left: the child's right edge is left of the parent's.
      expect(narrowDesk!.x + narrowDesk!.width).toBeLessThan(narrowParent!.x + narrowParent!.width);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(1);
      await page.screenshot({
        path: join(browser.screenshots, 'services-fa-chart-360.png'),
        fullPage: true,
      });

      await box(page, slugs.desk).click();
      await page.waitForURL(`**/services/${slugs.desk}`);
      await expect(page.locator('#open-state').textContent()).resolves.toContain('اکنون باز است');
      await page.screenshot({
        path: join(browser.screenshots, 'services-fa-team.png'),
        fullPage: true,
      });
      expect(errors).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT,
  );
});
