import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { rateLimited } from '../errors/domain-error';

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

/** The wait after the last attempt of a row holding `hits` (SQL, for the statements below). */
const BACK_OFF_WAIT = `make_interval(secs => least($3::float8 * power(2::float8, least(b.hits - $2::int, 30)), $4::float8))`;

/** Fixed-window counters and back-offs in PostgreSQL, so every instance counts together. */
@Injectable()
export class RateLimitService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts one hit of `key`; returns how many seconds to wait when over the limit. */
  async hit(
    rule: RateLimit,
    key: string,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const [row] = await preparedQuery<{ hits: number; retry_after: number }>(
      this.dataSource,
      'rate_limit_hit',
      `INSERT INTO rate_limit_bucket AS b (key, window_start, hits) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN b.window_start < now() - make_interval(secs => $2) THEN 1 ELSE b.hits + 1 END,
         window_start = CASE WHEN b.window_start < now() - make_interval(secs => $2) THEN now() ELSE b.window_start END
       RETURNING hits, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS retry_after`,
      [`${rule.name}:${key}`.slice(0, 200), rule.windowSeconds],
    );
    return { allowed: row.hits <= rule.limit, retryAfterSeconds: Math.max(1, row.retry_after) };
  }

  /** Whether `key` is over the limit now, without counting a hit. */
  async blocked(rule: RateLimit, key: string): Promise<boolean> {
    const rows = await preparedQuery<{ blocked: boolean }>(
      this.dataSource,
      'rate_limit_blocked',
      `SELECT hits > $2 AND window_start >= now() - make_interval(secs => $3) AS blocked
         FROM rate_limit_bucket WHERE key = $1`,
      [`${rule.name}:${key}`.slice(0, 200), rule.limit, rule.windowSeconds],
    );
    return rows[0]?.blocked ?? false;
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
  async refund(rule: RateLimit, key: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE rate_limit_bucket SET hits = hits - 1 WHERE key = $1 AND hits > 0',
      [`${rule.name}:${key}`.slice(0, 200)],
    );
  }

  /**
   * Counts one attempt of `key` unless it must still wait (then it is not counted, and the answer
   * says for how long). One statement: concurrent attempts cannot slip past the count.
   */
  async attempt(
    rule: BackOff,
    key: string,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const params = [
      `${rule.name}:${key}`.slice(0, 200),
      rule.free,
      rule.baseSeconds,
      rule.maxSeconds,
      FORGET_SECONDS,
    ];
    const counted: unknown[] = await this.dataSource.query(
      `INSERT INTO rate_limit_bucket AS b (key, window_start, hits) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN b.window_start < now() - make_interval(secs => $5::float8) THEN 1
                     ELSE b.hits + 1 END,
         window_start = now()
       WHERE b.hits < $2::int
          OR b.window_start < now() - make_interval(secs => $5::float8)
          OR b.window_start + ${BACK_OFF_WAIT} <= now()
       RETURNING hits`,
      params,
    );
    if (counted.length > 0) return { allowed: true, retryAfterSeconds: 0 };
    const [row] = await this.dataSource.query<{ retry_after: number }[]>(
      `SELECT ceil(extract(epoch FROM b.window_start + ${BACK_OFF_WAIT} - now()))::int AS retry_after
         FROM rate_limit_bucket b WHERE b.key = $1`,
      params.slice(0, 4),
    );
    return { allowed: false, retryAfterSeconds: Math.max(1, row?.retry_after ?? 1) };
  }

  async reset(rule: { name: string }, key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM rate_limit_bucket WHERE key = $1', [
      `${rule.name}:${key}`.slice(0, 200),
    ]);
  }

  /** Drops windows that ended long ago (run by the retention job). */
  async purge(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM rate_limit_bucket WHERE window_start < now() - interval '1 day'`,
    );
  }
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
