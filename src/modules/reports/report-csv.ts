import { stringify } from 'csv-stringify/sync';
import type { Cell } from './anonymity';
import type { TeamReport } from './reports.service';

/**
 * Rows as CSV (RFC 4180, CRLF). Numbers are written as numbers, a negative iNPS or bound too;
 * only a text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR, or their
 * full-width forms) gets a leading ' (OWASP CSV injection).
 */
export function toCsv(rows: (string | number | null | undefined)[][]): string {
  return stringify(rows, { escape_formulas: true, record_delimiter: 'windows' });
}

const WITHHELD_TEXT = 'fewer than k responses';

function nps(cell: Cell<{ nps: number; low: number; high: number }>): (string | number)[] {
  return cell.withheld ? [WITHHELD_TEXT, '', '', ''] : [cell.n, cell.nps, cell.low, cell.high];
}

/** The aggregates of a team report as CSV — exactly what the page shows, never raw responses. */
export function teamReportCsv(report: TeamReport): string {
  const rows: (string | number | null)[][] = [
    ['section', 'label', 'responses', 'value', 'low (95%)', 'high (95%)'],
    ['headline iNPS', report.period.label, ...nps(report.headline)],
    ...report.trend.map((p) => ['trend iNPS', p.label, ...nps(p.value)]),
    ...report.subTeams.map((s) => ['sub-team iNPS', s.name, ...nps(s.value)]),
    ...report.comparison.map((c) => ['comparison iNPS', c.label, ...nps(c.value)]),
    ...report.breakdowns.flatMap((b) =>
      b.groups.map((g) => [`${b.label} iNPS`, g.label, ...nps(g.value)]),
    ),
  ];
  if (report.distribution.withheld)
    rows.push(['distribution', 'all scores', WITHHELD_TEXT, '', '', '']);
  else
    for (const s of report.distribution.scores)
      rows.push(['distribution', `score ${s.score}`, s.n, '', '', '']);
  for (const q of report.questions) {
    if (q.result.withheld) {
      rows.push(['question', q.text, WITHHELD_TEXT, '', '', '']);
      continue;
    }
    rows.push(['question', q.text, q.result.n, q.result.csat ?? q.result.mean, '', '']);
    for (const o of q.result.options)
      rows.push(['question option', `${q.text} — ${o.label}`, o.n, '', '', '']);
  }
  return toCsv(rows);
}
