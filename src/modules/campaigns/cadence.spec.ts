import {
  type Cadence,
  cadenceProblems,
  firstOccurrences,
  firstSendInstant,
  fromFloating,
  nextOccurrence,
  occurrences,
  sendWindowProblems,
  toFloating,
} from './cadence';

const iso = (t: number) => new Date(t).toISOString().slice(0, 16);
const at = (s: string) => Date.parse(`${s}:00Z`);

describe('cadence', () => {
  it('places wall-clock times in a zone, across daylight-saving changes', () => {
    // Madrid: UTC+1 in winter, UTC+2 in summer (change on 2027-03-28).
    expect(iso(fromFloating(at('2027-01-15T09:00'), 'Europe/Madrid'))).toBe('2027-01-15T08:00');
    expect(iso(fromFloating(at('2027-07-15T09:00'), 'Europe/Madrid'))).toBe('2027-07-15T07:00');
    // 02:30 does not exist on the spring-forward night: it moves on by the gap.
    expect(iso(fromFloating(at('2027-03-28T02:30'), 'Europe/Madrid'))).toBe('2027-03-28T01:30');
    // 02:30 happens twice on the fall-back night: the first one.
    expect(iso(fromFloating(at('2027-10-31T02:30'), 'Europe/Madrid'))).toBe('2027-10-31T00:30');
    expect(iso(toFloating(Date.parse('2027-07-15T07:00Z'), 'Europe/Madrid'))).toBe(
      '2027-07-15T09:00',
    );
    expect(iso(fromFloating(at('2027-07-15T09:00'), 'Asia/Tehran'))).toBe('2027-07-15T05:30');
  });

  it('keeps weekly waves at 09:00 local across a change of offset', () => {
    const cadence: Cadence = {
      kind: 'weekly',
      start: '2027-03-15T09:00',
      timeZone: 'Europe/Madrid',
    };
    expect(firstOccurrences(cadence, 3).map(iso)).toEqual([
      '2027-03-15T08:00',
      '2027-03-22T08:00',
      '2027-03-29T07:00',
    ]);
    expect(
      occurrences(cadence, Date.parse('2027-03-20T00:00Z'), Date.parse('2027-04-06T00:00Z')).map(
        iso,
      ),
    ).toEqual(['2027-03-22T08:00', '2027-03-29T07:00', '2027-04-05T07:00']);
    expect(iso(nextOccurrence(cadence, Date.parse('2027-03-22T08:00Z'))!)).toBe('2027-03-29T07:00');
  });

  it('reads every N weeks, monthly, quarterly, once and an RRULE', () => {
    const base = { start: '2027-01-04T10:00', timeZone: 'UTC' };
    expect(firstOccurrences({ ...base, kind: 'every_n_weeks', everyWeeks: 3 }, 2).map(iso)).toEqual(
      ['2027-01-04T10:00', '2027-01-25T10:00'],
    );
    expect(firstOccurrences({ ...base, kind: 'quarterly' }, 3).map(iso)).toEqual([
      '2027-01-04T10:00',
      '2027-04-04T10:00',
      '2027-07-04T10:00',
    ]);
    expect(firstOccurrences({ ...base, kind: 'once' }, 5).map(iso)).toEqual(['2027-01-04T10:00']);
    // The first Monday of every month.
    expect(
      firstOccurrences(
        { ...base, kind: 'rrule', rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1' },
        3,
      ).map(iso),
    ).toEqual(['2027-01-04T10:00', '2027-02-01T10:00', '2027-03-01T10:00']);
  });

  it('says what is wrong with a cadence', () => {
    const base = { start: '2027-01-04T10:00', timeZone: 'Europe/Madrid' };
    expect(cadenceProblems({ ...base, kind: 'weekly' }, 5)).toEqual([]);
    expect(cadenceProblems({ ...base, kind: 'weekly' }, 10).join()).toMatch(/overlap/);
    expect(
      cadenceProblems({ ...base, timeZone: 'Mars/Olympus', kind: 'weekly' }, 5).join(),
    ).toMatch(/IANA/);
    expect(cadenceProblems({ ...base, start: '2027-02-30T10:00', kind: 'once' }, 5).join()).toMatch(
      /does not exist/,
    );
    expect(cadenceProblems({ ...base, kind: 'rrule', rrule: 'FREQ=MINUTELY' }, 1).join()).toMatch(
      /FREQ=DAILY/,
    );
    expect(
      cadenceProblems({ ...base, kind: 'rrule', rrule: 'FREQ=DAILY;BYHOUR=3' }, 1).join(),
    ).toMatch(/may not use BYHOUR/);
    expect(cadenceProblems({ ...base, kind: 'rrule', rrule: 'nonsense' }, 1).join()).toMatch(
      /RRULE such as/,
    );
    expect(cadenceProblems({ ...base, kind: 'every_n_weeks', everyWeeks: 1 }, 1).join()).toMatch(
      /everyWeeks/,
    );
  });

  it('refuses a start that is not on the calendar or the clock, never reading it as another', () => {
    const base = { timeZone: 'UTC', kind: 'once' as const };
    for (const [start, problem] of [
      ['2027-02-30T10:00', /start "2027-02-30T10:00" does not exist: February 2027 has 28 days/],
      ['2028-02-30T10:00', /February 2028 has 29 days/],
      ['2027-04-31T10:00', /April 2027 has 30 days/],
      ['2027-13-01T10:00', /there is no month 13/],
      ['2027-01-00T10:00', /there is no day 0/],
      [
        '2027-01-04T10:60',
        /start "2027-01-04T10:60" does not exist: the time must be 00:00 to 23:59/,
      ],
      ['2027-01-04T24:00', /the time must be 00:00 to 23:59/],
      ['0050-01-04T10:00', /is before 1970/],
      ['soon', /start "soon" must be a local date and time, YYYY-MM-DDTHH:MM/],
    ] as const) {
      expect({ start, problems: cadenceProblems({ ...base, start }, 5).join() }).toEqual({
        start,
        problems: expect.stringMatching(problem),
      });
    }
    expect(cadenceProblems({ ...base, start: '2028-02-29T23:59' }, 5)).toEqual([]);
  });

  it('sends inside the window of the employee’s own zone', () => {
    const window = {
      from: '09:00',
      to: '17:00',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
    };
    const w = { ...window, days: [...window.days] };
    // Monday 2027-01-04 10:00 UTC.
    const opens = Date.parse('2027-01-04T10:00Z');
    expect(iso(firstSendInstant(opens, w, 'Europe/Madrid'))).toBe('2027-01-04T10:00'); // 11:00 there
    expect(iso(firstSendInstant(opens, w, 'Asia/Tokyo'))).toBe('2027-01-05T00:00'); // 19:00 → Tue 09:00
    expect(iso(firstSendInstant(opens, w, 'America/New_York'))).toBe('2027-01-04T14:00'); // 05:00 → 09:00
    // Friday evening in Tehran (UTC+3:30) waits for Monday 09:00 there.
    expect(iso(firstSendInstant(Date.parse('2027-01-08T15:00Z'), w, 'Asia/Tehran'))).toBe(
      '2027-01-11T05:30',
    );
    expect(sendWindowProblems({ from: '17:00', to: '09:00', days: ['mon'] }).join()).toMatch(
      /end after/,
    );
    expect(sendWindowProblems({ from: '9', to: '17:00', days: [] }).length).toBe(2);
  });
});
