import { rawHeadlineCount, type TreeRow } from '../../bench/lib/headline';

/** bench:reports compares the app's headline with this raw count before it measures anything. */
describe("the reports benchmark's headline check", () => {
  const TEAM = 'team-it';
  const MONTH = '2026-11-01';
  // As the tree statement returns them: a row per source, in no particular order.
  const rows: TreeRow[] = [
    { source: 'ticket', key: TEAM, bucket: MONTH, n: 2050 },
    { source: 'pulse', key: 'organisation', bucket: MONTH, n: 9000 },
    { source: 'pulse', key: TEAM, bucket: '2026-10-01', n: 4100 },
    { source: 'pulse', key: TEAM, bucket: MONTH, n: 4759 },
  ];

  it('compares the pulses of the team in the month, whatever the rows’ order', () => {
    expect(rawHeadlineCount(rows, TEAM, MONTH)).toBe(4759);
    expect(rawHeadlineCount([...rows].reverse(), TEAM, MONTH)).toBe(4759);
  });

  it('counts nothing for a month without pulses', () => {
    expect(rawHeadlineCount(rows, TEAM, '2026-09-01')).toBe(0);
  });

  it('stops when the statement returns two rows for one source, team and month', () => {
    expect(() =>
      rawHeadlineCount([...rows, { source: 'pulse', key: TEAM, bucket: MONTH, n: 1 }], TEAM, MONTH),
    ).toThrow(/changed shape/);
  });
});
