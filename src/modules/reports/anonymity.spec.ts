import { comparisonAllowed, foldSegments, guard, guardNps, nps, shownGroups } from './anonymity';

describe('reporting threshold', () => {
  it('withholds the value and the count below k', () => {
    expect(guard(4, 5, () => ({ mean: 3 }))).toEqual({ withheld: true });
    expect(guard(5, 5, () => ({ mean: 3 }))).toEqual({ withheld: false, n: 5, mean: 3 });
  });

  it('computes NPS and its 95% interval', () => {
    const result = nps({ n: 100, promoters: 50, passives: 30, detractors: 20 });
    expect(result.nps).toBe(30);
    // 1.96 · 100 · √((0.5 + 0.2 − 0.09) / 100) = 15.3
    expect(result.low).toBeCloseTo(14.7, 1);
    expect(result.high).toBeCloseTo(45.3, 1);
    expect(nps({ n: 5, promoters: 5, passives: 0, detractors: 0 })).toMatchObject({
      nps: 100,
      low: 100,
      high: 100,
    });
    expect(guardNps({ n: 3, promoters: 3, passives: 0, detractors: 0 }, 5)).toEqual({
      withheld: true,
    });
  });

  it('hides the next-smallest group when the rest would be below k', () => {
    // 20 in all: 12 + 5 shown leave 3 (below k=5): the 5 must go too, leaving 8.
    expect([
      ...shownGroups(
        20,
        [
          { key: 'a', n: 12 },
          { key: 'b', n: 5 },
          { key: 'c', n: 3 },
        ],
        5,
      ),
    ]).toEqual(['a']);
    expect(
      [
        ...shownGroups(
          20,
          [
            { key: 'a', n: 15 },
            { key: 'b', n: 5 },
          ],
          5,
        ),
      ].sort(),
    ).toEqual(['a', 'b']);
    // Nothing may be shown if every way leaves a small rest.
    expect([
      ...shownGroups(
        9,
        [
          { key: 'a', n: 6 },
          { key: 'b', n: 3 },
        ],
        5,
      ),
    ]).toEqual([]);
  });

  it('allows a comparison with a whole only when the rest is empty or reaches k', () => {
    expect(comparisonAllowed(10, 10, 5)).toBe(true);
    expect(comparisonAllowed(10, 13, 5)).toBe(false);
    expect(comparisonAllowed(10, 15, 5)).toBe(true);
    expect(comparisonAllowed(4, 100, 5)).toBe(false);
  });

  it('folds small segments into Other until Other reaches k', () => {
    const g = (key: string, n: number) => ({ key, n });
    expect(foldSegments([g('a', 20), g('b', 6), g('c', 2)], 5)).toEqual({
      shown: [g('a', 20)],
      other: [g('c', 2), g('b', 6)],
    });
    expect(foldSegments([g('a', 20), g('b', 6), g('c', 5)], 5)).toEqual({
      shown: [g('a', 20), g('b', 6), g('c', 5)],
      other: [],
    });
    expect(foldSegments([g('a', 3), g('b', 1)], 5)).toEqual({ shown: [], other: [] });
  });
});
