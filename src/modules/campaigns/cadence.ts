import { RRule } from 'rrule';
import { dayProblem } from '../../common/http/calendar-date';
import { isIanaZone } from '../../config/app-config';

/**
 * When a campaign's waves open, and when each person's mail may go. Pure functions: wall-clock
 * times in an IANA time zone, turned into instants with the platform's time-zone data (Intl).
 * Recurrences are computed by `rrule` on "floating" times (local wall-clock times written as
 * UTC), then placed in the zone, so a 09:00 wave stays at 09:00 across daylight-saving changes.
 */

export const CADENCES = [
  'once',
  'weekly',
  'every_n_weeks',
  'monthly',
  'quarterly',
  'rrule',
] as const;
export type CadenceKind = (typeof CADENCES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Cadence {
  kind: CadenceKind;
  /** For every_n_weeks. */
  everyWeeks?: number | null;
  /** For rrule: the RRULE part only (FREQ=…;…), no DTSTART. */
  rrule?: string | null;
  /** First opening, wall-clock time in `timeZone`: YYYY-MM-DDTHH:MM. */
  start: string;
  timeZone: string;
}

export interface SendWindow {
  /** HH:MM, local to each employee. */
  from: string;
  to: string;
  days: Weekday[];
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/;
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY = 86_400_000;

export const isTimeZone = isIanaZone;

export function isClock(value: string): boolean {
  return CLOCK.test(value);
}

/**
 * What is wrong with a wall-clock time as written (YYYY-MM-DDTHH:MM), or undefined. A day or a
 * time that does not exist is refused, never rolled over to another (2027-02-30 is not 2 March,
 * 10:60 is not 11:00).
 */
export function localProblem(field: string, value: string): string | undefined {
  const m = LOCAL.exec(value);
  if (!m) return `${field} "${value}" must be a local date and time, YYYY-MM-DDTHH:MM`;
  const day = dayProblem(+m[1], +m[2], +m[3]);
  if (day) return `${field} "${value}" does not exist: ${day}`;
  if (+m[4] > 23 || +m[5] > 59)
    return `${field} "${value}" does not exist: the time must be 00:00 to 23:59`;
  // Date.UTC reads years 0–99 as 1900–1999.
  if (+m[1] < 1970) return `${field} "${value}" is before 1970`;
  return undefined;
}

/** A wall-clock time as written (YYYY-MM-DDTHH:MM), or undefined when it is not one. */
export function parseLocal(value: string): number | undefined {
  const m = LOCAL.exec(value);
  if (!m || localProblem('start', value)) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of an instant in a zone, as a floating time (local written as UTC). */
export function toFloating(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    +parts.year,
    +parts.month - 1,
    +parts.day,
    +parts.hour,
    +parts.minute,
    +parts.second,
  );
}

/**
 * The instant a wall-clock time happens in a zone. A time skipped by a daylight-saving change
 * (02:30 on a spring-forward night) moves forward by the gap; a repeated one takes the first.
 */
export function fromFloating(floating: number, timeZone: string): number {
  const offsetAt = (at: number) => toFloating(at, timeZone) - (at - (((at % 1000) + 1000) % 1000));
  // Offsets before and after: a zone changes at most once within three days.
  const before = offsetAt(floating - 1.5 * DAY);
  const after = offsetAt(floating + 1.5 * DAY);
  const valid = [floating - before, floating - after].filter(
    (c) => toFloating(c, timeZone) === floating - (((floating % 1000) + 1000) % 1000),
  );
  return valid.length > 0 ? Math.min(...valid) : floating - before;
}

const RRULE_PART = /^[A-Z]+=[A-Z0-9,+-]+(;[A-Z]+=[A-Z0-9,+-]+)*$/;
const ALLOWED_RRULE_KEYS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
  'BYWEEKNO',
  'BYYEARDAY',
]);

/** The RRULE behind a cadence (the simple ones are written as one too). */
export function ruleText(cadence: Pick<Cadence, 'kind' | 'everyWeeks' | 'rrule'>): string {
  switch (cadence.kind) {
    case 'once':
      return 'FREQ=DAILY;COUNT=1';
    case 'weekly':
      return 'FREQ=WEEKLY;INTERVAL=1';
    case 'every_n_weeks':
      return `FREQ=WEEKLY;INTERVAL=${cadence.everyWeeks ?? 2}`;
    case 'monthly':
      return 'FREQ=MONTHLY;INTERVAL=1';
    case 'quarterly':
      return 'FREQ=MONTHLY;INTERVAL=3';
    case 'rrule':
      return (cadence.rrule ?? '').replace(/^RRULE:/i, '').toUpperCase();
  }
}

function rule(cadence: Cadence): RRule {
  const start = parseLocal(cadence.start);
  if (start === undefined) throw new Error(`bad start ${cadence.start}`);
  const options = RRule.parseString(ruleText(cadence));
  // The opening time of day is the start's; an RRULE chooses days, not hours.
  return new RRule({ ...options, dtstart: new Date(start), tzid: undefined });
}

/**
 * Every opening instant in [from, to], at most `limit`. Wall-clock times are those of the
 * campaign's zone.
 */
export function occurrences(cadence: Cadence, from: number, to: number, limit = 1000): number[] {
  if (to < from) return [];
  const r = rule(cadence);
  // Floating bounds a day wider on each side, then exact instants filtered.
  const floatFrom = new Date(toFloating(from, cadence.timeZone) - DAY);
  const floatTo = new Date(toFloating(to, cadence.timeZone) + DAY);
  const found: number[] = [];
  r.between(floatFrom, floatTo, true, (date) => {
    const instant = fromFloating(date.getTime(), cadence.timeZone);
    if (instant >= from && instant <= to) found.push(instant);
    return found.length < limit;
  });
  return found;
}

/** The first `count` opening instants from the start. */
export function firstOccurrences(cadence: Cadence, count: number): number[] {
  return rule(cadence)
    .all((_, i) => i < count)
    .map((d) => fromFloating(d.getTime(), cadence.timeZone));
}

/** The first opening strictly after `after`, if any. */
export function nextOccurrence(cadence: Cadence, after: number): number | undefined {
  const r = rule(cadence);
  let cursor = new Date(toFloating(after, cadence.timeZone) - DAY);
  for (let i = 0; i < 5; i++) {
    const next = r.after(cursor, false);
    if (!next) return undefined;
    const instant = fromFloating(next.getTime(), cadence.timeZone);
    if (instant > after) return instant;
    cursor = next;
  }
  return undefined;
}

/** Problems of a cadence as given (empty when it is usable), `openDays` being the wave's window. */
export function cadenceProblems(cadence: Cadence, openDays: number): string[] {
  const problems: string[] = [];
  if (!CADENCES.includes(cadence.kind))
    return [`cadence must be one of ${CADENCES.join(', ')} (got "${cadence.kind}")`];
  if (!isTimeZone(cadence.timeZone))
    problems.push(`timeZone "${cadence.timeZone}" is not an IANA time zone such as Europe/Madrid`);
  const startProblem = localProblem('start', cadence.start);
  if (startProblem) problems.push(startProblem);
  if (cadence.kind === 'every_n_weeks') {
    const n = cadence.everyWeeks;
    if (!Number.isInteger(n) || (n as number) < 2 || (n as number) > 52)
      problems.push('everyWeeks must be a whole number from 2 to 52');
  }
  if (cadence.kind === 'rrule') {
    const text = ruleText(cadence);
    if (!text || text.length > 300 || !RRULE_PART.test(text)) {
      problems.push(
        'rrule must be an RRULE such as FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1 (no DTSTART, at most 300 characters)',
      );
    } else {
      const keys = text.split(';').map((p) => p.split('=')[0]);
      const unknown = keys.filter((k) => !ALLOWED_RRULE_KEYS.has(k));
      if (unknown.length > 0)
        problems.push(
          `rrule may not use ${unknown.join(', ')}: the opening time comes from start, so only day rules (${[...ALLOWED_RRULE_KEYS].join(', ')}) are allowed`,
        );
      const freq = /(?:^|;)FREQ=([A-Z]+)/.exec(text)?.[1];
      if (!freq || !['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(freq))
        problems.push('rrule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY');
      if (problems.length === 0) {
        try {
          RRule.parseString(text);
        } catch (error) {
          problems.push(`rrule could not be read: ${(error as Error).message}`);
        }
      }
    }
  }
  if (problems.length > 0) return problems;
  let first: number[];
  try {
    first = firstOccurrences(cadence, 60);
  } catch (error) {
    return [`the cadence could not be computed: ${(error as Error).message}`];
  }
  if (first.length === 0) return ['the cadence never opens a wave (check COUNT and UNTIL)'];
  for (let i = 1; i < first.length; i++) {
    if (first[i] - first[i - 1] < openDays * DAY) {
      problems.push(
        `waves would overlap: two openings are ${Math.round((first[i] - first[i - 1]) / 36e5) / 24} days apart but each stays open ${openDays} days; open fewer days or open less often`,
      );
      break;
    }
  }
  return problems;
}

export function sendWindowProblems(window: SendWindow): string[] {
  const problems: string[] = [];
  if (!isClock(window.from)) problems.push(`send window start "${window.from}" must be HH:MM`);
  if (!isClock(window.to)) problems.push(`send window end "${window.to}" must be HH:MM`);
  if (problems.length === 0 && window.to <= window.from)
    problems.push('the send window must end after it starts (e.g. 09:00 to 17:00)');
  if (window.days.length === 0) problems.push('the send window needs at least one weekday');
  const bad = window.days.filter((d) => !WEEKDAYS.includes(d));
  if (bad.length > 0)
    problems.push(`unknown weekday(s) ${bad.join(', ')}; use ${WEEKDAYS.join(', ')}`);
  return problems;
}

function minutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The first instant at or after `at` that falls inside the send window in `timeZone` (the
 * employee's own): `at` itself when it is inside, else the next window's start.
 */
export function firstSendInstant(at: number, window: SendWindow, timeZone: string): number {
  const local = toFloating(at, timeZone);
  const midnight = Math.floor(local / DAY) * DAY;
  for (let d = 0; d < 8; d++) {
    const day = midnight + d * DAY;
    const weekday = WEEKDAYS[(new Date(day).getUTCDay() + 6) % 7];
    if (!window.days.includes(weekday)) continue;
    const start = fromFloating(day + minutes(window.from) * 60_000, timeZone);
    const end = fromFloating(day + minutes(window.to) * 60_000, timeZone);
    if (at < start) return start;
    if (at < end) return at;
  }
  return at;
}

/** "every 2 weeks on …" style summary for pages. */
export function describeCadence(cadence: Cadence): string {
  const when = cadence.start.replace('T', ' ');
  switch (cadence.kind) {
    case 'once':
      return `once, at ${when} (${cadence.timeZone})`;
    case 'weekly':
      return `weekly from ${when} (${cadence.timeZone})`;
    case 'every_n_weeks':
      return `every ${cadence.everyWeeks} weeks from ${when} (${cadence.timeZone})`;
    case 'monthly':
      return `monthly from ${when} (${cadence.timeZone})`;
    case 'quarterly':
      return `quarterly from ${when} (${cadence.timeZone})`;
    case 'rrule':
      return `${cadence.rrule} from ${when} (${cadence.timeZone})`;
  }
}
