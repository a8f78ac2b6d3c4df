/** Fixed calendar buckets: reports never use rolling windows that move a day at a time. */
export const GRAINS = ['week', 'month', 'quarter'] as const;
export type Grain = (typeof GRAINS)[number];

const DAY = 86_400_000;

function utc(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first day of the bucket holding `date` (weeks start on Monday, as in PostgreSQL). */
export function bucketStart(date: string, grain: Grain): string {
  const d = utc(date);
  if (grain === 'week') return iso(new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY));
  const month = grain === 'quarter' ? Math.floor(d.getUTCMonth() / 3) * 3 : d.getUTCMonth();
  return iso(new Date(Date.UTC(d.getUTCFullYear(), month, 1)));
}

/** The first day of the bucket `steps` buckets after the one starting at `start`. */
export function addBuckets(start: string, grain: Grain, steps: number): string {
  const d = utc(start);
  if (grain === 'week') return iso(new Date(d.getTime() + steps * 7 * DAY));
  const months = grain === 'quarter' ? 3 * steps : steps;
  return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)));
}

export function bucketLabel(start: string, grain: Grain): string {
  const d = utc(start);
  if (grain === 'quarter') return `${d.getUTCFullYear()} Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  if (grain === 'month') return start.slice(0, 7);
  return `week of ${start}`;
}

export function isDate(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(utc(value).getTime()) &&
    iso(utc(value)) === value
  );
}
