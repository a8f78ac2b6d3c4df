import { calendarDateProblem, dayProblem } from './calendar-date';

describe('calendar days', () => {
  it('knows the length of every month, leap years by the Gregorian rule', () => {
    expect(dayProblem(2026, 1, 31)).toBeUndefined();
    expect(dayProblem(2026, 2, 29)).toBe('February 2026 has 28 days');
    expect(dayProblem(2024, 2, 29)).toBeUndefined();
    expect(dayProblem(2000, 2, 29)).toBeUndefined();
    expect(dayProblem(1900, 2, 29)).toBe('February 1900 has 28 days');
    expect(dayProblem(2026, 4, 31)).toBe('April 2026 has 30 days');
    expect(dayProblem(2026, 12, 31)).toBeUndefined();
    expect(dayProblem(2026, 13, 1)).toBe('there is no month 13');
    expect(dayProblem(2026, 0, 1)).toBe('there is no month 0');
    expect(dayProblem(2026, 1, 0)).toBe('there is no day 0');
  });

  it('says what is wrong with a day as written', () => {
    expect(calendarDateProblem('at', '2026-02-28')).toBeUndefined();
    expect(calendarDateProblem('at', '2026-02-30')).toBe(
      'at "2026-02-30" does not exist: February 2026 has 28 days',
    );
    for (const shape of ['2026-2-3', '2026-02-03T00:00', ' 2026-02-03', '20260203', '', 20260203])
      expect(calendarDateProblem('at', shape)).toBe('at must be a date in the form YYYY-MM-DD');
    expect(calendarDateProblem('at', '1899-12-31')).toBe(
      'at must be a day from 1900-01-01 to 2999-12-31',
    );
    expect(calendarDateProblem('day', '2031-01-01', { from: '2030-01-01', to: '2030-12-31' })).toBe(
      'day must be a day from 2030-01-01 to 2030-12-31',
    );
  });
});
