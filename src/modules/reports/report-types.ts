import type { Cell, Nps } from './anonymity';
import type { Grain } from './periods';
import type { Source } from './reports.repository';
import type { Change } from './significance';

export type { Change } from './significance';

/**
 * Where a question's answers come from: the pulse surveys about the team, or a campaign (by its
 * name). The same questions can come from both (a campaign made from the pulse template has its
 * own copy of the questionnaire), so each row says which it is.
 */
export interface QuestionSource {
  kind: 'pulse' | 'campaign';
  name: string | null;
}

export const TREND_BUCKETS = 12;
export const COMMENTS_SHOWN = 30;

export interface TeamReport {
  team: { slug: string; name: string; npsTarget: number | null; csatTarget: number | null };
  k: number;
  period: {
    grain: Grain;
    start: string;
    end: string;
    label: string;
    previous: string;
    next: string | null;
  };
  headline: Cell<Nps>;
  /**
   * The headline against the previous period (significance.ts compareNps): present only when
   * both periods are shown, so it says nothing the two shown figures do not.
   */
  change: Change | null;
  /**
   * Participation of the pulse surveys about the team released in the period, each whole and
   * only when at least its k answered (n: how many answered); withheld below k.
   */
  responseRate: Cell<{ invited: number; rate: number }>;
  trend: { bucket: string; label: string; value: Cell<Nps> }[];
  distribution: Cell<{
    scores: { score: number; n: number; group: 'detractor' | 'passive' | 'promoter' }[];
  }>;
  questions: {
    id: string;
    type: string;
    text: string;
    /** The text in every language the questionnaire has (pages show the reader's). */
    texts: Record<string, string>;
    source: QuestionSource;
    result: Cell<{
      mean: number | null;
      csat: number | null;
      options: { key: string; label: string; labels: Record<string, string>; n: number }[];
    }>;
  }[];
  comments: Cell<{ texts: string[]; shown: number }>;
  subTeams: { slug: string; name: string; value: Cell<Nps>; change: Change | null }[];
  /** By respondent segment; small groups folded into "Other". Never applied to comments. */
  breakdowns: {
    segment: string;
    label: string;
    /** True when sub-teams show this breakdown instead (a segment is broken down once per path). */
    onSubTeams: boolean;
    groups: { label: string; value: Cell<Nps> }[];
  }[];
  comparison: { label: string; value: Cell<Nps> }[];
}

/**
 * The "after tickets" part of a team page: iNPS of surveys after tickets beside the pulse iNPS,
 * its trend, by resolution-time band, and comments — each for calendar periods that have closed
 * and under the same rules as the rest (k, the tree rule, the comment threshold) — and the
 * service standards of the team's tickets (operational figures, no one's answers).
 */
export interface TicketReport {
  k: number;
  period: TeamReport['period'] & { closed: boolean };
  /** iNPS of the period from pulses, surveys after tickets and anonymous reviews, side by side. */
  sources: { source: Source; label: string; value: Cell<Nps>; change: Change | null }[];
  trend: { bucket: string; label: string; closed: boolean; value: Cell<Nps> }[];
  bands: { onSubTeams: boolean; groups: { label: string; value: Cell<Nps> }[] };
  comments: Cell<{ texts: string[]; shown: number }>;
  standards: {
    opened: number;
    responded: number;
    resolved: number;
    firstResponse: { median: number | null; p90: number | null; target: number | null };
    handling: { median: number | null; p90: number | null; target: number | null };
  };
  /** Tickets opened per weekday (1 = Monday) and hour, in `timeZone`. */
  busiestHours: {
    timeZone: string;
    max: number;
    cells: { weekday: number; hour: number; tickets: number }[];
  };
}

/**
 * The "anonymous reviews" part of a team page: iNPS of the reviews employees asked to give, its
 * trend, and each open question's comments — for calendar periods that have closed, under the
 * same rules as the rest (k, the tree rule, the comment threshold). The comparison of the
 * sources (pulses, after tickets, reviews) is the ticket part's `sources`.
 */
export interface ReviewReport {
  k: number;
  period: TeamReport['period'] & { closed: boolean };
  value: Cell<Nps>;
  trend: { bucket: string; label: string; closed: boolean; value: Cell<Nps> }[];
  /**
   * Per open question (its text in English, or the first it has, and its text per language,
   * which the page picks from): its comments.
   */
  questions: {
    question: string;
    texts: Record<string, string>;
    comments: Cell<{ texts: string[]; shown: number }>;
  }[];
}

export const OVERVIEW_SORTS = ['name', 'nps', 'n', 'change', 'target'] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];
export const SPARK_BUCKETS = 8;

export interface OverviewRow {
  slug: string;
  name: string;
  depth: number;
  value: Cell<Nps>;
  /** Change since the previous bucket; only when both buckets are shown. */
  change: number | null;
  /** The same change with its 95% interval and whether it is significant (compareNps). */
  changeDetail: Change | null;
  target: number | null;
  /** iNPS minus target; only when the value is shown and the team has a target. */
  toTarget: number | null;
  spark: Cell<Nps>[];
  questions: Record<string, Cell<{ value: number }>>;
}

export interface Overview {
  k: number;
  period: TeamReport['period'];
  rows: OverviewRow[];
  questions: {
    id: string;
    text: string;
    texts: Record<string, string>;
    type: string;
    source: QuestionSource;
  }[];
}
