import type { Cell, Nps } from './anonymity';

/** A small server-drawn trend line (SVG points), broken where a point is withheld. */
export function sparkline(points: Cell<Nps>[], width = 120, height = 28): string[] {
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((point, i) => {
    if (point.withheld) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      return;
    }
    const x = points.length > 1 ? (i * width) / (points.length - 1) : width / 2;
    const y = height - ((point.nps + 100) / 200) * height;
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  return segments.map((s) => (s.includes(' ') ? s : `${s} ${s}`));
}

/** Heatmap shade 1–5 of a share in percent (CSAT) or a mean on a 1–7 scale. */
export function heat(value: number, scale: 'percent' | 'ces'): number {
  const ratio = scale === 'percent' ? value / 100 : (value - 1) / 6;
  return Math.min(5, Math.max(1, Math.ceil(ratio * 5)));
}
