import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import type { BackOff } from './rate-limit.service';

/** The wait after the last attempt of a row holding `hits` (SQL, for the statements below). */
const BACK_OFF_WAIT = `make_interval(secs => least($3::float8 * power(2::float8, least(b.hits - $2::int, 30)), $4::float8))`;

/** The counters of RateLimitService: one row per key in `rate_limit_bucket`. */
@Injectable()
export class RateLimitRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts one hit in the key's window (a new window once the last one ended). */
  async hit(key: string, windowSeconds: number): Promise<{ hits: number; retry_after: number }> {
    const [row] = await preparedQuery<{ hits: number; retry_after: number }>(
      this.dataSource,
      'rate_limit_hit',
      `INSERT INTO rate_limit_bucket AS b (key, window_start, hits) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN b.window_start < now() - make_interval(secs => $2) THEN 1 ELSE b.hits + 1 END,
         window_start = CASE WHEN b.window_start < now() - make_interval(secs => $2) THEN now() ELSE b.window_start END
       RETURNING hits, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS retry_after`,
      [key, windowSeconds],
    );
    return row;
  }

  async blocked(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    const rows = await preparedQuery<{ blocked: boolean }>(
      this.dataSource,
      'rate_limit_blocked',
      `SELECT hits > $2 AND window_start >= now() - make_interval(secs => $3) AS blocked
         FROM rate_limit_bucket WHERE key = $1`,
      [key, limit, windowSeconds],
    );
    return rows[0]?.blocked ?? false;
  }

  async refund(key: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE rate_limit_bucket SET hits = hits - 1 WHERE key = $1 AND hits > 0',
      [key],
    );
  }

  /**
   * Counts one attempt unless the back-off says wait: undefined when counted, else the seconds
   * still to wait.
   */
  async attempt(key: string, rule: BackOff, forgetSeconds: number): Promise<number | undefined> {
    const params = [key, rule.free, rule.baseSeconds, rule.maxSeconds, forgetSeconds];
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
    if (counted.length > 0) return undefined;
    const [row] = await this.dataSource.query<{ retry_after: number }[]>(
      `SELECT ceil(extract(epoch FROM b.window_start + ${BACK_OFF_WAIT} - now()))::int AS retry_after
         FROM rate_limit_bucket b WHERE b.key = $1`,
      params.slice(0, 4),
    );
    return row?.retry_after ?? 1;
  }

  async reset(key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM rate_limit_bucket WHERE key = $1', [key]);
  }

  async purge(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM rate_limit_bucket WHERE window_start < now() - interval '1 day'`,
    );
  }
}
