import { foldSegments, foldWithRest, guard, guardNps, nps, visibleTeams } from './anonymity';

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

  it('shows a team only when what its shown sub-teams leave of it is 0 or reaches k', () => {
    const teams = [
      { id: 'p', parentId: null },
      { id: 'c', parentId: 'p' },
      { id: 'x', parentId: null },
    ];
    const visible = (counts: Record<string, number>, org: number) =>
      [...visibleTeams(teams, (id) => counts[id] ?? 0, org, 5)].sort();
    // P has 1 answer of its own and C 5: P's total would give away that one answer.
    expect(visible({ p: 6, c: 5, x: 0 }, 6)).toEqual(['c']);
    // P's own 5 are a group of their own: all shown.
    expect(visible({ p: 10, c: 5, x: 5 }, 15)).toEqual(['__organisation', 'c', 'p', 'x']);
    // X has a single answer: the organisation minus P would reveal it.
    expect(visible({ p: 10, c: 5, x: 1 }, 11)).toEqual(['c', 'p']);
    // A hidden sub-team's shown sub-teams still count: P − C's shown child must reach k.
    const deep = [...teams, { id: 'g', parentId: 'c' }];
    expect(
      [...visibleTeams(deep, (id) => ({ p: 13, c: 9, g: 6, x: 0 })[id] ?? 0, 13, 5)].sort(),
    ).toEqual(['__organisation', 'g', 'p']);
  });

  it('folds what releases did not name into "Other", however large', () => {
    const g = (key: string, n: number) => ({ key, n });
    const rest = g('rest', 9);
    // Sales reaches k and stays; the rest, large enough alone, still shows only as "Other" (and
    // makes it reach k, so nothing else need fold).
    expect(foldWithRest([g('Sales', 7), g('Ops', 2)], rest, 5)).toEqual({
      shown: [g('Sales', 7)],
      other: [g('Ops', 2), rest],
    });
    // No rest: the usual fold.
    expect(foldWithRest([g('Sales', 7), g('Ops', 2)], g('rest', 0), 5)).toEqual(
      foldSegments([g('Sales', 7), g('Ops', 2)], 5),
    );
    // The rest counts toward "Other" reaching k: with 1 left over and Ops 2, Sales must fold.
    expect(foldWithRest([g('Sales', 7), g('Ops', 2)], g('rest', 1), 5).shown).toEqual([]);
  });
});
