/**
 * The reporting threshold, enforced here and only here: every number a report shows (a score,
 * a count, a trend point, a distribution, a group in a breakdown) covers at least k responses,
 * or it is withheld — its count too. Pages, the API and exports all read what these functions
 * return, never the raw query rows.
 */
export type Withheld = { withheld: true };
export type Shown<T> = { withheld: false; n: number } & T;
export type Cell<T> = Withheld | Shown<T>;

export const WITHHELD: Withheld = Object.freeze({ withheld: true });

/** `value(n)` when n reaches k; otherwise nothing but the fact that it is withheld. */
export function guard<T extends object>(n: number, k: number, value: () => T): Cell<T> {
  return n >= k ? { withheld: false, n, ...value() } : WITHHELD;
}

export interface NpsCounts {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
}

export interface Nps {
  nps: number;
  low: number;
  high: number;
  promoters: number;
  passives: number;
  detractors: number;
}

/**
 * NPS = %promoters − %detractors, with its 95% interval
 * NPS ± 1.96 · 100 · √((p₊ + p₋ − (p₊ − p₋)²) / n), clipped to [−100, 100].
 */
export function nps(counts: NpsCounts): Nps {
  const { n, promoters, passives, detractors } = counts;
  const pPlus = promoters / n;
  const pMinus = detractors / n;
  const score = 100 * (pPlus - pMinus);
  const margin = 1.96 * 100 * Math.sqrt(Math.max(0, pPlus + pMinus - (pPlus - pMinus) ** 2) / n);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    nps: round(score),
    low: round(Math.max(-100, score - margin)),
    high: round(Math.min(100, score + margin)),
    promoters,
    passives,
    detractors,
  };
}

export function guardNps(counts: NpsCounts, k: number): Cell<Nps> {
  return guard(counts.n, k, () => nps(counts));
}

/**
 * A breakdown by segment (department, location, tenure band): groups below k fold into "Other",
 * and while "Other" is itself above zero but below k the next-smallest group folds in too. The
 * shown groups and "Other" then add up to the whole, so nothing is left to subtract. Returns the
 * groups to show (with "Other" last, when it is not empty); empty when even that cannot reach k.
 */
export function foldSegments<G extends { key: string; n: number }>(
  groups: G[],
  k: number,
  /** Groups that are part of "Other" whatever their size (see foldWithRest). */
  alwaysOther: G[] = [],
): { shown: G[]; other: G[] } {
  const shown = groups.filter((g) => g.n >= k).sort((a, b) => a.n - b.n);
  const other = [...groups.filter((g) => g.n < k), ...alwaysOther];
  const otherN = () => other.reduce((sum, g) => sum + g.n, 0);
  while (otherN() > 0 && otherN() < k && shown.length > 0) other.push(shown.shift() as G);
  if (otherN() > 0 && otherN() < k) return { shown: [], other: [] };
  return { shown: shown.sort((a, b) => b.n - a.n), other };
}

/**
 * foldSegments over the values releases named and `rest`, what they did not name (the segment
 * aggregates of each release name only values shared by at least m people): the rest is always
 * part of "Other", even when it would reach k on its own.
 */
export function foldWithRest<G extends { key: string; n: number }>(
  named: G[],
  rest: G | undefined,
  k: number,
): { shown: G[]; other: G[] } {
  return foldSegments(named, k, rest && rest.n > 0 ? [rest] : []);
}

/**
 * Which teams' rolled-up figures may be shown for one period, when every team's page can be
 * read side by side (the strictest case: an admin). A team's total includes its sub-teams, so
 * its total minus the sub-teams shown on their own pages is a group of its own: the team is
 * shown only when it reaches k and that leftover is 0 or reaches k. Worked out from the leaves
 * up (a hidden sub-team's own shown sub-teams count as shown); the organisation is the root
 * above the top-level teams, under the key `ORGANISATION`.
 */
export const ORGANISATION = '__organisation';

export function visibleTeams(
  teams: { id: string; parentId: string | null }[],
  counts: (teamId: string) => number,
  organisationCount: number,
  k: number,
): Set<string> {
  const children = new Map<string, string[]>();
  for (const t of teams) {
    const parent = t.parentId ?? ORGANISATION;
    children.set(parent, [...(children.get(parent) ?? []), t.id]);
  }
  const visible = new Set<string>();
  const n = (id: string) => (id === ORGANISATION ? organisationCount : counts(id));
  // The shown teams that cover what is below `id`: shown children, or, for a hidden child, its cover.
  const cover = (id: string): number =>
    (children.get(id) ?? []).reduce(
      (sum, child) => sum + (visible.has(child) ? n(child) : cover(child)),
      0,
    );
  const decide = (id: string): void => {
    for (const child of children.get(id) ?? []) decide(child);
    const total = n(id);
    const leftover = total - cover(id);
    if (total >= k && (leftover === 0 || leftover >= k)) visible.add(id);
  };
  decide(ORGANISATION);
  return visible;
}

/**
 * Ticket survey results of a calendar period appear only once the period has closed (a lead
 * knows whose tickets closed this week, so an open period would single out its latest answers)
 * — and then, like every number, only when they cover at least k responses.
 */
export function periodClosed(end: string, today = new Date().toISOString().slice(0, 10)): boolean {
  return end <= today;
}

/** `cell()` for a period that has closed, else withheld. */
export function whenClosed<T extends object>(end: string, cell: () => Cell<T>): Cell<T> {
  return periodClosed(end) ? cell() : WITHHELD;
}
