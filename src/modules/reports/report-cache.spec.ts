import type { FastifyRequest } from 'fastify';
import { notModified } from './conditional';
import { etagOf, REPORT_CACHE_TTL_MS, ReportCache } from './report-cache';

const cacheOf = (maxEntries: number, enabled = true, maxMegabytes = 64) =>
  new ReportCache({ reportCache: { enabled, maxEntries, maxMegabytes } });

describe('ReportCache', () => {
  it('loads a key once, and again only once it has been pushed out (least recently used first)', async () => {
    const cache = cacheOf(2);
    let loads = 0;
    const load = (v: string) => async () => {
      loads++;
      return v;
    };
    expect(await cache.through('a', load('A'))).toBe('A');
    expect(await cache.through('a', load('x'))).toBe('A');
    await cache.through('b', load('B'));
    await cache.through('a', load('x')); // a is now the most recently used
    await cache.through('c', load('C')); // pushes out b
    expect(cache.size).toBe(2);
    expect(await cache.through('a', load('x'))).toBe('A');
    expect(await cache.through('b', load('B2'))).toBe('B2');
    expect(loads).toBe(4);
  });

  it('shares one load between callers and keeps no failed load', async () => {
    const cache = cacheOf(10);
    let loads = 0;
    const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 5));
    const [x, y] = await Promise.all([cache.through('k', slow), cache.through('k', slow)]);
    expect([x, y, loads]).toEqual([1, 1, 1]);
    await expect(cache.through('bad', () => Promise.reject(new Error('down')))).rejects.toThrow();
    expect(await cache.through('bad', async () => 'fine')).toBe('fine');
  });

  it('forgets an entry after its time to live, and keeps nothing when turned off', async () => {
    const cache = cacheOf(10);
    let now = 1_000;
    cache.now = () => now;
    await cache.through('k', async () => 1);
    now += REPORT_CACHE_TTL_MS + 1;
    expect(await cache.through('k', async () => 2)).toBe(2);
    const off = cacheOf(10, false);
    await off.through('k', async () => 1);
    expect(await off.through('k', async () => 2)).toBe(2);
    expect(off.size).toBe(0);
  });
});

describe('ReportCache bounds (review finding 12)', () => {
  it('keeps its loaded entries under REPORT_CACHE_MAX_MB, whatever the entry count allows', async () => {
    const cache = cacheOf(1_000_000, true, 1);
    const big = 'x'.repeat(100_000); // ~200 KB each
    for (let i = 0; i < 40; i++) await cache.through(`k${i}`, async () => big);
    expect(cache.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(cache.size).toBeLessThanOrEqual(5);
    expect(cache.size).toBeGreaterThan(0);
    // The newest stays, the oldest went first.
    expect(await cache.through('k39', async () => 'reloaded')).toBe(big);
    expect(await cache.through('k0', async () => 'reloaded')).toBe('reloaded');
  });

  it('drops a load that hangs: its waiters and later callers read on their own', async () => {
    const cache = cacheOf(10);
    cache.loadTimeoutMs = 20;
    void cache.through('k', () => new Promise<string>(() => undefined));
    expect(await cache.through('k', async () => 'own')).toBe('own');
    expect(await cache.through('k', async () => 'next')).toBe('next');
  });
});

describe('If-None-Match', () => {
  const request = (header?: string) =>
    ({ headers: header === undefined ? {} : { 'if-none-match': header } }) as FastifyRequest;
  const tag = etagOf('key', 'json');

  it('matches the tag, weak or strong, in a list, or *', () => {
    expect(notModified(request(tag), tag)).toBe(true);
    expect(notModified(request(`"x", ${tag.replace(/^W\//, '')}`), tag)).toBe(true);
    expect(notModified(request('*'), tag)).toBe(true);
    expect(notModified(request(etagOf('key', 'csv')), tag)).toBe(false);
    expect(notModified(request(), tag)).toBe(false);
  });
});
