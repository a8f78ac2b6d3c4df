import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { type DomainError, rateLimited } from '../../common/errors/domain-error';
import {
  BACK_OFFS,
  RATE_LIMITS,
  type RateLimit,
  RateLimitService,
} from '../../common/rate-limit/rate-limit.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';

/** Who is trying to sign in: their address, and the device cookie their browser holds, if any. */
export interface SignInClient {
  ip: string;
  device?: unknown;
}

/** What `admit` counted, to be given back when the password is right. */
export interface Admission {
  pairKey: string;
  counted: [RateLimit, string][];
}

const DEVICE_DAYS = 180;

/**
 * Sign-in throttling that slows an attacker without locking the account for its owner (OWASP
 * authentication cheat sheet), counted in PostgreSQL (rate_limit_bucket):
 *
 * - per account and address: 5 failures, then a wait of 30 s that doubles with every further
 *   failure, up to an hour (BACK_OFFS.login); forgotten after a right password or a quiet day;
 * - per address, across accounts: 30 failures in 15 minutes (password spraying);
 * - per account, across addresses: a ceiling of 50 failures an hour (a distributed attack).
 *
 * A browser that has signed in to the account before carries a device cookie (signed with
 * APP_SECRET, bound to the account): it is counted on its own, per account and device, and
 * neither limit above applies to it — so the owner gets in from their own browser even while
 * the account is under attack from everywhere, or their office address is.
 * Right passwords are not counted against the address or the account.
 */
@Injectable()
export class SignInThrottle {
  constructor(
    private readonly rateLimits: RateLimitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get deviceCookie(): string {
    return this.config.baseUrl.startsWith('https:') ? '__Host-inpulse_device' : 'inpulse_device';
  }

  readonly deviceMaxAgeSeconds = DEVICE_DAYS * 24 * 3600;

  /** Before a password is checked: counts the attempt, or throws a 429 saying how long to wait. */
  async admit(email: string, client: SignInClient): Promise<Admission> {
    const device = this.knownDevice(client.device, email);
    const counted: [RateLimit, string][] = [];
    if (!device) {
      const limits: [RateLimit, string, string][] = [
        [RATE_LIMITS.loginPerIp, addressKey(client.ip), 'from your address'],
        [
          RATE_LIMITS.loginPerAccount,
          email,
          'for this account from many addresses (a browser where you signed in before still can)',
        ],
      ];
      for (const [rule, key, what] of limits) {
        const { allowed, retryAfterSeconds } = await this.rateLimits.hit(rule, key);
        if (!allowed) {
          await this.giveBack(counted);
          throw tooMany(what, retryAfterSeconds);
        }
        counted.push([rule, key]);
      }
    }
    const pairKey = device ? `device:${device} ${email}` : `${addressKey(client.ip)} ${email}`;
    const pair = await this.rateLimits.attempt(BACK_OFFS.login, pairKey);
    if (!pair.allowed) {
      await this.giveBack(counted);
      throw tooMany(
        device ? 'for this account from this browser' : 'for this account from your address',
        pair.retryAfterSeconds,
      );
    }
    return { pairKey, counted };
  }

  /** The password was right: forget this client's failures, and do not count this attempt. */
  async succeeded(admission: Admission): Promise<void> {
    await this.rateLimits.reset(BACK_OFFS.login, admission.pairKey);
    await this.giveBack(admission.counted);
  }

  /** A new device cookie for a browser that has just signed in to `email`. */
  newDevice(email: string): string {
    const id = randomBytes(18).toString('base64url');
    return `${id}.${this.sign(id, email)}`;
  }

  /** The id of the browser's device cookie when it is ours and for this account. */
  private knownDevice(cookie: unknown, email: string): string | undefined {
    if (typeof cookie !== 'string' || cookie.length > 200) return undefined;
    const [id, signature] = cookie.split('.');
    if (!id || !signature || id.length < 16) return undefined;
    const expected = Buffer.from(this.sign(id, email));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : undefined;
  }

  private sign(id: string, email: string): string {
    return createHmac('sha256', this.config.appSecret)
      .update(`sign-in device\n${email}\n${id}`)
      .digest('base64url');
  }

  private async giveBack(counted: [RateLimit, string][]): Promise<void> {
    for (const [rule, key] of counted) await this.rateLimits.refund(rule, key);
  }
}

function tooMany(what: string, seconds: number): DomainError {
  const wait = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return rateLimited(`Too many failed sign-ins ${what}. Try again in ${wait}.`, seconds);
}

/**
 * The address as counted: IPv4 as is (also when mapped into IPv6), IPv6 by its /64 — one
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would count nothing.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  const address = ip.split('%')[0];
  if (!isIPv6(address)) return ip;
  const [head, tail] = address.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) {
    const tailGroups = tail ? tail.split(':') : [];
    const tailLength = tailGroups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    groups.push(...Array<string>(8 - groups.length - tailLength).fill('0'), ...tailGroups);
  }
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
