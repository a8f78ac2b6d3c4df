import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser } from '../setup/browser';
import { openJson } from '../../src/common/crypto/sealing';
import type { SealedSubmission } from '../../src/modules/responses/entities/pending-response.entity';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createEmployees, createSurvey, inviteAndCollectTokens } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The survey link in a real headless Chromium, against the real app listening on a port: an
 * English journey and a Persian (right-to-left) one, each answered and submitted through the UI.
 * Uses the system Chromium; playwright-core never downloads a browser.
 */
const TIMEOUT = BROWSER_TIMEOUT;

describe('answering a survey in a real browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let browser: BrowserSession;
  let baseUrl: string;
  let screenshots: string;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser(t);
    ({ context, baseUrl, screenshots } = browser);
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, TIMEOUT);

  async function newPage(): Promise<Page> {
    await context.clearCookies();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }

  /** The label drawn for one score (the radio itself is invisible, covered by the label's span). */
  function scaleOption(page: Page, questionId: string, value: number) {
    return page
      .locator(`#question-${questionId} label.scale-option`)
      .filter({ has: page.locator(`input[value="${value}"]`) });
  }

  async function invite(locale: string) {
    const { survey, questions } = await createSurvey(t);
    const [person] = await createEmployees(t, 1, { locale });
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    const nps = questions.find((q) => q.type === 'nps')!;
    const text = questions.find((q) => q.type === 'text')!;
    return { survey, person, token, nps, text };
  }

  /**
   * The survey's pending answers as stored (sealed under a key derived from APP_SECRET, the
   * claim a keyed hash of the invitation), and as the mixer will open them.
   */
  async function pendingFor(surveyId: string) {
    const rows: { claim_key: Buffer; sealed: Buffer }[] = await t.dataSource.query(
      'SELECT claim_key, sealed FROM pending_response WHERE survey_id = $1',
      [surveyId],
    );
    return rows.map((row) => ({
      ...row,
      opened: openJson<SealedSubmission>(t.config.appSecret, 'pending-answer', row.sealed),
    }));
  }

  /** The person's invitation to the survey. */
  async function invitationOf(surveyId: string, email: string): Promise<string> {
    const [row] = await t.dataSource.query(
      `SELECT i.id FROM invitation i JOIN employee e ON e.id = i.employee_id
        WHERE i.survey_id = $1 AND e.email = $2`,
      [surveyId, email],
    );
    return row.id;
  }

  it(
    'English: pick a score, write a comment, submit, see the thank-you page',
    async () => {
      const { survey, person, token, nps, text } = await invite('en');
      const page = await newPage();

      const opened = await page.goto(`${baseUrl}/s/${token}`);
      expect(opened?.status()).toBe(200);
      expect(
        await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      ).toEqual(['en', 'ltr']);
      await expect(page.locator('h1').first().textContent()).resolves.toContain('How did');
      await shot(page, 'en-1-form');

      // Left to right: 0 is drawn to the left of 10.
      const zero = await scaleOption(page, nps.id, 0).boundingBox();
      const ten = await scaleOption(page, nps.id, 10).boundingBox();
      expect(zero && ten && zero.x < ten.x).toBe(true);

      await scaleOption(page, nps.id, 9).click();
      expect(await page.locator(`#question-${nps.id} input[value="9"]`).isChecked()).toBe(true);
      await page.locator(`#input-${text.id}`).fill('Quick and kind, thanks!');
      await shot(page, 'en-2-answered');

      const [posted] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && r.url().endsWith(`/s/${token}`),
        ),
        page.getByRole('button', { name: 'Send my answers' }).click(),
      ]);
      expect(posted.status()).toBe(200);
      const heading = page.getByRole('heading', { level: 1, name: /Thank you/ });
      await heading.waitFor({ state: 'visible' });
      expect(await heading.isVisible()).toBe(true);
      await shot(page, 'en-3-thanks');

      // Recorded sealed under the invitation's claim, without the person's language (the
      // language is a trait of the person: answers keep none); the mixer opens it.
      const pending = await pendingFor(survey.id);
      expect(pending).toHaveLength(1);
      expect(pending[0].sealed.includes(Buffer.from('Quick and kind, thanks!'))).toBe(false);
      const invitationId = await invitationOf(survey.id, person.email);
      expect(pending[0].claim_key.equals(t.get(ResponsesService).claimKey(invitationId))).toBe(
        true,
      );
      expect(Object.keys(pending[0].opened ?? {}).sort()).toEqual(['blocks', 'invitationId']);
      expect(pending[0].opened?.invitationId).toBe(invitationId);
      expect(pending[0].opened?.blocks).toHaveLength(1);
      expect(pending[0].opened?.blocks[0].teamId).toBe(survey.teamId);
      expect(pending[0].opened?.blocks[0].answers).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ question_id: nps.id, score: 9 }),
          expect.objectContaining({ question_id: text.id, text: 'Quick and kind, thanks!' }),
        ]),
      );
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'Persian: the page is right-to-left and mirrored, and the answer is recorded',
    async () => {
      const { survey, person, token, nps, text } = await invite('fa');
      const page = await newPage();

      const opened = await page.goto(`${baseUrl}/s/${token}`);
      expect(opened?.status()).toBe(200);
      const root = await page.evaluate(() => ({
        dir: document.documentElement.dir,
        lang: document.documentElement.lang,
        mainDirection: getComputedStyle(document.querySelector('main')!).direction,
      }));
      expect(root).toEqual({ dir: 'rtl', lang: 'fa', mainDirection: 'rtl' });
      await shot(page, 'fa-1-form');

      // Mirrored: the scale runs from the right, so 0 sits to the right of 10 on the same row.
      const zero = await scaleOption(page, nps.id, 0).boundingBox();
      const ten = await scaleOption(page, nps.id, 10).boundingBox();
      expect(zero).not.toBeNull();
      expect(ten).not.toBeNull();
      expect(Math.abs(zero!.y - ten!.y)).toBeLessThan(2);
      expect(zero!.x).toBeGreaterThan(ten!.x + ten!.width);

      // Answer with the keyboard this time: focus the score 9 radio, then Space selects it.
      await page.locator(`#question-${nps.id} input[value="9"]`).focus();
      await page.keyboard.press('Space');
      expect(await page.locator(`#question-${nps.id} input[value="9"]`).isChecked()).toBe(true);
      await page.locator(`#input-${text.id}`).fill('سریع و مؤدبانه بود.');
      await shot(page, 'fa-2-answered');

      const [posted] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && r.url().endsWith(`/s/${token}`),
        ),
        page.locator('form.survey-form button[type="submit"]').click(),
      ]);
      expect(posted.status()).toBe(200);
      const heading = page.getByRole('heading', { level: 1, name: /سپاسگزاریم/ });
      await heading.waitFor({ state: 'visible' });
      expect(
        await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
      ).toEqual(['fa', 'rtl']);
      await shot(page, 'fa-3-thanks');

      // Recorded sealed under the invitation's claim, without the person's language (the
      // language is a trait of the person: answers keep none); the mixer opens it.
      const pending = await pendingFor(survey.id);
      expect(pending).toHaveLength(1);
      expect(pending[0].sealed.includes(Buffer.from('سریع و مؤدبانه بود.'))).toBe(false);
      const invitationId = await invitationOf(survey.id, person.email);
      expect(pending[0].claim_key.equals(t.get(ResponsesService).claimKey(invitationId))).toBe(
        true,
      );
      expect(Object.keys(pending[0].opened ?? {}).sort()).toEqual(['blocks', 'invitationId']);
      expect(pending[0].opened?.invitationId).toBe(invitationId);
      expect(pending[0].opened?.blocks).toHaveLength(1);
      expect(pending[0].opened?.blocks[0].teamId).toBe(survey.teamId);
      expect(pending[0].opened?.blocks[0].answers).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ question_id: nps.id, score: 9 }),
          expect.objectContaining({ question_id: text.id, text: 'سریع و مؤدبانه بود.' }),
        ]),
      );
      await page.close();
    },
    TIMEOUT,
  );
});
