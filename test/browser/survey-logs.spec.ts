import type { IncomingMessage, Server } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Page } from 'playwright-core';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser } from '../setup/browser';
import { createEmployees, createSurvey, inviteAndCollectTokens } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

interface LogLine {
  time: number;
  msg: string;
  req?: { method?: string; url?: string; remoteAddress?: string };
}

/**
 * The log reader of threat (b), as the attack was found: survey routes (/s/…) are not logged, but
 * the pages they draw load a stylesheet (and the browser asks for a favicon). Served for
 * revalidation on every view, `GET /assets/app.css` followed each submit within milliseconds,
 * logged with the respondent's address and the instant: who answered when. A real browser answers
 * here; nothing it asks for while answering may leave a line with its address, and the pages after
 * the first must not ask for the stylesheet again.
 */
describe('answering in a real browser leaves no address and time in the logs', () => {
  let t: TestApp;
  let browser: BrowserSession;
  const lines: LogLine[] = [];
  /** Every request that reached the server, by path, as the socket saw it. */
  const reached: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
    });
    t = await startTestApp({ LOG_LEVEL: 'log' }, { logStream: stream });
    browser = await openBrowser(t);
    (t.app.getHttpServer() as Server).prependListener('request', (request: IncomingMessage) =>
      reached.push(request.url ?? ''),
    );
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  async function settled(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  it(
    'a survey answered, its link opened again and an unknown link: no request line, no asset re-fetched',
    async () => {
      const { questions, survey } = await createSurvey(t);
      const [person] = await createEmployees(t, 1);
      const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
      const nps = questions.find((q) => q.type === 'nps')!;
      const page: Page = await browser.context.newPage();
      page.setDefaultTimeout(15_000);

      const from = Date.now();
      const before = reached.length;
      expect((await page.goto(`${browser.baseUrl}/s/${token}`))?.status()).toBe(200);
      const css = await page.evaluate(() =>
        Array.from(document.querySelectorAll('link[rel="stylesheet"]')).map(
          (l) => (l as HTMLLinkElement).href,
        ),
      );
      expect(css).toHaveLength(1);
      // The stylesheet applied (the page is styled, not blocked by CSP or a bad address).
      expect(
        await page.evaluate(() => getComputedStyle(document.querySelector('main')!).maxWidth),
      ).not.toBe('none');
      await settled();
      const firstView = reached.slice(before);

      await page
        .locator(`#question-${nps.id} label.scale-option`)
        .filter({ has: page.locator('input[value="3"]') })
        .click();
      const [posted] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.locator('form.survey-form button[type="submit"]').click(),
      ]);
      expect(posted.status()).toBe(200);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await settled();
      // The link again (410), then a link that does not exist (404): the pages of /s/ errors.
      expect((await page.goto(`${browser.baseUrl}/s/${token}`))?.status()).toBe(410);
      expect((await page.goto(`${browser.baseUrl}/s/${'x'.repeat(43)}`))?.status()).toBe(404);
      await settled();
      const to = Date.now();
      const later = reached.slice(before + firstView.length);

      // Whatever was asked for, no line of the whole journey holds a request.
      const during = lines.filter((l) => l.time >= from && l.time <= to);
      expect(during.filter((l) => l.req !== undefined || /request|route/i.test(l.msg))).toEqual([]);
      expect(
        lines.filter((l) => /^\/(s|assets|favicon)/i.test(l.req?.url ?? '')).map((l) => l.req),
      ).toEqual([]);
      // The first view fetched the page and its stylesheet, and nothing else (no favicon).
      expect(firstView.filter((url) => !url.startsWith('/s/'))).toEqual([
        css[0].replace(browser.baseUrl, ''),
      ]);
      // Later views took the stylesheet from the browser's cache: only the pages were asked for.
      expect(later.filter((url) => !url.startsWith('/s/'))).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT,
  );
});
