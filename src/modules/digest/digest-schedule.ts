import { bucketStart } from '../reports/periods';

export interface LocalTime {
  /** The calendar day in the zone, YYYY-MM-DD. */
  date: string;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The day, weekday and hour of the instant `now` on a clock in `zone`. */
export function localTime(now: Date, zone: string): LocalTime {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS.indexOf(parts.weekday) + 1,
    hour: Number(parts.hour) % 24,
  };
}

/**
 * Whether a person's digest is due at `now` on their clock: on the set weekday, from the set
 * hour to the end of that day (a tick missed while the app was down catches up the same day,
 * never later). With the week it belongs to (its Monday), which makes it once a week.
 */
export function digestDue(
  now: Date,
  zone: string,
  setting: { weekday: number; hour: number },
): { due: boolean; weekStart: string; today: string } {
  const local = localTime(now, zone);
  return {
    due: local.weekday === setting.weekday && local.hour >= setting.hour,
    weekStart: bucketStart(local.date, 'week'),
    today: local.date,
  };
}
