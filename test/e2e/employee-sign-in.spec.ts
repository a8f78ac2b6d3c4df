import { PassThrough } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { openJson } from '../../src/common/crypto/sealing';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  EMPLOYEE_COOKIE,
  EmployeeSessionsService,
} from '../../src/modules/employees/employee-sessions.service';
import {
  createEmployees,
  createSurvey,
  createTeam,
  formBody,
  sendQueuedMail,
  signIn,
} from '../factories';
import { startTestApp, TEST_APP_SECRET, type TestApp } from '../setup/test-app';

/**
 * Employees sign in (docs/employees.md): a single-use link mailed to the directory address that
 * says nothing of whether the address is known, a session bound to the employee that opens the
 * service directory (SERVICES_ACCESS=link) and "my surveys", sign-out, and the function the
 * identity provider's callback calls.
 */

const FORM = 'application/x-www-form-urlencoded';

describe('employees sign in', () => {
  let t: TestApp;
  let person: { id: string; email: string; name: string };
  let leaver: { id: string; email: string };
  const logs: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    t = await startTestApp({ SERVICES_ACCESS: 'link', LOG_LEVEL: 'log' }, { logStream: stream });
    [person, leaver] = await createEmployees(t, 2, { locale: 'es' });
    await t.get(DirectoryService).setActive(leaver.id, false, undefined);
  }, 120_000);
  afterAll(() => t?.close());

  const get = (url: string, cookie = '') =>
    t.request({ method: 'GET', url, headers: cookie ? { cookie } : {} });

  async function ask(email: string) {
    const page = await get('/me/sign-in');
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!;
    expect(nonce.path).toBe('/me/');
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    return t.request({
      method: 'POST',
      url: '/me/sign-in',
      headers: { 'content-type': FORM, cookie: `inpulse_csrf=${nonce.value}` },
      payload: formBody({ _csrf: csrf, email }),
    });
  }

  const jobs = async () =>
    (await t.dataSource.query(
      `SELECT data FROM pgboss.job WHERE name = 'employees.sign-in' ORDER BY created_on`,
    )) as { data: { ref: string; sealed: string } }[];

  async function mailedToken(email: string): Promise<string | undefined> {
    await sendQueuedMail(t);
    const [mail]: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 AND text LIKE '%/me/sign-in/%'
        ORDER BY created_at DESC LIMIT 1`,
      [email.toLowerCase()],
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

  async function signedIn(): Promise<string> {
    await t.get(EmployeeSessionsService).sendLink(person.email);
    const opened = await redeem((await mailedToken(person.email))!);
    expect(opened.statusCode).toBe(303);
    return `${EMPLOYEE_COOKIE}=${opened.cookies.find((c) => c.name === EMPLOYEE_COOKIE)!.value}`;
  }

  it('answers every address alike, and mails a link only to an active employee', async () => {
    const before = (await jobs()).length;
    const answers = [
      await ask(person.email.toUpperCase()),
      await ask('nobody.here@example.com'),
      await ask(leaver.email),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/me/sign-in?sent=1');
    }
    const strip = (h: Record<string, unknown>) =>
      Object.keys(h)
        .filter((k) => !['date', 'x-request-id', 'set-cookie', 'content-length'].includes(k))
        .sort();
    expect(strip(answers[0].headers)).toEqual(strip(answers[1].headers));
    expect(strip(answers[0].headers)).toEqual(strip(answers[2].headers));
    const queued = (await jobs()).slice(before);
    expect(queued).toHaveLength(3);
    // Sealed, all of one size; nothing of the address readable in pg-boss.
    expect(new Set(queued.map((j) => j.data.sealed.length)).size).toBe(1);
    expect(JSON.stringify(queued).toLowerCase()).not.toContain(person.email.toLowerCase());
    const opened = queued.map(
      (j) =>
        openJson<{ email: string }>(
          TEST_APP_SECRET,
          'employee-sign-in-request',
          Buffer.from(j.data.sealed, 'base64'),
        )?.email,
    );
    expect(opened).toContain(person.email.toLowerCase());
    const sessions = t.get(EmployeeSessionsService);
    for (const job of queued) await sessions.runSignInRequest(job.data);
    // Each job deleted itself, archive included.
    const [{ n }] = await t.dataSource.query(
      `SELECT ((SELECT count(*) FROM pgboss.job WHERE name = 'employees.sign-in' AND id = ANY($1::uuid[]))
             + (SELECT count(*) FROM pgboss.archive WHERE name = 'employees.sign-in' AND id = ANY($1::uuid[])))::int AS n`,
      [queued.map((j) => j.data.ref)],
    );
    expect(n).toBe(0);
    await sendQueuedMail(t);
    const mails: { to_address: string; subject: string }[] = await t.dataSource.query(
      `SELECT to_address, subject FROM outbox_message WHERE text LIKE '%/me/sign-in/%'`,
    );
    expect(mails.map((m) => m.to_address)).toEqual([person.email.toLowerCase()]);
    expect(mails[0].subject).toBe('Tu enlace de acceso a inpulse');
    // A bad address is a 400 on the form, nothing queued.
    const left = (await jobs()).length;
    const bad = await ask('not an address');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('name@example.com');
    expect((await jobs()).length).toBe(left);
  });

  it('signs in once with the link (kept hashed), on /me and /services only, and signs out', async () => {
    await t.get(EmployeeSessionsService).sendLink(person.email);
    const token = (await mailedToken(person.email))!;
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM employee_sign_in_link WHERE token_hash = $1 AND employee_id = $2`,
      [createHash('sha256').update(token).digest(), person.id],
    );
    expect(n).toBe(1);
    // Mail scanners open links: a GET changes nothing.
    expect((await get(`/me/sign-in/${token}`)).statusCode).toBe(200);
    expect((await get(`/me/sign-in/${token}`)).statusCode).toBe(200);
    const opened = await redeem(token);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/me/surveys');
    const cookies = opened.cookies.filter((c) => c.name === EMPLOYEE_COOKIE);
    expect(cookies.map((c) => c.path).sort()).toEqual(['/me', '/services']);
    for (const c of cookies) expect(c.httpOnly).toBe(true);
    const sealed = Buffer.from(cookies[0].value, 'base64url').toString('latin1');
    expect(sealed).not.toContain(person.id);
    const cookie = `${EMPLOYEE_COOKIE}=${cookies[0].value}`;

    // Used once: the link is gone, a replayed form too.
    expect((await get(`/me/sign-in/${token}`)).statusCode).toBe(410);
    expect((await redeem(token)).statusCode).toBe(410);
    expect((await get(`/me/sign-in/${randomBytes(32).toString('base64url')}`)).statusCode).toBe(
      404,
    );

    // The directory (link mode) and my surveys open with the session.
    expect((await get('/services')).statusCode).toBe(303);
    expect((await get('/services', cookie)).statusCode).toBe(200);
    const mine = await get('/me/surveys', cookie);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain(person.name);

    // Sign out: the row is gone, the cookie no longer counts.
    const csrf = mine.body.match(/name="_csrf" value="([^"]+)"/)![1];
    const nonce = mine.cookies.find((c) => c.name === 'inpulse_csrf')?.value;
    const out = await t.request({
      method: 'POST',
      url: '/me/sign-out',
      headers: { 'content-type': FORM, cookie: `${cookie}; inpulse_csrf=${nonce}` },
      payload: formBody({ _csrf: csrf }),
    });
    expect(out.statusCode).toBe(303);
    expect((await get('/me/surveys', cookie)).statusCode).toBe(303);
    expect((await get('/services', cookie)).statusCode).toBe(303);
  });

  it('refuses an expired link and a session past its expiry, or of a deactivated person', async () => {
    const token = randomBytes(32).toString('base64url');
    await t.dataSource.query(
      `INSERT INTO employee_sign_in_link (token_hash, employee_id, expires_at) VALUES ($1, $2, now() - interval '1 minute')`,
      [createHash('sha256').update(token).digest(), person.id],
    );
    expect((await get(`/me/sign-in/${token}`)).statusCode).toBe(410);
    const cookie = await signedIn();
    const sessions = t.get(EmployeeSessionsService);
    sessions.fixClock(new Date(Date.now() + 15 * 86_400_000));
    try {
      expect((await get('/me/surveys', cookie)).statusCode).toBe(303);
    } finally {
      sessions.fixClock(undefined);
    }
    expect((await get('/me/surveys', cookie)).statusCode).toBe(200);
    const other = (await createEmployees(t, 1))[0];
    const started = await sessions.startForVerifiedEmail(other.email);
    const otherCookie = `${EMPLOYEE_COOKIE}=${started!.cookie}`;
    expect((await get('/me/surveys', otherCookie)).statusCode).toBe(200);
    await t.get(DirectoryService).setActive(other.id, false, undefined);
    expect((await get('/me/surveys', otherCookie)).statusCode).toBe(303);
  });

  it('starts a session for a verified address (the identity provider), null when not an active employee', async () => {
    const sessions = t.get(EmployeeSessionsService);
    expect(await sessions.startForVerifiedEmail('nobody.here@example.com')).toBeNull();
    expect(await sessions.startForVerifiedEmail(leaver.email)).toBeNull();
    const started = await sessions.startForVerifiedEmail(person.email.toUpperCase());
    expect(started?.employeeId).toBe(person.id);
    const res = await get('/me/surveys', `${EMPLOYEE_COOKIE}=${started!.cookie}`);
    expect(res.statusCode).toBe(200);
  });

  it("lists my open links by survey, team and closing day, and mails one again (its old link stops), never another's", async () => {
    const team = await createTeam(t, 'Facilities');
    const { survey } = await createSurvey(t, { teamSlug: team.slug });
    const cookie = await signedIn();
    // A survey goes to at least m people: colleagues who will not answer are invited too.
    const others = await createEmployees(t, t.config.mixBatchSize - 1);
    await t
      .get(SurveysService)
      .send(survey.id, { employeeIds: [person.id, ...others.map((o) => o.id)] });
    await sendQueuedMail(t);
    const [invitationMail]: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 AND text LIKE '%/s/%'`,
      [person.email],
    );
    const mine = invitationMail.text.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
    const page = await get('/me/surveys', cookie);
    expect(page.body).toContain('Test survey');
    expect(page.body).toContain('Facilities');
    // No link, token or answered-state on the page.
    expect(page.body).not.toContain(mine);
    expect(page.body).not.toContain('/s/');
    const [invitation] = await t.dataSource.query(
      `SELECT id FROM invitation WHERE survey_id = $1 AND employee_id = $2`,
      [survey.id, person.id],
    );
    expect(page.body).toContain(`/me/surveys/${invitation.id}/mail`);
    const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
    const nonce = page.cookies.find((c) => c.name === 'inpulse_csrf')!.value;
    const post = (id: string) =>
      t.request({
        method: 'POST',
        url: `/me/surveys/${id}/mail`,
        headers: { 'content-type': FORM, cookie: `${cookie}; inpulse_csrf=${nonce}` },
        payload: formBody({ _csrf: csrf }),
      });
    const sent = await post(invitation.id);
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/me/surveys?mailed=1');
    await sendQueuedMail(t);
    const mails: { text: string }[] = await t.dataSource.query(
      `SELECT text FROM outbox_message WHERE to_address = $1 AND text LIKE '%/s/%' ORDER BY created_at`,
      [person.email],
    );
    const fresh = mails.at(-1)!.text.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
    expect(fresh).not.toBe(mine);
    expect((await get(`/s/${fresh}`)).statusCode).toBe(200);
    expect((await get(`/s/${mine}`)).statusCode).toBe(404);
    // Someone else's invitation, or no invitation: 404, nothing queued.
    const [theirs] = await t.dataSource.query(
      `SELECT id FROM invitation WHERE survey_id = $1 AND employee_id <> $2 LIMIT 1`,
      [survey.id, person.id],
    );
    const [{ n: before }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM mail_message`);
    expect((await post(theirs.id)).statusCode).toBe(404);
    expect((await post('not-a-uuid')).statusCode).toBe(404);
    const [{ n: after }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM mail_message`);
    expect(after).toBe(before);
  });

  it('hides the token of sign-in links from outbox readers (page and API)', async () => {
    await t.get(EmployeeSessionsService).sendLink(person.email);
    const token = (await mailedToken(person.email))!;
    expect(token).toBeDefined();
    const admin = await signIn(t, 'admin');
    const page = await get('/outbox', admin.cookie);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/me/sign-in/');
    expect(page.body).not.toContain(token);
    const api = await t.api({ method: 'GET', url: '/api/v1/outbox?limit=500' });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('/me/sign-in/');
    expect(api.body).not.toContain(token);
  });
});
