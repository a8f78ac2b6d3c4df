import { addBuckets, bucketStart } from '../../src/modules/reports/periods';
import { DRIVER_SQL } from '../../src/modules/reports/drivers.sql';
import { REPORT_SQL } from '../../src/modules/reports/reports.sql';
import { SERVICE_STANDARDS_SQL } from '../../src/modules/tickets/service-standards.sql';

const TREND_BUCKETS = 12; // ReportsService.TREND_BUCKETS
const SPARK_BUCKETS = 8; // ReportsService.SPARK_BUCKETS

// The repositories' own SQL, so the baseline runs exactly the statements the app runs.
export const SQL: Record<string, string> = {
  ...REPORT_SQL,
  ...SERVICE_STANDARDS_SQL,
  ...DRIVER_SQL,
};

export interface Team {
  id: string;
  slug: string;
  parent_id: string | null;
}

export function subtree(all: Team[], rootId: string): string[] {
  const ids = [rootId];
  for (let i = 0; i < ids.length; i++)
    for (const t of all) if (t.parent_id === ids[i]) ids.push(t.id);
  return ids;
}

function pairs(groups: Record<string, string[]>): string {
  return JSON.stringify(
    Object.entries(groups).flatMap(([key, ids]) => ids.map((id) => ({ key, id }))),
  );
}

export type Query = {
  name: string;
  key: keyof typeof REPORT_SQL | keyof typeof SERVICE_STANDARDS_SQL | keyof typeof DRIVER_SQL;
  params: unknown[];
};

/**
 * The statements the team page (`team` and its subtree) and the overview run without the report
 * cache, for the month at `at`, with the parameters ReportsService computes (bench:reports' raw
 * baseline).
 */
export function reportQueries(teams: Team[], team: Team, at: string) {
  // Parameters as ReportsService computes them.
  const start = bucketStart(at, 'month');
  const end = addBuckets(start, 'month', 1);
  const trendFrom = addBuckets(start, 'month', 1 - TREND_BUCKETS);
  const sparkFrom = addBuckets(start, 'month', 1 - SPARK_BUCKETS);
  const sub = subtree(teams, team.id);
  // The whole tree and the organisation (the visibility rule needs them), as the service asks.
  const ORGANISATION = '__organisation'; // anonymity.ts
  const teamGroups = pairs(Object.fromEntries(sub.map((id) => [id, subtree(teams, id)])));
  // Every statement the team page runs (ReportsService.teamReport), and the overview's.
  const teamQueries: Query[] = [
    {
      name: 'team: npsByTreeAndBucket (whole tree + org, 12 months)',
      key: 'npsByTreeAndBucket',
      params: [ORGANISATION, 'month', trendFrom, end],
    },
    {
      name: 'team: questionCountsByTree (whole tree + org)',
      key: 'questionCountsByTree',
      params: [ORGANISATION, 'month', start, end],
    },
    { name: 'team: questionsInPeriod', key: 'questionsInPeriod', params: ['month', start, end] },
    {
      name: 'team: npsDistribution',
      key: 'npsDistribution',
      params: [sub, 'month', start, end],
    },
    {
      name: 'team: optionCountsByGroup',
      key: 'optionCountsByGroup',
      params: [pairs({ [team.id]: sub }), 'month', start, end],
    },
    { name: 'team: responseRate', key: 'responseRate', params: [sub, start, end] },
    { name: 'team: commentSample', key: 'commentSample', params: [sub, start, end, 30] },
    {
      name: 'team: npsBySegmentAndGroup (3 segments)',
      key: 'npsBySegmentAndGroup',
      params: [teamGroups, 'month', start, end],
    },
    // The part after tickets (its tree counts are the statements above, shared).
    {
      name: 'team: ticketCommentSample',
      key: 'ticketCommentSample',
      params: [sub, start, end, 30],
    },
    {
      name: 'team: ticketNpsByBandAndGroup',
      key: 'ticketNpsByBandAndGroup',
      params: [teamGroups, 'month', start, end],
    },
    { name: 'team: serviceStandards', key: 'serviceStandards', params: [sub, start, end] },
    {
      name: 'team: volumeByWeekdayHour',
      key: 'volumeByWeekdayHour',
      params: [sub, start, end, 'UTC'],
    },
    // What drives the score (DriverReportService): it shares the report's tree counts (the
    // statements above, through the page's memo) and adds its driver sums. The comment card's
    // themes are kept per team and period until a release changes the period's comment count
    // (CommentReportService), so a page view reads no comment text.
    { name: 'team: driversOfTeams', key: 'driversOfTeams', params: [sub, 'month', start, end] },
  ];
  const overviewQueries: Query[] = [
    {
      name: 'overview: npsByTreeAndBucket (whole tree + org, 8 months)',
      key: 'npsByTreeAndBucket',
      params: [ORGANISATION, 'month', sparkFrom, end],
    },
    {
      name: 'overview: questionCountsByTree (whole tree + org)',
      key: 'questionCountsByTree',
      params: [ORGANISATION, 'month', start, end],
    },
    {
      name: 'overview: questionsInPeriod',
      key: 'questionsInPeriod',
      params: ['month', start, end],
    },
  ];
  return { teamQueries, overviewQueries, start, end, sub, ORGANISATION };
}
