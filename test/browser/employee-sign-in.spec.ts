import {
  EMPLOYEE_COOKIE,
  EmployeeSessionsService,
} from '../../src/modules/employees/employee-sessions.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, createTeam, sendQueuedMail } from '../factories';
import { BROWSER_TIMEOUT, type BrowserSession, openBrowser, watchedPage } from '../setup/browser';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * An employee in a real headless Chromium, in Japanese: asks for a sign-in link, follows it,
 * sees "my surveys", has the link mailed again, and answers through it in the same browser. The
 * browser's own cookie jar holds the session on /me and /services only, and no request to the
 * answer path carries it (docs/employees.md).
 */
describe('an employee signs in and answers, in a browser', () => {
  let t: TestApp;
  let browser: BrowserSession;
  let person: { id: string; email: string };

  beforeAll(async () => {
    t = await startTestApp({ SERVICES_ACCESS: 'link' });
    const team = await createTeam(t, '総務');
    const { survey } = await createSurvey(t, { teamSlug: team.slug });
    const people = await createEmployees(t, t.config.mixBatchSize, { locale: 'ja' });
    person = people[0];
    await t.get(SurveysService).send(survey.id, { employeeIds: people.map((p) => p.id) });
    await sendQueuedMail(t);
    browser = await openBrowser(t);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  const lastLink = async (pattern: RegExp) => {
    await sendQueuedMail(t);
    const mails: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 ORDER BY created_at DESC`,
      [person.email],
    );
    for (const mail of mails) {
      const found = mail.text.match(pattern)?.[0];
      if (found) return found;
    }
    throw new Error(`no mail matching ${pattern}`);
  };

  it(
    'signs in by the mailed link, lists the survey, re-mails it, and answers without the session',
    async () => {
      const errors: string[] = [];
      const page = await watchedPage(browser.context, errors);
      const sentToAnswerPath: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/s/'))
          sentToAnswerPath.push(request.headers().cookie ?? '');
      });
      await page.goto(`${browser.baseUrl}/me/sign-in?lang=ja`);
      expect(await page.locator('h1').textContent()).toBe('従業員としてサインイン');
      await page.fill('#email', person.email);
      await page.click('form.access-form button[type=submit]');
      await page.waitForSelector('#sign-in-sent');
      // The job runs as the workers would.
      const jobs: { data: { ref: string; sealed: string } }[] = await t.dataSource.query(
        `SELECT data FROM pgboss.job WHERE name = 'employees.sign-in'`,
      );
      for (const job of jobs) await t.get(EmployeeSessionsService).runSignInRequest(job.data);
      const signIn = await lastLink(/\/me\/sign-in\/[A-Za-z0-9_-]+/);
      await page.goto(`${browser.baseUrl}${signIn}?lang=ja`);
      await page.click('form button[type=submit]');
      await page.waitForURL(/\/me\/surveys$/);
      expect(await page.locator('table.my-surveys tbody tr').count()).toBe(1);
      expect(await page.locator('table.my-surveys').textContent()).toContain('総務');

      const cookies = (await browser.context.cookies()).filter((c) => c.name === EMPLOYEE_COOKIE);
      expect(cookies.map((c) => c.path).sort()).toEqual(['/me', '/services']);
      expect(cookies.every((c) => c.httpOnly)).toBe(true);

      await page.click('table.my-surveys button[type=submit]');
      await page.waitForSelector('#link-mailed');
      const answerLink = await lastLink(/\/s\/[A-Za-z0-9_-]{43}/);
      await page.goto(`${browser.baseUrl}${answerLink}`);
      await page.locator('input[type=radio][value="9"]').first().check();
      await page.locator('form button[type=submit]').last().click();
      await page.waitForLoadState('load');
      expect(await page.locator('h1').first().textContent()).toBeTruthy();
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM pending_response`);
      expect(n).toBe(1);

      // The browser never sent the session to the answer path.
      expect(sentToAnswerPath.length).toBeGreaterThanOrEqual(2);
      for (const cookie of sentToAnswerPath) expect(cookie).not.toContain(EMPLOYEE_COOKIE);
      // And the directory opens with it (SERVICES_ACCESS=link).
      await page.goto(`${browser.baseUrl}/services`);
      expect(new URL(page.url()).pathname).toBe('/services');
      expect(errors).toEqual([]);
    },
    BROWSER_TIMEOUT,
  );
});
