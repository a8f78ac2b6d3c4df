/** A row of the tree statement (REPORT_SQL.npsByTreeAndBucket): one per source, group and bucket. */
export interface TreeRow {
  source: string;
  key: string;
  bucket: string;
  n: number;
}

/**
 * The raw count behind the team page's headline: the pulses (the page's main figures; surveys
 * after tickets have a part of their own) of the team's tree in one bucket. The statement returns
 * a row per source, so the row is picked by source too, never by position; a second row for the
 * same source, group and bucket means the statement changed shape, and the comparison stops.
 */
export function rawHeadlineCount(rows: TreeRow[], teamKey: string, bucket: string): number {
  const mine = rows.filter((r) => r.key === teamKey && r.bucket === bucket && r.source === 'pulse');
  if (mine.length > 1)
    throw new Error(
      `the tree statement returned ${mine.length} pulse rows for ${teamKey} in ${bucket}: it changed shape`,
    );
  return mine[0]?.n ?? 0;
}
