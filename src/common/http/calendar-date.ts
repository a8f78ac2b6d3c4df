import { ValidateBy } from 'class-validator';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Days of a month of the Gregorian calendar (month 1–12). */
function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Why year-month-day is not a day of the calendar ("February 2026 has 28 days"), or undefined.
 * JavaScript's Date would roll 2026-02-30 over to 2 March without a word: never let it.
 */
export function dayProblem(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  if (day < 1) return `there is no day ${day}`;
  const days = daysIn(year, month);
  return day > days ? `${MONTHS[month - 1]} ${year} has ${days} days` : undefined;
}

export interface DateRange {
  from: string;
  to: string;
}

/** Days far enough apart for any report, near enough that every computation stays in range. */
export const REPORT_DAYS: DateRange = { from: '1900-01-01', to: '2999-12-31' };

/** What is wrong with `value` as the YYYY-MM-DD day `field`, or undefined when it is one. */
export function calendarDateProblem(
  field: string,
  value: unknown,
  range: DateRange = REPORT_DAYS,
): string | undefined {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) return `${field} must be a date in the form YYYY-MM-DD`;
  const problem = dayProblem(+match[1], +match[2], +match[3]);
  if (problem) return `${field} "${String(value)}" does not exist: ${problem}`;
  if ((value as string) < range.from || (value as string) > range.to)
    return `${field} must be a day from ${range.from} to ${range.to}`;
  return undefined;
}

/** A query or body field holding a YYYY-MM-DD day that exists; the 400 says what is wrong. */
export function IsCalendarDate(range: DateRange = REPORT_DAYS): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value, args) =>
        calendarDateProblem(args?.property ?? 'date', value, range) === undefined,
      defaultMessage: (args) =>
        calendarDateProblem(args?.property ?? 'date', args?.value, range) ?? 'not a date',
    },
  });
}
