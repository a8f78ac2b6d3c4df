/** Bounds of the five cron fields: minute, hour, day of month, month, day of week. */
const FIELDS: [string, number, number][] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

/**
 * Why a five-field cron expression is not one this page accepts (numbers, `*`, ranges, steps and
 * lists; no names or seconds), or undefined when it is fine.
 */
export function cronProblem(raw: string): string | undefined {
  const parts = raw.trim().split(/\s+/);
  if (raw.trim() === '' || parts.length !== 5)
    return 'the schedule must be five fields: minute hour day-of-month month day-of-week';
  for (const [i, part] of parts.entries()) {
    const [name, min, max] = FIELDS[i];
    for (const item of part.split(',')) {
      const match = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(item);
      const numbers = match ? [match[2], match[3]].filter((n) => n !== undefined).map(Number) : [];
      const step = match?.[4] === undefined ? 1 : Number(match[4]);
      if (
        !match ||
        numbers.some((n) => n < min || n > max) ||
        (numbers.length === 2 && numbers[0] > numbers[1]) ||
        step < 1
      )
        return `the ${name} field "${item.slice(0, 20)}" is not a value from ${min} to ${max}, a range, a step or *`;
    }
  }
  return undefined;
}
