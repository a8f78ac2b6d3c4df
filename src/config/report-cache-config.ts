/** The REPORT_CACHE_* variables of the configuration (docs/reports.md, "The report cache"). */
export interface ReportCacheConfig {
  /** REPORT_CACHE: keep the results of closed periods in memory (false: every view reads live). */
  enabled: boolean;
  /** REPORT_CACHE_MAX_ENTRIES: results kept at most (least recently used go first). */
  maxEntries: number;
  /** REPORT_CACHE_MAX_MB: approximate megabytes the loaded results hold at most. */
  maxMegabytes: number;
}

export function reportCacheConfig(
  bool: (name: string, fallback: boolean) => boolean,
  int: (name: string, fallback: number, min: number, max: number) => number,
): ReportCacheConfig {
  return {
    enabled: bool('REPORT_CACHE', true),
    maxEntries: int('REPORT_CACHE_MAX_ENTRIES', 500, 10, 1_000_000),
    maxMegabytes: int('REPORT_CACHE_MAX_MB', 64, 1, 65_536),
  };
}
