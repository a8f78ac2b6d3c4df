import type { HoursException, OpeningInterval } from './entities/service-team.entity';
import {
  formatTime,
  instantOf,
  isTimeZone,
  openingState,
  upcomingExceptions,
  weeklyHours,
  type TeamHours,
} from './opening-hours';

const weekdays = (opens: string, closes: string, days = [1, 2, 3, 4, 5]): OpeningInterval[] =>
  days.map((day) => ({ day, opens, closes }));

const team = (
  timeZone: string,
  openingHours: OpeningInterval[],
  hoursExceptions: HoursException[] = [],
): TeamHours => ({ timeZone, openingHours, hoursExceptions });

const at = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

describe('openingState', () => {
  const madrid = team('Europe/Madrid', weekdays('09:00', '17:00'));

  it('is open on a weekday in office hours and says when it closes (Madrid, summer time)', () => {
    // Monday 30 March 2026, 10:00 in Madrid (UTC+2 since the day before).
    const state = openingState(madrid, at('2026-03-30T08:00:00Z'));
    expect(state.openNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-03-30T15:00:00.000Z');
    expect(state.today).toBe('2026-03-30');
    expect(state.todayHours).toEqual([{ opens: '09:00', closes: '17:00' }]);
    expect(iso(state.nextOpensAt)).toBe('2026-03-31T07:00:00.000Z');
  });

  it('finds the next opening across the weekend the clocks go forward (Madrid)', () => {
    // Friday 27 March 2026, 18:00 in Madrid (UTC+1); Monday opens at 09:00 UTC+2.
    const state = openingState(madrid, at('2026-03-27T17:00:00Z'));
    expect(state.openNow).toBe(false);
    expect(state.closesAt).toBeUndefined();
    expect(iso(state.nextOpensAt)).toBe('2026-03-30T07:00:00.000Z');
  });

  it('counts real hours on the night the clocks go forward (Madrid, 29 March 2026)', () => {
    // Open 01:00–04:00 on Sundays: 02:00–03:00 does not exist that night, so two real hours.
    const night = team('Europe/Madrid', [{ day: 7, opens: '01:00', closes: '04:00' }]);
    const state = openingState(night, at('2026-03-29T01:30:00Z')); // 03:30 summer time
    expect(state.openNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-03-29T02:00:00.000Z');
    const before = openingState(night, at('2026-03-28T23:30:00Z')); // 00:30 winter time
    expect(before.openNow).toBe(false);
    expect(iso(before.nextOpensAt)).toBe('2026-03-29T00:00:00.000Z');
  });

  it('counts real hours on the night the clocks go back (Madrid, 25 October 2026)', () => {
    const night = team('Europe/Madrid', [{ day: 7, opens: '01:00', closes: '05:00' }]);
    const state = openingState(night, at('2026-10-25T00:30:00Z')); // 02:30 summer time
    expect(state.openNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-10-25T04:00:00.000Z'); // 05:00 winter time
    const before = openingState(night, at('2026-10-24T22:00:00Z'));
    expect(iso(before.nextOpensAt)).toBe('2026-10-24T23:00:00.000Z'); // 01:00 summer time
  });

  it('follows New York across its own DST dates (8 March and 1 November 2026)', () => {
    const newYork = team('America/New_York', weekdays('09:00', '17:00'));
    // Friday 6 March, 08:30 EST: opens at 09:00 EST = 14:00 UTC.
    expect(iso(openingState(newYork, at('2026-03-06T13:30:00Z')).nextOpensAt)).toBe(
      '2026-03-06T14:00:00.000Z',
    );
    // Saturday 7 March: Monday 9 March 09:00 EDT = 13:00 UTC.
    const weekend = openingState(newYork, at('2026-03-07T15:00:00Z'));
    expect(weekend.openNow).toBe(false);
    expect(iso(weekend.nextOpensAt)).toBe('2026-03-09T13:00:00.000Z');
    // Monday 9 March 16:30 EDT is still open (20:30 UTC), closes 21:00 UTC.
    const monday = openingState(newYork, at('2026-03-09T20:30:00Z'));
    expect(monday.openNow).toBe(true);
    expect(iso(monday.closesAt)).toBe('2026-03-09T21:00:00.000Z');
    // Friday 30 October 17:30 EDT: Monday 2 November 09:00 EST = 14:00 UTC.
    expect(iso(openingState(newYork, at('2026-10-30T21:30:00Z')).nextOpensAt)).toBe(
      '2026-11-02T14:00:00.000Z',
    );
  });

  it('reads Tehran hours at UTC+03:30 with its Saturday-to-Wednesday week', () => {
    const tehran = team('Asia/Tehran', weekdays('08:00', '16:00', [6, 7, 1, 2, 3]));
    // Friday 2 January 2026, 13:30 in Tehran: closed; Saturday 08:00 = 04:30 UTC.
    const friday = openingState(tehran, at('2026-01-02T10:00:00Z'));
    expect(friday.openNow).toBe(false);
    expect(friday.todayHours).toEqual([]);
    expect(iso(friday.nextOpensAt)).toBe('2026-01-03T04:30:00.000Z');
    const saturday = openingState(tehran, at('2026-01-03T05:00:00Z'));
    expect(saturday.openNow).toBe(true);
    expect(iso(saturday.closesAt)).toBe('2026-01-03T12:30:00.000Z');
    // No summer time any more: the same UTC offset in July.
    expect(iso(openingState(tehran, at('2026-07-03T10:00:00Z')).nextOpensAt)).toBe(
      '2026-07-04T04:30:00.000Z',
    );
  });

  it('is closed all day on a holiday that falls on a weekday', () => {
    const christmas = team('Europe/Madrid', weekdays('09:00', '17:00'), [
      { date: '2026-12-25', label: 'Christmas Day', closed: true },
    ]);
    // Friday 25 December 2026, 11:00 in Madrid.
    const state = openingState(christmas, at('2026-12-25T10:00:00Z'));
    expect(state.openNow).toBe(false);
    expect(state.todayHours).toEqual([]);
    expect(state.todayException).toEqual({ label: 'Christmas Day', closed: true });
    expect(iso(state.nextOpensAt)).toBe('2026-12-28T08:00:00.000Z');
    // The day before is an ordinary Thursday, whose next opening skips the holiday.
    expect(iso(openingState(christmas, at('2026-12-24T17:00:00Z')).nextOpensAt)).toBe(
      '2026-12-28T08:00:00.000Z',
    );
  });

  it('applies other hours on a special day, and opens on a usually closed day', () => {
    const special = team('Europe/Madrid', weekdays('09:00', '17:00'), [
      {
        date: '2026-12-24',
        label: 'Christmas Eve',
        closed: false,
        opens: '09:00',
        closes: '13:00',
      },
      { date: '2026-12-25', label: 'Christmas Day', closed: true },
      { date: '2026-12-26', label: 'Stocktaking', closed: false, opens: '10:00', closes: '12:00' },
    ]);
    const morning = openingState(special, at('2026-12-24T11:00:00Z')); // Thursday 12:00
    expect(morning.openNow).toBe(true);
    expect(iso(morning.closesAt)).toBe('2026-12-24T12:00:00.000Z');
    expect(morning.todayHours).toEqual([{ opens: '09:00', closes: '13:00' }]);
    expect(morning.todayException).toEqual({ label: 'Christmas Eve', closed: false });
    const afternoon = openingState(special, at('2026-12-24T12:30:00Z')); // 13:30: closed early
    expect(afternoon.openNow).toBe(false);
    expect(iso(afternoon.nextOpensAt)).toBe('2026-12-26T09:00:00.000Z'); // Saturday 10:00
  });

  it('tells a lunch break from closing time', () => {
    const lunch = team('Europe/Madrid', [
      ...weekdays('09:00', '13:00'),
      ...weekdays('14:00', '17:00'),
    ]);
    const morning = openingState(lunch, at('2026-06-01T08:00:00Z')); // Monday 10:00
    expect(morning.openNow).toBe(true);
    expect(iso(morning.closesAt)).toBe('2026-06-01T11:00:00.000Z');
    expect(iso(morning.nextOpensAt)).toBe('2026-06-01T12:00:00.000Z');
    expect(morning.todayHours).toEqual([
      { opens: '09:00', closes: '13:00' },
      { opens: '14:00', closes: '17:00' },
    ]);
    const breakTime = openingState(lunch, at('2026-06-01T11:30:00Z'));
    expect(breakTime.openNow).toBe(false);
    expect(iso(breakTime.nextOpensAt)).toBe('2026-06-01T12:00:00.000Z');
  });

  it('reads back-to-back days as one opening (night shift, 24/7)', () => {
    const nights = team('UTC', [
      { day: 1, opens: '22:00', closes: '24:00' },
      { day: 2, opens: '00:00', closes: '06:00' },
    ]);
    const state = openingState(nights, at('2026-06-01T23:00:00Z'));
    expect(state.openNow).toBe(true);
    expect(iso(state.closesAt)).toBe('2026-06-02T06:00:00.000Z');

    const always = team('Europe/Madrid', weekdays('00:00', '24:00', [1, 2, 3, 4, 5, 6, 7]));
    const open = openingState(always, at('2026-03-29T01:30:00Z'));
    expect(open.openNow).toBe(true);
    expect(open.closesAt).toBeUndefined();
    expect(open.nextOpensAt).toBeUndefined();
  });

  it('has no next opening when closed all week, or when only holidays are listed', () => {
    const never = openingState(team('Europe/Madrid', []), at('2026-06-01T10:00:00Z'));
    expect(never).toEqual({ openNow: false, today: '2026-06-01', todayHours: [] });
    const onlyHolidays = openingState(
      team('Europe/Madrid', [], [{ date: '2026-06-02', label: 'x', closed: true }]),
      at('2026-06-01T10:00:00Z'),
    );
    expect(onlyHolidays.nextOpensAt).toBeUndefined();
  });

  it('looks no further than 14 days ahead', () => {
    const rare = team(
      'UTC',
      [],
      [{ date: '2026-06-20', label: 'x', closed: false, opens: '09:00', closes: '10:00' }],
    );
    expect(openingState(rare, at('2026-06-10T00:00:00Z')).nextOpensAt).toBeDefined();
    expect(openingState(rare, at('2026-06-01T00:00:00Z')).nextOpensAt).toBeUndefined();
  });

  it('uses the local date of the team, not of UTC', () => {
    // 23:30 UTC on Sunday is already Monday 08:30 in Tokyo.
    const tokyo = team('Asia/Tokyo', weekdays('09:00', '17:00'));
    const state = openingState(tokyo, at('2026-05-31T23:30:00Z'));
    expect(state.today).toBe('2026-06-01');
    expect(state.openNow).toBe(false);
    expect(iso(state.nextOpensAt)).toBe('2026-06-01T00:00:00.000Z');
  });
});

describe('instantOf', () => {
  it('moves a time that does not exist past the gap, and picks the first of a repeated one', () => {
    expect(new Date(instantOf(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Madrid')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(new Date(instantOf(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Madrid')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
});

describe('isTimeZone', () => {
  it('accepts IANA zones and refuses anything else', () => {
    expect(isTimeZone('Europe/Madrid')).toBe(true);
    expect(isTimeZone('Asia/Tehran')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone('x'.repeat(100))).toBe(false);
  });
});

describe('weeklyHours', () => {
  const lunch = {
    openingHours: [
      { day: 1, opens: '14:00', closes: '17:00' },
      { day: 1, opens: '09:00', closes: '13:00' },
      { day: 6, opens: '00:00', closes: '24:00' },
    ],
  };

  it('lists Monday first with weekday names and times of the reader language', () => {
    const en = weeklyHours(lunch, 'en');
    expect(en.map((d) => d.name)).toEqual([
      'Monday',
      'Tuesday',
      'Wednesday',
      'Thursday',
      'Friday',
      'Saturday',
      'Sunday',
    ]);
    expect(en[0]).toMatchObject({ closed: false, intervals: ['09:00–13:00', '14:00–17:00'] });
    expect(en[1]).toMatchObject({ closed: true, intervals: [] });
    expect(en[5]).toMatchObject({ allDay: true, intervals: ['00:00–24:00'] });
    expect(weeklyHours(lunch, 'es')[0].name).toBe('lunes');
    expect(weeklyHours(lunch, 'ja')[0].name).toBe('月曜日');
    const fa = weeklyHours(lunch, 'fa');
    expect(fa[0].name).toBe('دوشنبه');
    expect(fa[0].intervals[0]).toBe('۰۹:۰۰–۱۳:۰۰');
  });

  it('formats 24:00 as the end of the day', () => {
    expect(formatTime('24:00', 'en')).toBe('24:00');
    expect(formatTime('00:00', 'en')).toBe('00:00');
  });
});

describe('upcomingExceptions', () => {
  it('lists exceptions from a date, soonest first', () => {
    const exceptions = [
      { date: '2026-12-25', label: 'b', closed: true },
      { date: '2026-01-06', label: 'a', closed: true },
      { date: '2026-12-24', label: 'c', closed: true },
    ];
    expect(
      upcomingExceptions({ hoursExceptions: exceptions }, '2026-06-01').map((e) => e.date),
    ).toEqual(['2026-12-24', '2026-12-25']);
  });
});
