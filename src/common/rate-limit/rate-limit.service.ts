import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { DomainError } from '../errors/domain-error';

export interface RateLimit {
  /** What is counted, e.g. `login-ip`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Fixed-window counters in PostgreSQL, so every instance counts together. */
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
      throw new DomainError(
        'rate_limited',
        'rate_limited',
        `Too many ${what}. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
        { retryAfterSeconds },
      );
    }
  }

  async reset(rule: RateLimit, key: string): Promise<void> {
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
  loginPerIp: { name: 'login-ip', limit: 30, windowSeconds: 900 },
  loginPerAccount: { name: 'login-account', limit: 5, windowSeconds: 900 },
  linkMissPerIp: { name: 'link-miss-ip', limit: 20, windowSeconds: 600 },
} satisfies Record<string, RateLimit>;
