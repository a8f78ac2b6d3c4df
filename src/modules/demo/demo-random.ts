import type { DirectoryService } from '../directory/directory.service';

/** The demo's history spans this many weeks before today. */
export const WEEKS = 12;
export const DAY = 86_400_000;

/** A person of the directory, as the demo reads them back after importing them. */
export type DemoPerson = Awaited<ReturnType<DirectoryService['list']>>['items'][number];

/** Small deterministic PRNG so that every demo looks the same. */
export function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: T[]): T => list[Math.floor(next() * list.length)],
  };
}

export type Random = ReturnType<typeof prng>;

export function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function tenureBand(hireDate: string, now: number): string {
  const years = (now - Date.parse(hireDate)) / (365.25 * DAY);
  return years < 1 ? '<1y' : years < 2 ? '1-2y' : years < 5 ? '2-5y' : '5y+';
}
