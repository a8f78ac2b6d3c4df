import { parse } from 'csv-parse/sync';
import { nps, WITHHELD } from './anonymity';
import { teamReportCsv } from './report-csv';
import type { TeamReport } from './reports.service';

/** 10 answers: 1 promoter, 2 passives, 7 detractors → iNPS −60, interval about −93.9 … −26.1. */
const badWeek = {
  withheld: false as const,
  n: 10,
  ...nps({ n: 10, promoters: 1, passives: 2, detractors: 7 }),
};
/** 40 answers: iNPS −20 with a lower bound under zero and an upper bound around zero. */
const meh = {
  withheld: false as const,
  n: 40,
  ...nps({ n: 40, promoters: 8, passives: 16, detractors: 16 }),
};

function report(): TeamReport {
  return {
    team: { slug: 'it', name: 'IT', npsTarget: null, csatTarget: null },
    k: 5,
    period: {
      grain: 'month',
      start: '2026-01-01',
      end: '2026-02-01',
      label: 'January 2026',
      previous: '2025-12-01',
      next: null,
    },
    headline: meh,
    change: null,
    responseRate: WITHHELD,
    trend: [{ bucket: '2025-12-01', label: 'December 2025', value: badWeek }],
    distribution: { withheld: false, n: 1, scores: [{ score: 0, n: 7, group: 'detractor' }] },
    questions: [
      {
        id: 'q1',
        type: 'ces',
        text: '=HYPERLINK("http://evil.example","click")',
        texts: {},
        source: { kind: 'pulse', name: null },
        result: { withheld: false, n: 12, mean: -3.5, csat: null, options: [] },
      },
      {
        id: 'q2',
        type: 'single',
        text: '-1 day or more?',
        texts: {},
        source: { kind: 'pulse', name: null },
        result: {
          withheld: false,
          n: 12,
          mean: null,
          csat: null,
          options: [{ key: 'a', label: '@SUM(A1:A2)', labels: {}, n: 12 }],
        },
      },
    ],
    comments: WITHHELD,
    subTeams: [
      { slug: 'a', name: '-2+3', value: meh, change: null },
      { slug: 'b', name: '+cmd', value: WITHHELD, change: null },
      { slug: 'c', name: '\tTabbed', value: WITHHELD, change: null },
      { slug: 'd', name: '＝full width', value: WITHHELD, change: null },
    ],
    breakdowns: [],
    comparison: [{ label: 'Organisation', value: badWeek }],
  };
}

describe('teamReportCsv', () => {
  const csv = teamReportCsv(report());
  const table = parse(csv) as string[][];
  const row = (section: string, label: string) =>
    table.find((r) => r[0] === section && r[1] === label);

  it('writes negative scores and bounds as numbers, never as text', () => {
    expect(meh.nps).toBe(-20);
    expect(meh.low).toBeLessThan(0);
    expect(row('headline iNPS', 'January 2026')).toEqual([
      'headline iNPS',
      'January 2026',
      '40',
      '-20',
      String(meh.low),
      String(meh.high),
    ]);
    expect(row('trend iNPS', 'December 2025')).toEqual([
      'trend iNPS',
      'December 2025',
      '10',
      '-60',
      String(badWeek.low),
      String(badWeek.high),
    ]);
    expect(row('comparison iNPS', 'Organisation')?.slice(3)).toEqual([
      '-60',
      String(badWeek.low),
      String(badWeek.high),
    ]);
    // A negative mean (a made-up scale, but a number all the same) stays a number too.
    expect(csv).toContain(`question,"'=HYPERLINK(""http://evil.example"",""click"")",12,-3.5,,`);
    expect(csv).toContain(`\r\nheadline iNPS,January 2026,40,-20,${meh.low},${meh.high}\r\n`);
    expect(table.flatMap((r) => r.slice(2)).filter((cell) => cell.startsWith("'"))).toEqual([]);
  });

  it('escapes text cells that a spreadsheet would run as a formula, and only those', () => {
    expect(table.map((r) => r[1])).toEqual([
      'label',
      'January 2026',
      'December 2025',
      "'-2+3",
      "'+cmd",
      "'\tTabbed",
      "'＝full width",
      'Organisation',
      'score 0',
      `'=HYPERLINK("http://evil.example","click")`,
      "'-1 day or more?",
      "'-1 day or more? — @SUM(A1:A2)",
    ]);
    expect(row('sub-team iNPS', "'-2+3")?.slice(2)).toEqual([
      '40',
      '-20',
      String(meh.low),
      String(meh.high),
    ]);
  });

  it('ends every record with CRLF', () => {
    expect(csv.split('\r\n')).toHaveLength(table.length + 1);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
