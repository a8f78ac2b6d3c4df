import { ThemesCache } from './comment-report.service';

describe('ThemesCache', () => {
  const value = (threshold: number) => ({ threshold, languages: [] });

  it('gives back an entry only for the comment count it was computed for', () => {
    const cache = new ThemesCache(10, 60_000);
    cache.set('it month 2026-11-01', 40, 40, value(3));
    expect(cache.get('it month 2026-11-01', 40)).toEqual({ read: 40, value: value(3) });
    expect(cache.get('it month 2026-11-01', 43)).toBeUndefined();
    // A mismatch drops the entry: the old count does not bring it back.
    expect(cache.get('it month 2026-11-01', 40)).toBeUndefined();
  });

  it('forgets an entry after its time to live', () => {
    let now = 1_000;
    const cache = new ThemesCache(10, 60_000, () => now);
    cache.set('k', 5, 5, value(3));
    now += 60_000;
    expect(cache.get('k', 5)).toBeDefined();
    now += 1;
    expect(cache.get('k', 5)).toBeUndefined();
  });

  it('keeps at most its size, dropping the least recently used', () => {
    const cache = new ThemesCache(2, 60_000);
    cache.set('a', 1, 1, value(3));
    cache.set('b', 1, 1, value(3));
    expect(cache.get('a', 1)).toBeDefined(); // a is now the most recent
    cache.set('c', 1, 1, value(3));
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
  });
});
