import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { BACK_OFFS, RATE_LIMITS } from '../../src/common/rate-limit/rate-limit.service';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { formBody } from '../factories';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../setup/test-app';

/**
 * Sign-in throttling as OWASP's authentication cheat sheet advises: an attacker is slowed, more
 * with every failure, but the account is never locked for its owner. Addresses are told apart
 * by X-Forwarded-For (TRUST_PROXY), the clock is moved in the database.
 */

type Res = LightMyRequestResponse;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const hex = (bytes = 3) => randomBytes(bytes).toString('hex');
const { free, baseSeconds, maxSeconds } = BACK_OFFS.login;

async function createAccount(t: TestApp): Promise<string> {
  const email = `owner.${hex(4)}@example.com`;
  const accounts = t.get(AccountsService);
  const { link } = await accounts.invite(undefined, {
    email,
    name: 'Owner',
    role: 'viewer',
    teamSlugs: [],
  });
  await accounts.acceptSetPasswordLink(link.split('/account/setup/')[1], TEST_PASSWORD, {
    ip: '127.0.0.1',
  });
  return email;
}

interface Browser {
  ip: string;
  /** Cookies this browser keeps (name → value). */
  jar: Map<string, string>;
}

const browser = (ip: string, jar = new Map<string, string>()): Browser => ({ ip, jar });
const cookieHeader = (b: Browser) => [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Opens the sign-in page and posts it, like a browser at `b.ip` keeping its cookies. */
async function signInAs(t: TestApp, b: Browser, email: string, password: string): Promise<Res> {
  b.jar.delete('inpulse_session'); // signed out since
  const page = await t.request({
    method: 'GET',
    url: '/login',
    headers: { 'x-forwarded-for': b.ip, cookie: cookieHeader(b) },
  });
  for (const c of page.cookies) b.jar.set(c.name, c.value);
  const csrf = page.body.match(/name="_csrf" value="([^"]+)"/)![1];
  const res = await t.request({
    method: 'POST',
    url: '/login',
    headers: { ...FORM, 'x-forwarded-for': b.ip, cookie: cookieHeader(b) },
    payload: formBody({ _csrf: csrf, email, password }),
  });
  for (const c of res.cookies) b.jar.set(c.name, c.value);
  return res;
}

const signedIn = (res: Res) =>
  res.statusCode === 303 && res.cookies.some((c) => c.name === 'inpulse_session');

/** Makes the last attempt of `email` from `ip` look `seconds` older. */
async function letTimePass(t: TestApp, email: string, ip: string, seconds: number) {
  const [{ n }] = await t.dataSource.query(
    `WITH moved AS (
       UPDATE rate_limit_bucket SET window_start = window_start - make_interval(secs => $1)
        WHERE key = $2 RETURNING key)
     SELECT count(*)::int AS n FROM moved`,
    [seconds, `${BACK_OFFS.login.name}:${ip} ${email}`],
  );
  expect(n).toBe(1);
}

async function failuresAudited(t: TestApp, email: string): Promise<number> {
  const [{ n }] = await t.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.login_failed' AND target = $1`,
    [email],
  );
  return n;
}

describe('sign-in throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  it("an attacker's wrong passwords from one address do not stop the owner signing in from another", async () => {
    const email = await createAccount(t);
    const attacker = browser('198.51.100.7');
    const statuses: number[] = [];
    for (let i = 0; i < free + 10; i++)
      statuses.push((await signInAs(t, attacker, email, `guess number ${i}`)).statusCode);
    expect(statuses).toEqual([...Array(free).fill(401), ...Array(10).fill(429)]);
    // Only the guesses that were checked are audited, as before.
    expect(await failuresAudited(t, email)).toBe(free);
    // From there even the right password waits: the attacker learns nothing.
    const right = await signInAs(t, attacker, email, TEST_PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(signedIn(right)).toBe(false);

    // The owner, at another address, signs in at once; a typo there is only a typo.
    const owner = browser('203.0.113.20');
    expect((await signInAs(t, owner, email, 'a typo in it')).statusCode).toBe(401);
    expect(signedIn(await signInAs(t, owner, email, TEST_PASSWORD))).toBe(true);
    // Even a brand-new browser at a third address.
    expect(signedIn(await signInAs(t, browser('203.0.113.21'), email, TEST_PASSWORD))).toBe(true);
  });

  it('slows the attacker more with every failure: the wait doubles, up to an hour, with Retry-After', async () => {
    const email = await createAccount(t);
    const ip = '198.51.100.8';
    const attacker = browser(ip);
    for (let i = 0; i < free; i++)
      expect((await signInAs(t, attacker, email, `guess ${i}`)).statusCode).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const refused = await signInAs(t, attacker, email, `refused ${round}`);
      expect(refused.statusCode).toBe(429);
      expect(refused.body).toContain('Too many failed sign-ins for this account from your address');
      waits.push(Number(refused.headers['retry-after']));
      // The wait passes; the next guess is checked (and fails), and the wait after it is longer.
      await letTimePass(t, email, ip, waits[round]);
      expect((await signInAs(t, attacker, email, `after ${round}`)).statusCode).toBe(401);
    }
    const expected = [1, 2, 4, 8].map((f) => f * baseSeconds);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThan(expected[i] - 3);
      expect(wait).toBeLessThanOrEqual(expected[i]);
    });
    expect(await failuresAudited(t, email)).toBe(free + 4);

    // However many failures, the wait stays at most an hour.
    await t.dataSource.query(`UPDATE rate_limit_bucket SET hits = 500 WHERE key = $1`, [
      `${BACK_OFFS.login.name}:${ip} ${email}`,
    ]);
    const capped = await signInAs(t, attacker, email, 'one more');
    expect(capped.statusCode).toBe(429);
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(maxSeconds - 5);
    expect(Number(capped.headers['retry-after'])).toBeLessThanOrEqual(maxSeconds);

    // Once it has passed, the right password signs in, and the failures are forgotten.
    await letTimePass(t, email, ip, maxSeconds);
    expect(signedIn(await signInAs(t, attacker, email, TEST_PASSWORD))).toBe(true);
    expect((await signInAs(t, attacker, email, 'a typo')).statusCode).toBe(401);
  });

  it('concurrent guesses cannot slip past the count', async () => {
    const email = await createAccount(t);
    const attackers = Array.from({ length: 16 }, () => browser('198.51.100.9'));
    const statuses = (
      await Promise.all(attackers.map((b, i) => signInAs(t, b, email, `parallel guess ${i}`)))
    ).map((r) => r.statusCode);
    expect(statuses.sort()).toEqual([...Array(free).fill(401), ...Array(16 - free).fill(429)]);
  });

  it('limits failures from one address across accounts; right passwords do not use it up', async () => {
    const { limit, windowSeconds } = RATE_LIMITS.loginPerIp;
    const ip = '198.51.100.10';
    const spray = () =>
      signInAs(t, browser(ip), `nobody.${hex()}@example.com`, 'Summer2026!').then(
        (r) => r.statusCode,
      );
    // Someone spraying one guess at many accounts is counted…
    for (let i = 0; i < limit - 1; i++)
      expect({ i, status: await spray() }).toEqual({ i, status: 401 });
    // …people of the same office signing in meanwhile are not…
    const colleague = await createAccount(t);
    for (let i = 0; i < 3; i++)
      expect(signedIn(await signInAs(t, browser(ip), colleague, TEST_PASSWORD))).toBe(true);
    // …so the spray gets exactly its limit.
    expect(await spray()).toBe(401);
    const over = await signInAs(t, browser(ip), `nobody.more.${hex()}@example.com`, 'Summer2026!');
    expect(over.statusCode).toBe(429);
    expect(over.body).toContain('Too many failed sign-ins from your address');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(windowSeconds);
    // From that address, for now, nobody new signs in; from any other address everyone does.
    expect((await signInAs(t, browser(ip), colleague, TEST_PASSWORD)).statusCode).toBe(429);
    expect(signedIn(await signInAs(t, browser('203.0.113.30'), colleague, TEST_PASSWORD))).toBe(
      true,
    );
  });

  it("a distributed attack meets the account's ceiling; the owner still signs in from a browser used before", async () => {
    const { limit } = RATE_LIMITS.loginPerAccount;
    const email = await createAccount(t);
    // The owner signed in once from their laptop, which keeps the device cookie it was given.
    const laptop = browser('203.0.113.40');
    expect(signedIn(await signInAs(t, laptop, email, TEST_PASSWORD))).toBe(true);
    expect(laptop.jar.get('inpulse_device')).toMatch(/^[\w-]{16,}\.[\w-]{40,}$/);

    // Many addresses, a few guesses each: under every per-address limit.
    for (let i = 0; i < limit; i++) {
      const ip = `10.7.${Math.floor(i / (free - 1))}.${(i % (free - 1)) + 1}`;
      const res = await signInAs(t, browser(ip), email, `distributed guess ${i}`);
      expect({ i, status: res.statusCode }).toEqual({ i, status: 401 });
    }
    const next = await signInAs(t, browser('10.8.0.1'), email, 'one guess more');
    expect(next.statusCode).toBe(429);
    expect(next.body).toContain('Too many failed sign-ins for this account');
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);

    // A new browser waits too, whoever it belongs to…
    expect((await signInAs(t, browser('203.0.113.41'), email, TEST_PASSWORD)).statusCode).toBe(429);
    // …but the owner's laptop, now at a café, signs in.
    laptop.ip = '192.0.2.77';
    expect(signedIn(await signInAs(t, laptop, email, TEST_PASSWORD))).toBe(true);

    // The device cookie speaks for its own account only, and cannot be made up.
    const other = await createAccount(t);
    await t.dataSource.query(
      `INSERT INTO rate_limit_bucket (key, window_start, hits) VALUES ($1, now(), $2)`,
      [`${RATE_LIMITS.loginPerAccount.name}:${other}`, limit],
    );
    expect(
      (await signInAs(t, browser('192.0.2.77', laptop.jar), other, TEST_PASSWORD)).statusCode,
    ).toBe(429);
    const forged = browser('192.0.2.78', new Map([['inpulse_device', `${hex(16)}.${hex(32)}`]]));
    expect((await signInAs(t, forged, other, TEST_PASSWORD)).statusCode).toBe(429);
    // Fifty password checks: minutes on a busy machine (a limit for Jest, not a timing assertion).
  }, 300_000);
});
