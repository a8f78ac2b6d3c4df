import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { TestApp } from './test-app';

/**
 * Debian's Chromium, headless, with a fresh profile; playwright-core never downloads a browser.
 * The background-networking flags keep it from calling out of this closed network.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const BROWSER_TIMEOUT = 120_000;

export interface BrowserSession {
  context: BrowserContext;
  /** The app's address on a real port. */
  baseUrl: string;
  /** Where screenshots go (kept out of git, kept by CI). */
  screenshots: string;
  close(): Promise<void>;
}

/**
 * Puts the test app on a real port (`options.port`, else any free one) and opens Chromium on it.
 * A given port lets BASE_URL be known before the app starts (an identity provider's redirect URI).
 */
export async function openBrowser(
  t: TestApp,
  options: { port?: number } = {},
): Promise<BrowserSession> {
  await t.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const screenshots = join(t.config.projectRoot, 'test-artifacts', 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  // Playwright passes the profile as --user-data-dir (it refuses that flag in `args`), and a
  // persistent context is the way to hand it one.
  const userDataDir = mkdtempSync(join(tmpdir(), 'inpulse-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    locale: 'en-US', // the person's own locale must win over Accept-Language
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    baseUrl: `http://127.0.0.1:${port}`,
    screenshots,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A second Chromium with a fresh, non-persistent context: another person on another machine
 * (no cookie of the first session), browsing in `locale` (its Accept-Language).
 */
export async function openGuestBrowser(
  locale: string,
): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  return { browser, context };
}

/**
 * A new page whose script errors and console errors land in `errors` (a test then expects it
 * empty). With `responses`, every answer of 400 or more is recorded too, and Chromium's own
 * "Failed to load resource" console line, which says the same, is left out.
 */
export async function watchedPage(
  context: BrowserContext,
  errors: string[],
  options: { responses?: boolean } = {},
): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (options.responses && message.text().startsWith('Failed to load resource')) return;
    errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  if (options.responses)
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
  return page;
}
