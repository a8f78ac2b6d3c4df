import type { I18n } from '../../common/i18n/i18n.service';
import {
  openingState,
  type OpeningState,
  type TeamHours,
  upcomingExceptions,
  weeklyHours,
  type WeekdayHours,
} from '../teams/opening-hours';
import { dateFormat } from './intl-cache';

/** "Open now · until 17:00", "Closed · opens Tue 09:00", "Closed", or none (no published hours). */
export interface OpeningBadge {
  open: boolean;
  text: string;
  none: boolean;
}

/**
 * openingState (the teams feature's) of many teams for one page, remembered per minute: hours
 * open and close on whole minutes, so the answer is the same all minute long, and a chart of
 * fifty teams would otherwise redo thousands of time-zone conversions per request. A pure
 * function's results, keyed by everything it reads; nothing here depends on being kept.
 */
const remembered = new Map<string, OpeningState>();

export function openingStateNow(team: TeamHours, now: Date): OpeningState {
  const key = `${Math.floor(now.getTime() / 60_000)}|${team.timeZone}|${JSON.stringify(team.openingHours ?? [])}|${JSON.stringify(team.hoursExceptions ?? [])}`;
  let state = remembered.get(key);
  if (!state) {
    state = openingState(team, now);
    if (remembered.size >= 5000) remembered.clear();
    remembered.set(key, state);
  }
  return state;
}

/** An instant as the reader reads a time of day, in the team's zone (24-hour clock). */
const time = (locale: string, timeZone: string, instant: Date) =>
  dateFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(
    instant,
  );

export function openingBadge(
  i18n: I18n,
  locale: string,
  team: TeamHours,
  state: OpeningState,
): OpeningBadge {
  const published = (team.openingHours ?? []).length > 0 || (team.hoursExceptions ?? []).length > 0;
  if (!published && !state.openNow) return { open: false, none: true, text: '' };
  if (state.openNow)
    return {
      open: true,
      none: false,
      text: state.closesAt
        ? i18n.t(locale, 'services.open_until', {
            time: time(locale, team.timeZone, state.closesAt),
          })
        : i18n.t(locale, 'services.open_now'),
    };
  if (state.nextOpensAt) {
    const opensToday = localDay(state.nextOpensAt, team.timeZone) === state.today;
    const when = opensToday
      ? time(locale, team.timeZone, state.nextOpensAt)
      : dateFormat(locale, {
          weekday: 'short',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
          timeZone: team.timeZone,
        }).format(state.nextOpensAt);
    return { open: false, none: false, text: i18n.t(locale, 'services.opens_at', { when }) };
  }
  return { open: false, none: false, text: i18n.t(locale, 'services.closed') };
}

function localDay(instant: Date, timeZone: string): string {
  return dateFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

export interface HoursView {
  timeZone: string;
  zoneName: string;
  days: WeekdayHours[];
  exceptions: { date: string; label: string; closed: boolean; hours?: string }[];
}

/** The week's hours (Monday first) and the next exceptions, from the team's local `today`. */
export function hoursView(locale: string, team: TeamHours, today: string, now: Date): HoursView {
  const zoneName =
    dateFormat(locale, { timeZone: team.timeZone, timeZoneName: 'longGeneric' })
      .formatToParts(now)
      .find((p) => p.type === 'timeZoneName')?.value ?? team.timeZone;
  const days = weeklyHours(team, locale);
  const range = (opens: string, closes: string) =>
    weeklyHours({ openingHours: [{ day: 1, opens, closes }] }, locale)[0].intervals[0];
  return {
    timeZone: team.timeZone,
    zoneName,
    days,
    exceptions: upcomingExceptions(team, today).map((e) => {
      const closed = e.closed || !e.opens || !e.closes;
      return {
        date: dateFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(
          new Date(`${e.date}T00:00:00Z`),
        ),
        label: e.label,
        closed,
        hours: closed ? undefined : range(e.opens as string, e.closes as string),
      };
    }),
  };
}
