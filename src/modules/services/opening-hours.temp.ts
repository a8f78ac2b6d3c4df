/**
 * TEMPORARY: a minimal stand-in for `src/modules/teams/opening-hours.ts` (written in parallel by
 * the team profile work), with the same documented signature: `openingState(team, now)`. At
 * merge, the directory imports the teams feature's version and this file goes.
 */
import type {
  HoursException,
  OpeningInterval,
  ServiceTeam,
} from '../teams/entities/service-team.entity';
import { dateFormat } from './intl-cache';

export type OpeningTeam = Pick<ServiceTeam, 'timeZone' | 'openingHours' | 'hoursExceptions'>;

export interface OpeningState {
  /** Open at `now`. */
  openNow: boolean;
  /** When the current opening ends (when open). */
  closesAt?: Date;
  /** The next opening after `now` within two weeks (when closed). */
  nextOpensAt?: Date;
  /** The team publishes hours at all. */
  hasHours: boolean;
}

const DAY_MS = 86_400_000;

/** Local dates by zone and minute (a day starts on a minute). */
const days = new Map<string, string>();

/** The local calendar date (YYYY-MM-DD) of `instant` in `timeZone`. */
function localDay(instant: Date, timeZone: string): { date: string } {
  const key = `${timeZone}|${Math.floor(instant.getTime() / 60_000)}`;
  const known = days.get(key);
  if (known !== undefined) return { date: known };
  const parts = dateFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  if (days.size > 20_000) days.clear();
  days.set(key, date);
  return { date };
}

/** Offsets by zone and quarter hour: zones change offset on a quarter hour, so this is exact. */
const offsets = new Map<string, number>();
const QUARTER_HOUR = 15 * 60_000;

/** Minutes `timeZone` is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(instant.getTime() / QUARTER_HOUR)}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const parts = dateFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  const offset = Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
  if (offsets.size > 20_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

/** The instant of local `date` `time` ("HH:MM") in `timeZone` (two passes settle DST shifts). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const naive = Date.parse(`${date}T${time}:00Z`);
  let guess = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  guess = naive - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The intervals of one local date: its exception if any, else the week's hours of its weekday. */
function intervalsOn(team: OpeningTeam, date: string): { opens: string; closes: string }[] {
  const exception: HoursException | undefined = (team.hoursExceptions ?? []).find(
    (e) => e.date === date,
  );
  if (exception) {
    if (exception.closed || !exception.opens || !exception.closes) return [];
    return [{ opens: exception.opens, closes: exception.closes }];
  }
  const iso = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return (team.openingHours ?? [])
    .filter((i: OpeningInterval) => i.day === iso)
    .sort((a, b) => a.opens.localeCompare(b.opens));
}

/** Whether the team is open at `now`, until when, or when it next opens (in the next 14 days). */
export function openingState(team: OpeningTeam, now: Date): OpeningState {
  const hasHours = (team.openingHours ?? []).length > 0;
  const today = localDay(now, team.timeZone).date;
  // Yesterday too: an interval never crosses midnight, but the zone's date may lag.
  for (let d = -1; d <= 14; d++) {
    const date = addDays(today, d);
    for (const interval of intervalsOn(team, date)) {
      const opens = zonedInstant(date, interval.opens, team.timeZone);
      const closes = zonedInstant(date, interval.closes, team.timeZone);
      if (now >= opens && now < closes) return { openNow: true, closesAt: closes, hasHours };
      if (opens > now) return { openNow: false, nextOpensAt: opens, hasHours };
    }
  }
  return { openNow: false, hasHours };
}

/** The local date of `instant` in the team's zone (for "coming up" exceptions). */
export function localDate(instant: Date, timeZone: string): string {
  return localDay(instant, timeZone).date;
}
