/// <reference lib="dom" />
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createEmployees, createSurvey, inviteAndCollectTokens } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The survey on a phone (390 × 844, an iPhone 12–15 screen), in a real headless Chromium: a
 * one-click score link says that the score is recorded only when the form is sent, with the
 * chosen score on the first screen; the 0–10 scale stays on one row, left to right and right
 * to left.
 */
describe('the survey on a phone', () => {
  let t: TestApp;
  let browser: BrowserSession;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser(t);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  /** A link of a fresh survey for someone speaking `locale`, and the survey's NPS question. */
  async function linkFor(locale: string) {
    const { survey, questions } = await createSurvey(t);
    const [person] = await createEmployees(t, 1, { locale });
    const [token] = await inviteAndCollectTokens(t, survey.id, [person]);
    return {
      token,
      nps: questions.find((q) => q.type === 'nps')!,
      others: questions.filter((q) => q.type === 'rating' || q.type === 'ces'),
      surveyId: survey.id,
    };
  }

  async function phone(width = 390, height = 844): Promise<Page> {
    await browser.context.clearCookies();
    const page = await watchedPage(browser.context, errors);
    await page.setViewportSize({ width, height });
    return page;
  }

  /** Where each option of a scale is drawn: its value and box. */
  const optionBoxes = (page: Page, questionId: string) =>
    page.locator(`#question-${questionId} label.scale-option`).evaluateAll((labels) =>
      labels.map((label) => {
        const box = label.getBoundingClientRect();
        return {
          value: (label.querySelector('input') as HTMLInputElement).value,
          top: Math.round(box.top),
          left: box.left,
          right: box.right,
        };
      }),
    );

  it.each([
    ['en', 'You chose 9. It is not recorded yet'],
    ['es', 'Has elegido 9. Aún no se ha guardado'],
    ['ja', '9 を選びました。まだ記録されていません'],
    ['fa', 'شما 9 را انتخاب کردید. هنوز ثبت نشده است'],
  ])(
    'a one-click score link (%s) says the score counts only once sent, with the score on the first screen',
    async (locale, said) => {
      errors.length = 0;
      const { token, nps, surveyId } = await linkFor(locale);
      const page = await phone();
      expect((await page.goto(`${browser.baseUrl}/s/${token}?score=9`))?.status()).toBe(200);
      const notice = page.locator('#one-click');
      expect(await notice.textContent()).toContain(said);
      // Nothing scrolled: the notice and the chosen score are both within the first screen.
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      const chosen = page
        .locator(`#question-${nps.id} label.scale-option`)
        .filter({ has: page.locator('input[value="9"]:checked') });
      expect(await chosen.count()).toBe(1);
      for (const box of [await notice.boundingBox(), await chosen.boundingBox()]) {
        expect(box).not.toBeNull();
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(844);
      }
      await page.screenshot({
        path: join(browser.screenshots, `one-click-390-${locale}.png`),
      });
      // The page records nothing by being opened.
      const [{ n }] = await t.dataSource.query(
        'SELECT count(*)::int AS n FROM pending_response WHERE survey_id = $1',
        [surveyId],
      );
      expect(n).toBe(0);
      // Without a score in the link, the page says nothing of the kind.
      await page.goto(`${browser.baseUrl}/s/${token}`);
      expect(await page.locator('#one-click').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
    BROWSER_TIMEOUT,
  );

  it.each([
    ['en', 390],
    ['fa', 390],
    ['ja', 390],
    ['en', 320],
  ])(
    'the 0–10 scale (%s) is one row of eleven at %i px, in order',
    async (locale, width) => {
      const { token, nps, others } = await linkFor(locale);
      const page = await phone(width);
      await page.goto(`${browser.baseUrl}/s/${token}`);
      const boxes = await optionBoxes(page, nps.id);
      expect(boxes.map((b) => b.value)).toEqual([
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        '8',
        '9',
        '10',
      ]);
      // One row: every option at the same height, none past the page's edges.
      expect(new Set(boxes.map((b) => b.top)).size).toBe(1);
      expect(Math.min(...boxes.map((b) => b.left))).toBeGreaterThanOrEqual(0);
      expect(Math.max(...boxes.map((b) => b.right))).toBeLessThanOrEqual(width);
      // Left to right, or right to left on a right-to-left page.
      const lefts = boxes.map((b) => b.left);
      const sorted = [...lefts].sort((a, b) => a - b);
      expect(lefts).toEqual(locale === 'fa' ? sorted.reverse() : sorted);
      // Each number is drawn whole inside its option ("10" is not cut).
      const clipped = await page
        .locator(`#question-${nps.id} label.scale-option span`)
        .evaluateAll((spans) => spans.filter((s) => s.scrollWidth > s.clientWidth).length);
      expect(clipped).toBe(0);
      // The shorter scales (1–5, 1–7) are one row too.
      for (const q of others) {
        const row = await optionBoxes(page, q.id);
        expect({ type: q.type, rows: new Set(row.map((b) => b.top)).size }).toEqual({
          type: q.type,
          rows: 1,
        });
      }
      await page.screenshot({
        path: join(browser.screenshots, `scale-${width}-${locale}.png`),
      });
      await page.close();
    },
    BROWSER_TIMEOUT,
  );
});
