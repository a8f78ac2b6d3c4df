import { addDays, todayIn } from './action-dates';

describe('action dates', () => {
  it('takes today in the organisation’s zone, not the server’s', () => {
    const instant = new Date('2026-12-05T23:30:00Z');
    expect(todayIn('UTC', instant)).toBe('2026-12-05');
    expect(todayIn('Asia/Tokyo', instant)).toBe('2026-12-06');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-12-05');
  });

  it('adds days across months and leap years', () => {
    expect(addDays('2028-02-27', 3)).toBe('2028-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });
});
