import { Injectable } from '@nestjs/common';
import { rateLimited } from '../errors/domain-error';
import { RateLimitRepository } from './rate-limit.repository';

export interface RateLimit {
  /** What is counted, e.g. `login-ip`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Exponential back-off: `free` attempts, then each next one must wait `baseSeconds` after the
 * last, doubled with every further attempt, up to `maxSeconds`. Forgotten a day after the last
 * attempt (when the retention job drops the row anyway).
 */
export interface BackOff {
  /** What is counted, e.g. `login-pair`. */
  name: string;
  free: number;
  baseSeconds: number;
  maxSeconds: number;
}

const FORGET_SECONDS = 24 * 3600;

/** Fixed-window counters and back-offs in PostgreSQL, so every instance counts together. */
@Injectable()
export class RateLimitService {
  constructor(private readonly buckets: RateLimitRepository) {}

  /** Counts one hit of `key`; returns how many seconds to wait when over the limit. */
  async hit(
    rule: RateLimit,
    key: string,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const row = await this.buckets.hit(bucketKey(rule, key), rule.windowSeconds);
    return { allowed: row.hits <= rule.limit, retryAfterSeconds: Math.max(1, row.retry_after) };
  }

  /** Whether `key` is over the limit now, without counting a hit. */
  blocked(rule: RateLimit, key: string): Promise<boolean> {
    return this.buckets.blocked(bucketKey(rule, key), rule.limit, rule.windowSeconds);
  }

  /** Like `hit`, but throws a 429 that says when to try again. */
  async enforce(rule: RateLimit, key: string, what: string): Promise<void> {
    const { allowed, retryAfterSeconds } = await this.hit(rule, key);
    if (!allowed) {
      throw rateLimited(
        `Too many ${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
        retryAfterSeconds,
      );
    }
  }

  /** Gives back a hit counted by `hit` that turned out not to matter (a right password). */
  refund(rule: RateLimit, key: string): Promise<void> {
    return this.buckets.refund(bucketKey(rule, key));
  }

  /**
   * Counts one attempt of `key` unless it must still wait (then it is not counted, and the answer
   * says for how long). One statement: concurrent attempts cannot slip past the count.
   */
  async attempt(
    rule: BackOff,
    key: string,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const wait = await this.buckets.attempt(bucketKey(rule, key), rule, FORGET_SECONDS);
    return wait === undefined
      ? { allowed: true, retryAfterSeconds: 0 }
      : { allowed: false, retryAfterSeconds: Math.max(1, wait) };
  }

  reset(rule: { name: string }, key: string): Promise<void> {
    return this.buckets.reset(bucketKey(rule, key));
  }

  /** Drops windows that ended long ago (run by the retention job). */
  purge(): Promise<void> {
    return this.buckets.purge();
  }
}

/** The row of `key` under `rule` (keys are cut to the column's 200 characters). */
function bucketKey(rule: { name: string }, key: string): string {
  return `${rule.name}:${key}`.slice(0, 200);
}

export const RATE_LIMITS = {
  /** Failed sign-ins from one address, whatever the account. */
  loginPerIp: { name: 'login-ip', limit: 30, windowSeconds: 900 },
  /** Failed sign-ins for one account from browsers it has not signed in from: a ceiling. */
  loginPerAccount: { name: 'login-account', limit: 50, windowSeconds: 3600 },
  linkMissPerIp: { name: 'link-miss-ip', limit: 20, windowSeconds: 600 },
} satisfies Record<string, RateLimit>;

export const BACK_OFFS = {
  /** Failed sign-ins for one account from one address (or one known browser). */
  login: { name: 'login-pair', free: 5, baseSeconds: 30, maxSeconds: 3600 },
} satisfies Record<string, BackOff>;
