import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Team } from './report-tree.service';

/**
 * How long an entry is used at most, whatever its key says: the bound on a change its key does
 * not see (a question's text, a campaign's name). The figures themselves are keyed on the
 * rollups' change counter, and never older than what the database read says.
 */
export const REPORT_CACHE_TTL_MS = 10 * 60_000;

/**
 * Results of closed periods, kept in this process (docs/reports.md, "The report cache"): what a
 * report page, the JSON API and the CSV show once every reporting rule has been applied — counts,
 * scores and intervals that passed the thresholds, labels — never a raw row or a comment text.
 * A key holds everything the result depends on: what is asked (team or visible teams, grain,
 * period, locale), the sum of the change counters of the days it covers (report_change, read on
 * the connection the report reads from), the team tree and targets, and k and the comment
 * threshold; so an entry is never used after a release into its days, on any instance. A least
 * recently used entry goes first beyond REPORT_CACHE_MAX_ENTRIES; REPORT_CACHE=false: nothing kept.
 */
@Injectable()
export class ReportCache {
  private readonly entries = new Map<string, { value: Promise<unknown>; at: number }>();
  readonly enabled: boolean;
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  /** The clock of the TTL (a test sets its own). */
  now: () => number = Date.now;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'reportCache'>) {
    this.enabled = config.reportCache.enabled;
    this.maxEntries = config.reportCache.maxEntries;
  }

  /**
   * The value kept under `key`, else `load()`'s (kept for the next caller; callers that ask for
   * the same key meanwhile share the one load). A load that fails is not kept.
   */
  through<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      if (this.now() - entry.at <= REPORT_CACHE_TTL_MS) {
        this.entries.set(key, entry); // most recently used last
        this.hits++;
        return entry.value as Promise<T>;
      }
    }
    this.misses++;
    const value = load();
    this.entries.set(key, { value, at: this.now() });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What a cached report depends on in the team table: ids, tree, names, slugs and targets (a
 * short hash, so that keys stay small).
 */
export function teamsFingerprint(all: Team[]): string {
  const hash = createHash('sha1');
  for (const t of all)
    hash.update(
      `${t.id}|${t.parentId ?? ''}|${t.slug}|${t.name}|${t.npsTarget ?? ''}|${t.csatTarget ?? ''}|${t.firstResponseTargetMinutes ?? ''}|${t.resolutionTargetMinutes ?? ''}\n`,
    );
  return hash.digest('base64url').slice(0, 16);
}

/** A weak ETag from a cache key and what else tells two representations apart. */
export function etagOf(...parts: string[]): string {
  return `W/"${createHash('sha1').update(parts.join('\n')).digest('base64url').slice(0, 27)}"`;
}
