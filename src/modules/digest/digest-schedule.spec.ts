import { digestDue, isTimeZone, localTime } from './digest-schedule';

describe('digest schedule', () => {
  // Monday 7 December 2026, 07:30 UTC.
  const monday = new Date('2026-12-07T07:30:00Z');

  it('reads the day, weekday and hour on the clock of a zone', () => {
    expect(localTime(monday, 'UTC')).toEqual({ date: '2026-12-07', weekday: 1, hour: 7 });
    expect(localTime(monday, 'Asia/Tehran')).toEqual({ date: '2026-12-07', weekday: 1, hour: 11 });
    expect(localTime(monday, 'America/Los_Angeles')).toEqual({
      date: '2026-12-06',
      weekday: 7,
      hour: 23,
    });
  });

  it('is due on the set weekday from the set hour, in the person’s zone, for that week', () => {
    const setting = { weekday: 1, hour: 8 };
    expect(digestDue(monday, 'UTC', setting).due).toBe(false);
    expect(digestDue(monday, 'Europe/Madrid', setting)).toEqual({
      due: true,
      weekStart: '2026-12-07',
      today: '2026-12-07',
    });
    // Sunday evening in Los Angeles: not yet.
    expect(digestDue(monday, 'America/Los_Angeles', setting).due).toBe(false);
    // Tuesday: the day has passed, no late digest.
    expect(digestDue(new Date('2026-12-08T09:00:00Z'), 'UTC', setting).due).toBe(false);
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
