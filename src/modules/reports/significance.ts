import type { Cell, Nps } from './anonymity';

/** Fewer responses than this and a figure is flagged as a small sample, whatever it says. */
export const SMALL_SAMPLE = 30;

export interface Change {
  /** This period's iNPS minus the previous one's, one decimal. */
  delta: number;
  /** The 95% interval of the difference. */
  low: number;
  high: number;
  /** True only when that interval excludes zero: the wording may then say "rose" or "fell". */
  significant: boolean;
  direction: 'up' | 'down' | 'flat';
  /** Either side has fewer than SMALL_SAMPLE responses. */
  smallSample: boolean;
}

function variance(cell: Nps & { n: number }): number {
  const pPlus = cell.promoters / cell.n;
  const pMinus = cell.detractors / cell.n;
  return (1e4 * Math.max(0, pPlus + pMinus - (pPlus - pMinus) ** 2)) / cell.n;
}

/**
 * Whether an iNPS moved between two periods, or only wobbled: the difference of two NPS with the
 * standard error of each (the same formula as their intervals, anonymity.ts) combined as for
 * independent samples, √(v₁ + v₂), and called significant when its 95% interval excludes zero.
 * Respondents overlapping between periods make the true error smaller, so this errs on the side
 * of "not significant". Nothing is computed unless both cells are shown (each covers ≥ k).
 */
export function compareNps(current: Cell<Nps>, previous: Cell<Nps>): Change | undefined {
  if (current.withheld || previous.withheld) return undefined;
  const delta = current.nps - previous.nps;
  const margin = 1.96 * Math.sqrt(variance(current) + variance(previous));
  const round = (x: number) => Math.round(x * 10) / 10;
  // Decided on the bounds as shown (one decimal), so "rose" never stands beside "0.0 to 12.0".
  const low = round(delta - margin);
  const high = round(delta + margin);
  const significant = low > 0 || high < 0;
  return {
    delta: round(delta),
    low,
    high,
    significant,
    direction: !significant ? 'flat' : delta > 0 ? 'up' : 'down',
    smallSample: current.n < SMALL_SAMPLE || previous.n < SMALL_SAMPLE,
  };
}
