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
   * `shown`: ranked by its correlation; `no-spread`: everyone gave the same score to it or to
   * the iNPS question, so there is nothing to correlate; `too-few`: fewer respondents with both
   * answers than the threshold, or the team's figures are withheld — no number at all.
   */
  status: 'shown' | 'no-spread' | 'too-few';
  /** 1 for the strongest driver; null unless shown. */
  rank: number | null;
  /** Pearson's r of the question's score and the iNPS score, to 0.01; null unless shown. */
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
  /** Shown items by rank, then those without spread, then the rest, in questionnaire order. */
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
 * an item shows a correlation only when the team's iNPS and the question are shown for the team
 * and at least max(k, D) respondents gave both answers; then items are ranked by correlation,
 * and "focus here" goes to the weakest-performing item of the top-impact half (rounded up) whose
 * correlation is positive.
 */
export function assembleDrivers(input: DriverInput): {
  threshold: number;
  items: DriverItem[];
  focus: string | null;
} {
  const threshold = driverThreshold(input.k);
  const items = input.questions.map((q): DriverItem => {
    const row = input.rows.find((r) => r.question_id === q.id);
    const allowed =
      input.teamShown && input.questionShown(q.id) && row !== undefined && row.n >= threshold;
    const base = { id: q.id, type: q.type, text: q.text, rank: null, focus: false };
    if (!allowed) return { ...base, status: 'too-few', correlation: null, performance: WITHHELD };
    const counts = input.counts(q.id);
    const performance = guard(counts.n, input.k, () => {
      const mean = counts.mean ?? 0;
      return {
        mean: round(mean, 2),
        csat: q.type === 'rating' ? round((100 * counts.top2) / counts.n, 1) : null,
        scale: round((mean - 1) / (SCALE_TOP[q.type] - 1), 4),
      };
    });
    if (row.correlation === null || !Number.isFinite(row.correlation))
      return { ...base, status: 'no-spread', correlation: null, performance };
    return { ...base, status: 'shown', correlation: round(row.correlation, 2), performance };
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
    items: [
      ...shown,
      ...items.filter((i) => i.status === 'no-spread'),
      ...items.filter((i) => i.status === 'too-few'),
    ],
    focus: focus?.id ?? null,
  };
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
    const { all, team, grain, start, end, range, subtree, memo } = scope;
    const [rollup, perQuestion, rows] = await Promise.all([
      this.tree.rollups(all, range, 'pulse', memo),
      this.tree.questionRollups(all, range, 'pulse', memo),
      this.drivers.driversOfTeams(subtree, range),
    ]);
    const teamShown = rollup.visible(start).has(team.id);
    const questions = perQuestion.questions
      .filter((q) => (DRIVER_TYPES as readonly string[]).includes(q.type))
      .filter((q) => perQuestion.counts(q.id, team.id).n > 0)
      .map((q) => ({
        id: q.id,
        type: q.type as DriverType,
        text: q.text[locale] ?? q.text.en ?? Object.values(q.text)[0] ?? '',
      }));
    const { threshold, items, focus } = assembleDrivers({
      k: this.tree.k,
      questions,
      rows,
      teamShown,
      questionShown: (id) => perQuestion.visible(id).has(team.id),
      counts: (id) => perQuestion.counts(id, team.id),
    });
    return {
      team: { slug: team.slug, name: team.name },
      k: this.tree.k,
      threshold,
      period: this.tree.period(grain, start, end),
      method: 'pearson',
      available: teamShown,
      items,
      focus,
    };
  }
}
