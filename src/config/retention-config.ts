/** The RETENTION_* variables of the configuration (docs/retention.md), read by loadConfig. */

/** How long the growing tables keep their rows, and how the daily `retention.purge` deletes. */
export interface RetentionConfig {
  /** Mail rows that are done (sent, failed, dead, cancelled), counted from their last change. */
  mailDays: number;
  /** Audit events, counted from when they happened. */
  auditDays: number;
  /** Legal hold: the audit log is not purged at all while this is on. */
  auditHold: boolean;
  /** Webhook receipts (replay protection) and the webhook delivery log. */
  webhookDays: number;
  /** pg-boss's archive of finished jobs (its `deleteAfterDays`). */
  jobsDays: number;
  /** Rows per DELETE statement: each statement is its own short transaction. */
  batchSize: number;
  /** The hour (UTC) of the daily purge. */
  hourUtc: number;
  /**
   * Raw answers (`response`, `answer`, and the segment rows no report reads), counted from
   * their release day; null (unset, the default): kept without a limit.
   */
  rawAnswerDays: number | null;
}

type IntReader = (name: string, fallback: number, min: number, max: number) => number;
type BoolReader = (name: string, fallback: boolean) => boolean;

/**
 * RETENTION_*: whole numbers of days within bounds that keep what the app itself needs (a
 * webhook replay is refused for a week at least, longer than the senders' own retries; HR sees a week of mail failures at least; an
 * audit log shorter than a month is no audit log) and refuse a slip of the keyboard (over ten
 * years). 0 and negative numbers are refused like any other value out of bounds.
 */
export function retentionConfig(int: IntReader, bool: BoolReader): RetentionConfig {
  return {
    mailDays: int('RETENTION_MAIL_DAYS', 90, 7, 3650),
    auditDays: int('RETENTION_AUDIT_DAYS', 400, 30, 3650),
    auditHold: bool('RETENTION_AUDIT_HOLD', false),
    webhookDays: int('RETENTION_WEBHOOK_DAYS', 30, 7, 3650),
    jobsDays: int('RETENTION_JOBS_DAYS', 7, 1, 365),
    batchSize: int('RETENTION_BATCH_SIZE', 5000, 1, 100_000),
    hourUtc: int('RETENTION_PURGE_HOUR', 3, 0, 23),
    rawAnswerDays: rawAnswerDays(int),
  };
}

/** The fallback that says "not set": outside the bounds, so no value given can equal it. */
const UNSET = -1;

/**
 * RETENTION_RAW_ANSWERS_DAYS: unset, raw answers are kept without a limit — a later version that
 * changes how a rollup is computed can recompute only the days whose raw rows exist. Set, at
 * least 400 days: longer than any survey stays open and its answers wait for their release, plus
 * a year-over-year comparison, so the days a report may still recompute (a late release, a
 * survey deleted) are never frozen yet; at most ten years, like every period here. 0 and
 * negative numbers are refused (out of bounds), not read as "unset".
 */
function rawAnswerDays(int: IntReader): number | null {
  const days = int('RETENTION_RAW_ANSWERS_DAYS', UNSET, 400, 3650);
  return days === UNSET ? null : days;
}
