/**
 * The periods answers after tickets are released in: a calendar week (from Monday), cut at month
 * boundaries, so that a period lies inside one week, one month and one quarter, and a release
 * dated by its period's first day falls in the right bucket of every report grain.
 */
const DAY = 86_400_000;

function utc(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** The first day of the period holding `date` (YYYY-MM-DD). */
export function periodStart(date: string): string {
  const d = utc(date);
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  return (monday > first ? monday : first).toISOString().slice(0, 10);
}

/** The first day of the period before the one starting on `start`. */
export function previousPeriodStart(start: string): string {
  return periodStart(new Date(utc(start).getTime() - DAY).toISOString().slice(0, 10));
}
