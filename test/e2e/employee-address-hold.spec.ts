import {
  EMPLOYEE_COOKIE,
  EmployeeSessionsService,
} from '../../src/modules/employees/employee-sessions.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, createTeam, formBody, sendQueuedMail } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { PATCH_OP, scimClient, type ScimClient } from './scim-helpers';

/**
 * The takeover through an address change (docs/employees.md, "When an address changes"): whoever
 * can change an employee's address (SCIM, HR) to one they hold must not get the person's
 * session, "my surveys" or a re-mailed survey link. After a change, sign-in and "mail again" wait
 * EMPLOYEE_ADDRESS_HOLD_DAYS, the link request answers as for anyone, and the previous address is
 * told.
 */

const FORM = 'application/x-www-form-urlencoded';
const DAY = 86_400_000;

describe('an employee whose address changed', () => {
  let t: TestApp;
  let scim: ScimClient;
  let sessions: EmployeeSessionsService;

  beforeAll(async () => {
    t = await startTestApp({ EMPLOYEE_ADDRESS_HOLD_DAYS: '7' });
    scim = await scimClient(t);
    sessions = t.get(EmployeeSessionsService);
  }, 120_000);
  afterAll(async () => {
    sessions?.fixClock(undefined);
    await t?.close();
  });

  const get = (url: string, cookie = '') =>
    t.request({ method: 'GET', url, headers: cookie ? { cookie } : {} });

  async function ask(email: string) {
    const page = await get('/me/sign-in');
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!;
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    return t.request({
      method: 'POST',
      url: '/me/sign-in',
      headers: { 'content-type': FORM, cookie: `inpulse_csrf=${nonce.value}` },
      payload: formBody({ _csrf: csrf, email }),
    });
  }

  /** Runs the queued link requests as the job would, and sends the mail. */
  async function runRequests() {
    const jobs: { data: { ref: string; sealed: string } }[] = await t.dataSource.query(
      `SELECT data FROM pgboss.job WHERE name = 'employees.sign-in' AND state = 'created'`,
    );
    for (const job of jobs) await sessions.runSignInRequest(job.data);
    await sendQueuedMail(t);
  }

  async function mailedToken(email: string): Promise<string | undefined> {
    const [mail]: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 AND text LIKE '%/me/sign-in/%'
        ORDER BY created_at DESC LIMIT 1`,
      [email],
    );
    return mail?.text.match(/\/me\/sign-in\/([A-Za-z0-9_-]+)/)?.[1];
  }

  async function redeem(token: string) {
    const page = await get(`/me/sign-in/${token}`);
    if (page.statusCode !== 200) return page;
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    return t.request({
      method: 'POST',
      url: `/me/sign-in/${token}`,
      headers: { 'content-type': FORM, cookie: `inpulse_csrf=${nonce}` },
      payload: formBody({ _csrf: csrf }),
    });
  }

  const changeAddress = (id: string, to: string) =>
    scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'userName', value: to }],
    });

  it('refuses the link, the provider and "mail again" for the hold, tells the previous address, then lets them in', async () => {
    const [victim] = await createEmployees(t, 1, { locale: 'es' });
    const team = await createTeam(t, 'Facilities');
    const { survey } = await createSurvey(t, { teamSlug: team.slug });
    const others = await createEmployees(t, t.config.mixBatchSize - 1);
    await t
      .get(SurveysService)
      .send(survey.id, { employeeIds: [victim.id, ...others.map((o) => o.id)] });
    await sendQueuedMail(t);
    // The victim signed in on their own browser before the change.
    await sessions.sendLink(victim.email);
    await sendQueuedMail(t);
    const own = await redeem((await mailedToken(victim.email))!);
    expect(own.statusCode).toBe(303);
    const victimCookie = `${EMPLOYEE_COOKIE}=${own.cookies.find((c) => c.name === EMPLOYEE_COOKIE)!.value}`;
    // A link the victim asked for but has not used yet.
    await sessions.sendLink(victim.email);
    await sendQueuedMail(t);
    const pending = (await mailedToken(victim.email))!;

    // The attack: the address becomes one the attacker holds.
    const attacker = `taker.${Date.now()}@evil.example`;
    const patched = await changeAddress(victim.id, attacker);
    expect(patched.statusCode).toBe(200);
    await sendQueuedMail(t);

    // The previous address is told, in the person's language, with no link in it.
    const notices: { text: string; subject: string }[] = await t.dataSource.query(
      `SELECT text, subject FROM outbox_message WHERE to_address = $1 AND text LIKE '%inpulse%'
        ORDER BY created_at DESC`,
      [victim.email],
    );
    const notice = notices.find((n) => n.subject === 'Se ha cambiado tu dirección en inpulse');
    expect(notice).toBeDefined();
    expect(notice!.text).toContain('7 días');
    expect(notice!.text).not.toMatch(/\/me\/sign-in\/|\/s\//);

    // The link request answers as for anyone, and no link goes to the new address.
    const asked = await ask(attacker);
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/me/sign-in?sent=1');
    await runRequests();
    expect(await mailedToken(attacker)).toBeUndefined();
    // A link mailed before the change cannot be used during the hold either.
    expect((await redeem(pending)).statusCode).toBe(410);
    // The identity provider vouching for the new address opens nothing.
    expect(await sessions.startForVerifiedEmail(attacker)).toBeNull();

    // "Mail me my link again" would send the survey link to the new address: refused.
    const page = await get('/me/surveys', victimCookie);
    expect(page.statusCode).toBe(200);
    const [invitation] = await t.dataSource.query(
      `SELECT id FROM invitation WHERE survey_id = $1 AND employee_id = $2`,
      [survey.id, victim.id],
    );
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
    const [{ n: mailsBefore }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM mail_message`,
    );
    const again = await t.request({
      method: 'POST',
      url: `/me/surveys/${invitation.id}/mail`,
      headers: { 'content-type': FORM, cookie: `${victimCookie}; inpulse_csrf=${nonce}` },
      payload: formBody({ _csrf: csrf }),
    });
    expect(again.statusCode).toBe(403);
    expect(again.body).toContain('Your address changed lately');
    const [{ n: mailsAfter }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM mail_message`,
    );
    expect(mailsAfter).toBe(mailsBefore);

    // Once the hold is over, the (by now confirmed) address signs in as usual.
    sessions.fixClock(new Date(Date.now() + 7 * DAY + 60_000));
    try {
      await sessions.sendLink(attacker);
      await sendQueuedMail(t);
      const later = await mailedToken(attacker);
      expect(later).toBeDefined();
      expect((await redeem(later!)).statusCode).toBe(303);
      expect(await sessions.startForVerifiedEmail(attacker)).not.toBeNull();
    } finally {
      sessions.fixClock(undefined);
    }
  });

  it('changes nothing for a change that keeps the address', async () => {
    const [person] = await createEmployees(t, 1);
    const res = await scim('PATCH', `/Users/${person.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Someone Else' }],
    });
    expect(res.statusCode).toBe(200);
    expect(await sessions.startForVerifiedEmail(person.email)).not.toBeNull();
  });
});
