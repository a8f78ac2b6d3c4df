import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DigestService } from '../../src/modules/digest/digest.service';
import type { ClaimedMail } from '../../src/modules/mail/mail.repository';
import { MailRenderer } from '../../src/modules/mail/mail-renderer';
import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { createSurvey, createTeam, sendQueuedMail, signIn } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser } from '../setup/browser';
import { startTestApp, type TestApp } from '../setup/test-app';

const DAY = 86_400_000;

/**
 * Mails on a phone (issue 15, item 6): the weekly digest (MJML) and the ticket survey mail drawn
 * by a real Chromium at 360 px wide, in English and in Persian: nothing wider than the screen,
 * Persian right to left with the score buttons mirrored as on the survey page. Screenshots are
 * kept in test-artifacts/screenshots.
 */
describe('mails at 360 px in a real browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    browser = await openBrowser(t);
    const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
    const monday = new Date(
      today.getTime() + ((8 - today.getUTCDay()) % 7 || 7) * DAY + 8 * 3_600_000 + 300_000,
    );
    const period = addBuckets(bucketStart(monday.toISOString().slice(0, 10), 'month'), 'month', -1);
    const before = addBuckets(period, 'month', -1);
    const names = ['Identity & Access Management (EMEA)', 'IT Service Desk', 'Facilities'];
    const slugs: string[] = [];
    for (const [i, name] of names.entries()) {
      const team = await createTeam(t, name);
      slugs.push(team.slug);
      for (const [day, scores] of [
        [before, Array.from({ length: 30 }, (_, j) => (j < 25 ? 10 : 2))],
        [period, Array.from({ length: 30 }, (_, j) => (j < 10 + i * 5 ? 10 : 3))],
      ] as const) {
        const { survey, questionnaire, questions } = await createSurvey(t, { teamSlug: team.slug });
        const nps = questions.find((q) => q.type === 'nps')!;
        await t.get(ResponsesService).writeRelease({
          surveyId: survey.id,
          questionnaireId: questionnaire.id,
          source: 'pulse',
          releasedOn: `${day.slice(0, 7)}-10`,
          submissions: scores.map((score) => ({
            id: randomUUID(),
            person: randomUUID(),
            askedAll: false,
            segments: {},
            blocks: [
              {
                teamId: team.id,
                answers: [{ question_id: nps.id, score, option_key: null, text: null }],
              },
            ],
          })),
        });
      }
    }
    const en = await signIn(t, 'admin');
    const fa = await signIn(t, 'lead', slugs);
    await t.dataSource.query(`UPDATE app_user SET locale = 'fa' WHERE id = $1`, [fa.userId]);
    await t.dataSource.query(`UPDATE app_user SET locale = 'en' WHERE id = $1`, [en.userId]);
    expect((await t.get(DigestService).tick(monday)).digests).toBe(2);
    await sendQueuedMail(t);
    for (const [locale, who] of [
      ['en', en],
      ['fa', fa],
    ] as const) {
      const [row] = await t.dataSource.query(
        `SELECT html FROM outbox_message WHERE to_address = $1 AND subject NOT LIKE '%iNPS%'
          AND html LIKE '%unsubscribe%'`,
        [who.email],
      );
      digests[locale] = row.html as string;
    }
  }, BROWSER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  async function phone(html: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 360, height: 780 });
    await page.setContent(html, { waitUntil: 'load' });
    return page;
  }

  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  for (const locale of ['en', 'fa']) {
    it(
      `draws the digest in ${locale} within 360 px`,
      async () => {
        const page = await phone(digests[locale]);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        expect(await page.evaluate(() => document.documentElement.dir)).toBe(
          locale === 'fa' ? 'rtl' : 'ltr',
        );
        // The team names start on the reading side.
        const name = page.locator('a', { hasText: 'IT Service Desk' }).first();
        const box = (await name.boundingBox())!;
        if (locale === 'fa') expect(box.x + box.width).toBeGreaterThan(250);
        else expect(box.x).toBeLessThan(110);
        await page.screenshot({
          path: join(browser.screenshots, `digest-${locale}-360.png`),
          fullPage: true,
        });
        await page.close();
      },
      BROWSER_TIMEOUT,
    );
  }

  for (const locale of ['en', 'fa']) {
    it(
      `fits the ticket survey's eleven buttons in 360 px, in ${locale}, mirrored in Persian`,
      async () => {
        const renderer = t.get(MailRenderer);
        const mail = {
          id: randomUUID(),
          kind: 'ticket-survey',
          locale,
          toAddress: 'noor@example.com',
        } as ClaimedMail;
        const message = renderer.render(mail, {
          template: 'ticket-survey',
          subject: 'test',
          context: {
            name: 'Noor',
            teamName: 'Identity & Access Management (EMEA)',
            k: 5,
            expires: new Date(),
            scores: Array.from({ length: 11 }, (_, score) => ({
              score,
              link: `https://inpulse.example/s/token?score=${score}`,
            })),
          },
        });
        const page = await phone(message.html);
        expect(await overflow(page)).toBeLessThanOrEqual(0);
        const boxes = await page
          .locator('table.score-scale a')
          .evaluateAll((links) => links.map((a) => a.getBoundingClientRect().toJSON()));
        expect(boxes).toHaveLength(11);
        for (const box of boxes) {
          expect(box.left).toBeGreaterThanOrEqual(0);
          expect(box.right).toBeLessThanOrEqual(360);
          // Still a finger's target.
          expect(box.width).toBeGreaterThanOrEqual(22);
          expect(box.height).toBeGreaterThanOrEqual(36);
        }
        // One row; 0 at the start of the reading direction.
        expect(new Set(boxes.map((b) => Math.round(b.top))).size).toBe(1);
        if (locale === 'fa') expect(boxes[0].left).toBeGreaterThan(boxes[10].left);
        else expect(boxes[0].left).toBeLessThan(boxes[10].left);
        await page.screenshot({
          path: join(browser.screenshots, `ticket-survey-mail-${locale}-360.png`),
          fullPage: true,
        });
        await page.close();
      },
      BROWSER_TIMEOUT,
    );
  }
});
