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
 * Groups shown beside their parent (sub-teams beside a team, segments beside a total): a group
 * below k is withheld, and so is the next-smallest while the withheld rest (parent minus shown
 * groups) is above zero and below k — otherwise subtraction would reveal it. Returns the keys
 * that may be shown.
 */
export function shownGroups(
  parentN: number,
  groups: { key: string; n: number }[],
  k: number,
): Set<string> {
  const shown = groups.filter((g) => g.n >= k).sort((a, b) => a.n - b.n);
  const total = () => shown.reduce((sum, g) => sum + g.n, 0);
  while (shown.length > 0) {
    const rest = parentN - total();
    if (rest === 0 || rest >= k) break;
    shown.shift();
  }
  return new Set(shown.map((g) => g.key));
}

/**
 * Whether a comparison of a group with a larger whole that contains it (a team beside its
 * parent or the organisation) may be shown: both, and what the whole has besides the group,
 * must reach k (or the rest must be empty: then the whole is the group).
 */
export function comparisonAllowed(groupN: number, wholeN: number, k: number): boolean {
  const rest = wholeN - groupN;
  return groupN >= k && wholeN >= k && (rest === 0 || rest >= k);
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
): { shown: G[]; other: G[] } {
  const shown = groups.filter((g) => g.n >= k).sort((a, b) => a.n - b.n);
  const other = groups.filter((g) => g.n < k);
  const otherN = () => other.reduce((sum, g) => sum + g.n, 0);
  while (otherN() > 0 && otherN() < k && shown.length > 0) other.push(shown.shift() as G);
  if (otherN() > 0 && otherN() < k) return { shown: [], other: [] };
  return { shown: shown.sort((a, b) => b.n - a.n), other };
}
