import { join } from 'node:path';
import { I18n } from '../../common/i18n/i18n.service';
import { duration, percent, weekdays } from './report-view';

describe('report view formatting', () => {
  const i18n = new I18n(join(process.cwd(), 'views', 'locales'));

  it('writes durations in the locale’s units and digits', () => {
    expect(duration(i18n, 'en', 45)).toBe('45 min');
    expect(duration(i18n, 'en', 200)).toBe('3 hr 20 min');
    expect(duration(i18n, 'en', 60 * 52)).toBe('2 days 4 hr');
    expect(duration(i18n, 'en', null)).toBe('—');
    expect(duration(i18n, 'fa', 200)).toMatch(/^۳ .+ ۲۰ .+$/);
    expect(duration(i18n, 'fa', 200)).not.toMatch(/[0-9]/);
  });

  it('writes percentages as the locale does', () => {
    expect(percent(i18n, 'en', 59.4)).toBe('59.4%');
    expect(percent(i18n, 'es', 59.4)).toBe('59,4\u00a0%');
    expect(percent(i18n, 'fa', 59.4)).toBe('۵۹٫۴٪');
  });

  it('names the weekdays from Monday', () => {
    expect(weekdays(i18n, 'en')).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(weekdays(i18n, 'ja')[0]).toBe('月');
  });
});
