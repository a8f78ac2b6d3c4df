import type { HoursException, OpeningInterval, ServiceTeam } from './entities/service-team.entity';

/**
 * Whether a team is open, from its weekly hours in its own time zone and its exceptions. Pure:
 * the clock is a parameter. Intervals do not run past midnight: a night shift is two intervals
 * (22:00–24:00 one day, 00:00–06:00 the next), and back-to-back intervals are read as one, so a
 * team open 00:00–24:00 every day is open without a break.
 */

/** What `openingState` reads of a team. */
export type TeamHours = Pick<ServiceTeam, 'timeZone' | 'openingHours' | 'hoursExceptions'>;

/** Local hours "HH:MM"–"HH:MM" of one day. */
export interface DayHours {
  opens: string;
  closes: string;
}

export interface OpeningState {
  openNow: boolean;
  /** When open: when it closes (absent when open beyond the days looked at, e.g. 24/7). */
  closesAt?: Date;
  /** The next time it opens after now (when open: after the current closing); absent: none within 14 days. */
  nextOpensAt?: Date;
  /** The team's local date now, YYYY-MM-DD. */
  today: string;
  /** Today's hours in the team's time zone, exceptions applied; empty when closed all day. */
  todayHours: DayHours[];
  /** Today's exception (a holiday, other hours), if any. */
  todayException?: { label: string; closed: boolean };
}

/** How far ahead the next opening is looked for. */
export const LOOK_AHEAD_DAYS = 14;

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** Minutes after local midnight of "HH:MM" (24:00 → 1440); NaN when it is not one. */
export function minutesOf(hhmm: string): number {
  const match = HHMM.exec(hhmm);
  if (!match) return Number.NaN;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes > 24 * 60 ? Number.NaN : minutes;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone === '' || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at `epochMs`, as the UTC epoch of the same wall clock. */
function wallClock(epochMs: number, zone: string): number {
  let format = partsFormatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(epochMs)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour === 24 ? 0 : parts.hour,
    parts.minute,
    parts.second,
  );
}

/** Offset of `zone` from UTC at `epochMs`, in ms (east positive). */
function offsetAt(epochMs: number, zone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallClock(whole, zone) - whole;
}

/**
 * The instant a local wall-clock time (as a UTC epoch of the same digits) happens in `zone`.
 * Twice on a fall-back night: the first. Never on a spring-forward night (02:30 in Madrid on the
 * last Sunday of March): the instant clocks show after the gap, as a wall clock would (03:30).
 */
export function instantOf(localMs: number, zone: string): number {
  const before = offsetAt(localMs - 86_400_000, zone);
  const after = offsetAt(localMs + 86_400_000, zone);
  const candidates = [...new Set([before, after])]
    .map((offset) => localMs - offset)
    .filter((t) => wallClock(t, zone) === localMs)
    .sort((a, b) => a - b);
  return candidates[0] ?? localMs - before;
}

/** A local date "YYYY-MM-DD" as the UTC epoch of its midnight. */
function dayMs(date: string): number {
  return Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10));
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local date. */
export function isoWeekday(date: string): number {
  return ((new Date(dayMs(date)).getUTCDay() + 6) % 7) + 1;
}

/** The hours of one local date: its exception when it has one, else its weekday's intervals. */
export function hoursOn(
  team: Pick<TeamHours, 'openingHours' | 'hoursExceptions'>,
  date: string,
): { hours: DayHours[]; exception?: HoursException } {
  const exception = (team.hoursExceptions ?? []).find((e) => e.date === date);
  if (exception) {
    if (exception.closed || !exception.opens || !exception.closes) return { hours: [], exception };
    return { hours: [{ opens: exception.opens, closes: exception.closes }], exception };
  }
  const weekday = isoWeekday(date);
  return { hours: weekIntervals(team.openingHours ?? [], weekday) };
}

function weekIntervals(intervals: OpeningInterval[], weekday: number): DayHours[] {
  return intervals
    .filter((i) => i.day === weekday && minutesOf(i.opens) < minutesOf(i.closes))
    .sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens))
    .map((i) => ({ opens: i.opens, closes: i.closes }));
}

/** Whether the team is open at `now`, until when, and when it next opens. */
export function openingState(team: TeamHours, now: Date): OpeningState {
  const zone = isTimeZone(team.timeZone) ? team.timeZone : 'UTC';
  const nowMs = now.getTime();
  const today = dateOf(wallClock(nowMs, zone));
  const { hours: todayHours, exception } = hoursOn(team, today);

  // Absolute intervals from yesterday to the end of the look-ahead, back-to-back ones merged.
  const spans: [number, number][] = [];
  for (let d = -1; d <= LOOK_AHEAD_DAYS; d++) {
    const date = dateOf(dayMs(today) + d * 86_400_000);
    for (const h of hoursOn(team, date).hours) {
      const start = instantOf(dayMs(date) + minutesOf(h.opens) * 60_000, zone);
      const end = instantOf(dayMs(date) + minutesOf(h.closes) * 60_000, zone);
      if (end <= start) continue;
      const last = spans[spans.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else spans.push([start, end]);
    }
  }
  const horizon = instantOf(dayMs(today) + (LOOK_AHEAD_DAYS + 1) * 86_400_000, zone);
  const current = spans.find(([start, end]) => start <= nowMs && nowMs < end);
  const next = spans.find(([start]) => start > nowMs);
  const state: OpeningState = { openNow: current !== undefined, today, todayHours };
  if (current && current[1] < horizon) state.closesAt = new Date(current[1]);
  if (next) state.nextOpensAt = new Date(next[0]);
  if (exception) state.todayException = { label: exception.label, closed: todayHours.length === 0 };
  return state;
}

/** One weekday of the week's hours as a page lists them. */
export interface WeekdayHours {
  day: number;
  /** The weekday's name in the reader's language ("Monday", "lunes", "月曜日", "دوشنبه"). */
  name: string;
  closed: boolean;
  allDay: boolean;
  /** e.g. ["09:00–13:00", "14:00–17:00"], digits and numerals of the reader's language. */
  intervals: string[];
}

const weekdayFormatters = new Map<string, Intl.DateTimeFormat>();
const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/** The name of ISO weekday `day` in `locale`. */
export function weekdayName(day: number, locale: string, width: 'long' | 'short' = 'long') {
  const key = `${locale}|${width}`;
  let format = weekdayFormatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' });
    weekdayFormatters.set(key, format);
  }
  // 2024-01-01 was a Monday.
  return format.format(new Date(Date.UTC(2024, 0, day)));
}

/** A local time "HH:MM" in `locale` (24-hour clock, its own digits; 24:00 stays 24:00). */
export function formatTime(hhmm: string, locale: string): string {
  const minutes = minutesOf(hhmm);
  if (Number.isNaN(minutes)) return hhmm;
  const cycle = minutes === 24 * 60 ? 'h24' : 'h23';
  const key = `${locale}|${cycle}`;
  let format = timeFormatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: cycle,
      timeZone: 'UTC',
    });
    timeFormatters.set(key, format);
  }
  return format.format(new Date(Date.UTC(2024, 0, 1, 0, minutes % (24 * 60))));
}

/** The week's hours, Monday first, for display in `locale` (the directory's list). */
export function weeklyHours(team: Pick<TeamHours, 'openingHours'>, locale: string): WeekdayHours[] {
  return [1, 2, 3, 4, 5, 6, 7].map((day) => {
    const hours = weekIntervals(team.openingHours ?? [], day);
    return {
      day,
      name: weekdayName(day, locale),
      closed: hours.length === 0,
      allDay: hours.length === 1 && hours[0].opens === '00:00' && hours[0].closes === '24:00',
      intervals: hours.map((h) => `${formatTime(h.opens, locale)}–${formatTime(h.closes, locale)}`),
    };
  });
}

/** Exceptions from `from` (a local date) on, soonest first, at most `limit`: "closed on 25 December". */
export function upcomingExceptions(
  team: Pick<TeamHours, 'hoursExceptions'>,
  from: string,
  limit = 5,
): HoursException[] {
  return (team.hoursExceptions ?? [])
    .filter((e) => e.date >= from)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .slice(0, limit);
}
