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

/** How long a load may keep its callers waiting before it is dropped (a hung database read). */
export const REPORT_CACHE_LOAD_TIMEOUT_MS = 30_000;

/**
 * Results of closed periods, kept in this process (docs/reports.md, "The report cache"): what a
 * report page, the JSON API and the CSV show once every reporting rule has been applied — counts,
 * scores and intervals that passed the thresholds, labels — never a raw row; of comments only the
 * displayed sample of a period whose comments are shown (what its page shows anyway; memory only,
 * never written or logged). A key holds everything the result depends on: what is asked (team or
 * visible teams, grain, period, locale), the sum of the change counters of the days it covers and
 * the team tree as the figures' server holds it (one statement, through ReadDatabase), the
 * team tree and targets the app holds, and k and the comment
 * threshold; so an entry is never used after a release into its days, on any instance. A least
 * recently used entry goes first beyond REPORT_CACHE_MAX_ENTRIES or REPORT_CACHE_MAX_MB (approximate
 * bytes); REPORT_CACHE=false: nothing kept.
 */
@Injectable()
export class ReportCache {
  private readonly entries = new Map<string, Entry>();
  readonly enabled: boolean;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** The approximate bytes of the loaded entries (strings count two bytes a character). */
  private used = 0;
  hits = 0;
  misses = 0;

  /** The clock of the TTL (a test sets its own). */
  now: () => number = Date.now;
  /** How long callers wait on a shared load before it is dropped and each reads on its own. */
  loadTimeoutMs = REPORT_CACHE_LOAD_TIMEOUT_MS;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'reportCache'>) {
    this.enabled = config.reportCache.enabled;
    this.maxEntries = config.reportCache.maxEntries;
    this.maxBytes = config.reportCache.maxMegabytes * 1024 * 1024;
  }

  /**
   * The value kept under `key`, else `load()`'s (kept for the next caller; callers that ask for
   * the same key meanwhile share the one load). A load that fails is not kept; one that takes
   * longer than loadTimeoutMs is dropped, and its callers each read live instead of waiting on it.
   */
  through<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      if (this.now() - entry.at <= REPORT_CACHE_TTL_MS) {
        this.entries.set(key, entry); // most recently used last
        this.hits++;
        return this.waitFor(key, entry, load);
      }
      this.used -= entry.bytes;
    }
    this.misses++;
    const value = load();
    const fresh: Entry = { value, at: this.now(), bytes: 0, settled: false };
    this.entries.set(key, fresh);
    value.then(
      (loaded) => {
        fresh.settled = true;
        if (this.entries.get(key) !== fresh) return;
        fresh.bytes = approximateBytes(loaded);
        this.used += fresh.bytes;
        this.evict();
      },
      () => this.drop(key, fresh),
    );
    this.evict();
    return this.waitFor(key, fresh, load);
  }

  /** The entry's value, or the caller's own load once the shared one has taken too long. */
  private waitFor<T>(key: string, entry: Entry, load: () => Promise<T>): Promise<T> {
    const value = entry.value as Promise<T>;
    if (entry.settled) return value;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.loadTimeoutMs);
      timer.unref();
    });
    return Promise.race([value, late])
      .then((result) => {
        if (result !== 'late') return result;
        this.drop(key, entry);
        return load();
      })
      .finally(() => clearTimeout(timer));
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }

  /** Least recently used out first, past the entry count or the bytes. */
  private evict(): void {
    while (
      this.entries.size > this.maxEntries ||
      (this.used > this.maxBytes && this.entries.size > 0)
    ) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.used -= entry.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The approximate bytes the loaded entries hold. */
  get bytes(): number {
    return this.used;
  }
}

interface Entry {
  value: Promise<unknown>;
  at: number;
  /** Approximate size once loaded (0 while loading). */
  bytes: number;
  settled: boolean;
}

/** What a loaded value holds, roughly: its strings (HTML, JSON) at two bytes a character. */
export function approximateBytes(value: unknown): number {
  if (typeof value === 'string') return 2 * value.length;
  if (value === undefined) return 0;
  try {
    return 2 * (JSON.stringify(value)?.length ?? 0);
  } catch {
    return 0;
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
