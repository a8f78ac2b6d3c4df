import type { I18n } from '../../common/i18n/i18n.service';
import type { OpeningInterval } from '../teams/entities/service-team.entity';
import type { OpeningState, OpeningTeam } from './opening-hours.temp';
import { dateFormat } from './intl-cache';

/** "Open now · until 17:00", "Opens Mon 09:00", "Closed", or nothing when no hours are published. */
export interface OpeningBadge {
  open: boolean;
  text: string;
  /** No published hours: no badge. */
  none: boolean;
}

const time = (locale: string, timeZone: string, instant: Date) =>
  dateFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(instant);

/** A local "HH:MM" as the reader writes times. */
function clock(locale: string, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return time(locale, 'UTC', new Date(Date.UTC(2024, 0, 1, h, m)));
}

export function openingBadge(
  i18n: I18n,
  locale: string,
  team: OpeningTeam,
  state: OpeningState,
  now: Date,
): OpeningBadge {
  if (!state.hasHours && !state.openNow) return { open: false, none: true, text: '' };
  if (state.openNow && state.closesAt)
    return {
      open: true,
      none: false,
      text: i18n.t(locale, 'services.open_until', {
        time: time(locale, team.timeZone, state.closesAt),
      }),
    };
  if (state.nextOpensAt) {
    const sameDay =
      state.nextOpensAt.getTime() - now.getTime() < 86_400_000 &&
      dateFormat('en', { timeZone: team.timeZone, weekday: 'short' }).format(now) ===
        dateFormat('en', { timeZone: team.timeZone, weekday: 'short' }).format(state.nextOpensAt);
    const when = sameDay
      ? time(locale, team.timeZone, state.nextOpensAt)
      : dateFormat(locale, {
          weekday: 'short',
          hour: '2-digit',
          minute: '2-digit',
          timeZone: team.timeZone,
        }).format(state.nextOpensAt);
    return { open: false, none: false, text: i18n.t(locale, 'services.opens_at', { when }) };
  }
  return { open: false, none: false, text: i18n.t(locale, 'services.closed') };
}

export interface HoursView {
  timeZone: string;
  zoneName: string;
  days: { name: string; intervals: string[]; closed: boolean }[];
  exceptions: { date: string; label: string; closed: boolean; hours?: string }[];
}

/** The week's hours (Monday first) and the exceptions from `today` (local) for 60 days. */
export function hoursView(
  locale: string,
  team: OpeningTeam & { timeZone: string },
  today: string,
): HoursView {
  const dayName = (iso: number) =>
    dateFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(
      new Date(Date.UTC(2024, 0, iso)), // 2024-01-01 was a Monday
    );
  const range = (i: { opens: string; closes: string }) =>
    `${clock(locale, i.opens)}–${clock(locale, i.closes)}`;
  const zoneName =
    dateFormat(locale, { timeZone: team.timeZone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value ?? team.timeZone;
  const until = new Date(Date.parse(`${today}T00:00:00Z`) + 60 * 86_400_000)
    .toISOString()
    .slice(0, 10);
  return {
    timeZone: team.timeZone,
    zoneName,
    days: [1, 2, 3, 4, 5, 6, 7].map((day) => {
      const intervals = (team.openingHours ?? [])
        .filter((i: OpeningInterval) => i.day === day)
        .sort((a, b) => a.opens.localeCompare(b.opens))
        .map(range);
      return { name: dayName(day), intervals, closed: intervals.length === 0 };
    }),
    exceptions: (team.hoursExceptions ?? [])
      .filter((e) => e.date >= today && e.date < until)
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((e) => ({
        date: dateFormat(locale, {
          dateStyle: 'full',
          timeZone: 'UTC',
        }).format(new Date(`${e.date}T00:00:00Z`)),
        label: e.label,
        closed: e.closed || !e.opens || !e.closes,
        hours:
          e.closed || !e.opens || !e.closes
            ? undefined
            : range({ opens: e.opens, closes: e.closes }),
      })),
  };
}
