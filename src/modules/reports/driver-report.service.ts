import { Injectable } from '@nestjs/common';
import { type Cell, guard, WITHHELD } from './anonymity';
import type { Grain } from './periods';
import { type DriverRow, DriversRepository } from './drivers.repository';
import { ReportTreeService, type ReportScope } from './report-tree.service';
import type { TeamReport } from './report-types';

/**
 * The fewest respondents who answered both a question and the iNPS question that a driver
 * correlation needs (D). Below about 30 pairs a correlation's 95% interval spans more than ±0.35,
 * too wide to rank questions by; the threshold is never below k.
 */
export const DRIVER_MIN_RESPONDENTS = 30;

/** The scored questions a driver can be: rating (1–5) and effort (1–7). */
export const DRIVER_TYPES = ['rating', 'ces'] as const;
export type DriverType = (typeof DRIVER_TYPES)[number];
const SCALE_TOP: Record<DriverType, number> = { rating: 5, ces: 7 };

/**
 * The six cells a driver's correlation is computed from (report_period_driver): the iNPS
 * category of the respondent (coded −1 detractor, 0 passive, +1 promoter: its contribution to
 * the NPS) × whether the answer to the question is favourable (coded 1; 4–5 of a rating, as CSAT
 * counts it, 5–7 of an effort score; else 0).
 */
export const DRIVER_CELLS = [
  'detractor_low',
  'detractor_top',
  'passive_low',
  'passive_top',
  'promoter_low',
  'promoter_top',
] as const;
export type DriverCells = Record<(typeof DRIVER_CELLS)[number], number>;

/**
 * Pearson's r of the coded pairs (favourable 0/1, NPS contribution −1/0/+1) that the six cells
 * count; null when either side has no spread.
 */
export function cellCorrelation(c: DriverCells): number | null {
  const n = DRIVER_CELLS.reduce((sum, cell) => sum + c[cell], 0);
  const x = c.detractor_top + c.passive_top + c.promoter_top; // Σx = Σx²
  const promoters = c.promoter_low + c.promoter_top;
  const detractors = c.detractor_low + c.detractor_top;
  const y = promoters - detractors;
  const yy = promoters + detractors;
  const xy = c.promoter_top - c.detractor_top;
  const vx = n * x - x * x;
  const vy = n * yy - y * y;
  if (vx <= 0 || vy <= 0) return null;
  return (n * xy - x * y) / Math.sqrt(vx * vy);
}

/** max(k, D): what each item's respondents with both answers must reach. */
export function driverThreshold(k: number): number {
  return Math.max(k, DRIVER_MIN_RESPONDENTS);
}

export interface DriverPerformance {
  /** The question's mean, as the team page's question table shows it (to 0.01). */
  mean: number;
  /** Share of 4–5, rating questions only (to 0.1). */
  csat: number | null;
  /** Where the mean sits on its scale, 0 (lowest) to 1 (highest): what "weakest" compares. */
  scale: number;
}

export interface DriverItem {
  id: string;
  type: DriverType;
  text: string;
  /**
   * `shown`: ranked by its correlation; `too-few`: withheld, for whatever reason (too few
   * respondents with both answers, a cell of the table under k, a count too close to the
   * question's or the iNPS's, no spread, or the team's figures withheld) — no number at all, and
   * nothing that tells which reason.
   */
  status: 'shown' | 'too-few';
  /** 1 for the strongest driver; null unless shown. */
  rank: number | null;
  /**
   * Pearson's r of favourable-or-not (1/0) and the NPS category (−1/0/+1), to 0.01; null
   * unless shown.
   */
  correlation: number | null;
  /** The question's own figures (all who answered it, as in the question table). */
  performance: Cell<DriverPerformance>;
  /** The weakest-performing question among the top-impact half. */
  focus: boolean;
}

/**
 * "What drives the score" for a team and period: which questions move iNPS most. See
 * docs/reports.md (What drives the score) for the method and its rules.
 */
export interface DriverReport {
  team: { slug: string; name: string };
  k: number;
  /** max(k, DRIVER_MIN_RESPONDENTS). */
  threshold: number;
  period: TeamReport['period'];
  method: 'pearson';
  /** False when the team's iNPS of the period is withheld: then every item is `too-few`. */
  available: boolean;
  /** Shown items by rank, then the withheld ones, in questionnaire order. */
  items: DriverItem[];
  /** The id of the item marked "focus here", if any. */
  focus: string | null;
}

export interface DriverInput {
  k: number;
  /** The team's scored questions answered in the period, in questionnaire order. */
  questions: { id: string; type: DriverType; text: string }[];
  rows: DriverRow[];
  /** Whether the team's iNPS of the period is shown (the tree rule). */
  teamShown: boolean;
  /** The team's iNPS respondents of the period, as its headline counts them. */
  npsN: number;
  /** Whether the question's own figures are shown for the team (the tree rule on its counts). */
  questionShown: (id: string) => boolean;
  /** The question's counts for the team: respondents, share of 4–5, mean. */
  counts: (id: string) => { n: number; top2: number; mean: number | null };
}

const round = (x: number, digits: number) => {
  const value = Math.round(x * 10 ** digits) / 10 ** digits;
  return value === 0 ? 0 : value; // never -0
};

/**
 * The driver rules, applied to the raw rows (a pure function, so its spec can try every case):
 * an item shows a correlation only when the team's iNPS and the question are shown for the team,
 * at least max(k, D) respondents gave both answers, every one of the six cells is 0 or at least
 * k, the respondents with both answers equal the team's iNPS respondents and the question's, or
 * differ from each by at least k, and both sides have spread; then items are ranked by
 * correlation, and "focus here" goes to the weakest-performing item of the top-impact half
 * (rounded up) whose correlation is positive. Every other item is `too-few`, alike.
 */
export function assembleDrivers(input: DriverInput): {
  threshold: number;
  items: DriverItem[];
  focus: string | null;
} {
  const threshold = driverThreshold(input.k);
  const items = input.questions.map((q): DriverItem => {
    const row = input.rows.find((r) => r.question_id === q.id);
    const counts = input.counts(q.id);
    const apart = (a: number, b: number) => a === b || Math.abs(a - b) >= input.k;
    const correlation = row === undefined ? null : cellCorrelation(row);
    const allowed =
      input.teamShown &&
      input.questionShown(q.id) &&
      row !== undefined &&
      row.n >= threshold &&
      DRIVER_CELLS.every((cell) => row[cell] === 0 || row[cell] >= input.k) &&
      apart(row.n, input.npsN) &&
      apart(row.n, counts.n) &&
      correlation !== null &&
      Number.isFinite(correlation);
    const base = { id: q.id, type: q.type, text: q.text, rank: null, focus: false };
    if (!allowed) return { ...base, status: 'too-few', correlation: null, performance: WITHHELD };
    const performance = guard(counts.n, input.k, () => {
      const mean = counts.mean ?? 0;
      return {
        mean: round(mean, 2),
        csat: q.type === 'rating' ? round((100 * counts.top2) / counts.n, 1) : null,
        scale: round((mean - 1) / (SCALE_TOP[q.type] - 1), 4),
      };
    });
    return { ...base, status: 'shown', correlation: round(correlation, 2), performance };
  });
  const order = (item: DriverItem) => input.questions.findIndex((q) => q.id === item.id);
  const shown = items
    .filter((i) => i.status === 'shown')
    .sort((a, b) => (b.correlation as number) - (a.correlation as number) || order(a) - order(b));
  shown.forEach((item, index) => (item.rank = index + 1));
  const topHalf = shown.slice(0, Math.ceil(shown.length / 2));
  let focus: DriverItem | undefined;
  for (const item of topHalf) {
    if ((item.correlation as number) <= 0 || item.performance.withheld) continue;
    if (!focus || item.performance.scale < (focus.performance as { scale: number }).scale)
      focus = item;
  }
  if (focus) focus.focus = true;
  return {
    threshold,
    items: [...shown, ...items.filter((i) => i.status === 'too-few')],
    focus: focus?.id ?? null,
  };
}

/**
 * A team's driver analysis with the question texts of every language: what the report cache
 * keeps (one build per key, shown in any language by `localize`), so a page's drivers and its
 * figures are one snapshot whatever language each viewer reads them in.
 */
export interface SharedDriverReport {
  /** The analysis, its items' `text` left empty. */
  report: DriverReport;
  /** Each item's question text, by language. */
  texts: Record<string, Record<string, string>>;
}

/**
 * The driver analysis of a team's pulses for one period, under its own reporting rules (see
 * assembleDrivers): read from the driver rollups in one statement, beside the tree rollups that
 * decide what the team page shows.
 */
@Injectable()
export class DriverReportService {
  constructor(
    private readonly tree: ReportTreeService,
    private readonly drivers: DriversRepository,
  ) {}

  /** The team's drivers for the calendar period of `grain` that holds `at`. */
  async forTeam(slug: string, grain: Grain, at: string, locale = 'en'): Promise<DriverReport> {
    return this.build(await this.tree.scope(slug, grain, at), locale);
  }

  async build(scope: ReportScope, locale = 'en'): Promise<DriverReport> {
    return this.localize(await this.buildShared(scope), locale);
  }

  /** The analysis in `locale` (the question's text in it, else English, else any). */
  localize(shared: SharedDriverReport, locale: string): DriverReport {
    const text = (id: string) => {
      const texts = shared.texts[id] ?? {};
      return texts[locale] ?? texts.en ?? Object.values(texts)[0] ?? '';
    };
    return {
      ...shared.report,
      items: shared.report.items.map((item) => ({ ...item, text: text(item.id) })),
    };
  }

  /** The analysis once, for every language (see SharedDriverReport). */
  async buildShared(scope: ReportScope): Promise<SharedDriverReport> {
    const { all, team, grain, start, end, range, subtree, trendFrom, memo } = scope;
    const [rollup, perQuestion, rows] = await Promise.all([
      // The trend's range, as the team report reads it: the same statement, shared within a page
      // (each bucket's visibility depends on that bucket's counts only).
      this.tree.rollups(all, { grain, from: trendFrom, to: end }, 'pulse', memo),
      this.tree.questionRollups(all, range, 'pulse', memo),
      this.drivers.driversOfTeams(subtree, range),
    ]);
    const teamShown = rollup.visible(start).has(team.id);
    const questions = perQuestion.questions
      .filter((q) => (DRIVER_TYPES as readonly string[]).includes(q.type))
      .filter((q) => perQuestion.counts(q.id, team.id).n > 0)
      .map((q) => ({ id: q.id, type: q.type as DriverType, text: '', texts: q.text }));
    const { threshold, items, focus } = assembleDrivers({
      k: this.tree.k,
      questions,
      rows,
      teamShown,
      npsN: rollup.counts(team.id, start).n,
      questionShown: (id) => perQuestion.visible(id).has(team.id),
      counts: (id) => perQuestion.counts(id, team.id),
    });
    const report: DriverReport = {
      team: { slug: team.slug, name: team.name },
      k: this.tree.k,
      threshold,
      period: this.tree.period(grain, start, end),
      method: 'pearson',
      available: teamShown,
      items,
      focus,
    };
    return { report, texts: Object.fromEntries(questions.map((q) => [q.id, q.texts])) };
  }
}
