import fc from 'fast-check';
import { WITHHELD } from './anonymity';
import {
  assembleDrivers,
  cellCorrelation,
  DRIVER_CELLS,
  DRIVER_MIN_RESPONDENTS,
  type DriverCells,
  type DriverInput,
  driverThreshold,
} from './driver-report.service';
import type { DriverRow } from './drivers.repository';

const question = (id: string, type: 'rating' | 'ces' = 'rating') => ({ id, type, text: id });

/** Cells in DRIVER_CELLS order: detractor low/top, passive low/top, promoter low/top. */
const cells = (counts: number[]): DriverCells =>
  Object.fromEntries(DRIVER_CELLS.map((c, i) => [c, counts[i]])) as DriverCells;
const row = (id: string, counts: number[]): DriverRow => ({
  question_id: id,
  n: counts.reduce((s, x) => s + x, 0),
  ...cells(counts),
});

/** Pearson's r of the coded pairs, worked out from the pairs themselves, as a reader would. */
function pearsonOfPairs(counts: number[]): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  counts.forEach((count, i) => {
    for (let j = 0; j < count; j++) {
      xs.push(i % 2);
      ys.push(Math.floor(i / 2) - 1);
    }
  });
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  });
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

const PLANTED: Record<string, number[]> = {
  a: [15, 0, 5, 5, 0, 15],
  b: [15, 0, 10, 0, 5, 10],
  c: [10, 5, 5, 5, 10, 5],
  d: [5, 10, 5, 5, 10, 5],
};

function input(overrides: Partial<DriverInput> = {}): DriverInput {
  return {
    k: 5,
    questions: [question('a'), question('b'), question('c'), question('d')],
    rows: Object.entries(PLANTED).map(([id, counts]) => row(id, counts)),
    teamShown: true,
    npsN: 40,
    questionShown: () => true,
    counts: (id) =>
      ({
        a: { n: 50, top2: 45, mean: 4.5 },
        b: { n: 50, top2: 20, mean: 3.1 },
        c: { n: 50, top2: 10, mean: 2.0 },
        d: { n: 50, top2: 40, mean: 4.2 },
      })[id] ?? { n: 0, top2: 0, mean: null },
    ...overrides,
  };
}

describe('assembleDrivers', () => {
  it('needs max(k, 30) respondents with both answers, never fewer than k', () => {
    expect(DRIVER_MIN_RESPONDENTS).toBe(30);
    expect(driverThreshold(5)).toBe(30);
    expect(driverThreshold(40)).toBe(40);
  });

  it('computes r from the six cells as Pearson over the coded pairs', () => {
    for (const counts of Object.values(PLANTED))
      expect(cellCorrelation(cells(counts))).toBeCloseTo(pearsonOfPairs(counts) as number, 12);
    // No spread on either side: no r.
    expect(cellCorrelation(cells([0, 0, 0, 0, 20, 20]))).toBeNull();
    expect(cellCorrelation(cells([10, 0, 10, 0, 10, 0]))).toBeNull();
  });

  it('ranks by correlation, rounds to two decimals, and focuses on the weakest of the top half', () => {
    const { items, focus, threshold } = assembleDrivers(input());
    expect(threshold).toBe(30);
    const r = (id: string) => Math.round((pearsonOfPairs(PLANTED[id]) as number) * 100) / 100;
    expect(r('a')).toBeGreaterThan(r('b'));
    expect(r('b')).toBeGreaterThan(r('c'));
    expect(r('d')).toBeLessThan(0);
    expect(items.map((i) => [i.id, i.rank, i.correlation, i.focus])).toEqual([
      ['a', 1, r('a'), false],
      ['b', 2, r('b'), true],
      ['c', 3, r('c'), false],
      ['d', 4, r('d'), false],
    ]);
    expect(focus).toBe('b');
    expect(items[1].performance).toEqual({
      withheld: false,
      n: 50,
      mean: 3.1,
      csat: 40,
      scale: 0.525,
    });
  });

  it('compares performance on each scale: an effort mean of 4 of 7 is weaker than 3.5 of 5', () => {
    const { focus } = assembleDrivers(
      input({
        questions: [question('a'), question('b', 'ces'), question('c')],
        counts: (id) => (id === 'b' ? { n: 40, top2: 0, mean: 4 } : { n: 40, top2: 20, mean: 3.5 }),
      }),
    );
    expect(focus).toBe('b');
  });

  it('gives no focus to a question that does not move the score', () => {
    const { focus } = assembleDrivers(input({ questions: [question('d')] }));
    expect(focus).toBeNull();
  });

  it('lists items under the threshold, or of a withheld team or question, with no number at all', () => {
    const few = assembleDrivers(
      input({
        rows: [row('a', [10, 0, 4, 5, 0, 10]), row('b', [10, 0, 5, 0, 5, 10])],
        npsN: 30,
        questionShown: (id) => id !== 'c',
      }),
    );
    expect(few.items.map((i) => [i.id, i.status])).toEqual([
      ['b', 'shown'],
      ['a', 'too-few'],
      ['c', 'too-few'],
      ['d', 'too-few'],
    ]);
    for (const item of few.items.slice(1))
      expect(item).toMatchObject({ correlation: null, rank: null, performance: WITHHELD });
    const hidden = assembleDrivers(input({ teamShown: false }));
    expect(hidden.items.every((i) => i.status === 'too-few')).toBe(true);
    expect(hidden.focus).toBeNull();
  });

  it('withholds a table with a cell of 1 to k − 1 people: the lone detractor of a release of 31', () => {
    // 30 promoters and one detractor, who answered the question unfavourably.
    const { items } = assembleDrivers(
      input({
        questions: [question('q')],
        rows: [row('q', [1, 0, 0, 0, 10, 20])],
        npsN: 31,
        counts: () => ({ n: 31, top2: 20, mean: 3.9 }),
      }),
    );
    expect(items[0]).toMatchObject({ status: 'too-few', correlation: null, performance: WITHHELD });
  });

  it('withholds when the pairs differ from the iNPS or the question respondents by 1 to k − 1', () => {
    const one = (overrides: Partial<DriverInput>) =>
      assembleDrivers(input({ questions: [question('a')], ...overrides })).items[0].status;
    expect(one({ npsN: 40, counts: () => ({ n: 40, top2: 20, mean: 3 }) })).toBe('shown');
    expect(one({ npsN: 41 })).toBe('too-few');
    expect(one({ npsN: 44 })).toBe('too-few');
    expect(one({ npsN: 45 })).toBe('shown');
    expect(one({ counts: () => ({ n: 41, top2: 20, mean: 3 }) })).toBe('too-few');
    expect(one({ counts: () => ({ n: 45, top2: 20, mean: 3 }) })).toBe('shown');
  });

  it('says nothing different when there is no spread to correlate: the item is withheld alike', () => {
    const { items } = assembleDrivers(
      input({ questions: [question('a')], rows: [row('a', [0, 0, 0, 0, 20, 20])] }),
    );
    expect(items[0]).toMatchObject({
      status: 'too-few',
      correlation: null,
      rank: null,
      performance: WITHHELD,
    });
  });

  it('shows a correlation exactly when the rules allow (any k, any cells and counts)', () => {
    const cellArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 }), fc.nat(40));
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 12 }),
        fc.array(
          fc.record({
            cells: fc.array(cellArb, { minLength: 6, maxLength: 6 }),
            npsExtra: fc.oneof(fc.constant(0), fc.nat(12)),
            questionExtra: fc.oneof(fc.constant(0), fc.nat(12)),
            shown: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.boolean(),
        (k, specs, teamShown) => {
          const questions = specs.map((_, i) => question(`q${i}`));
          const rows = specs.map((s, i) => row(`q${i}`, s.cells));
          // One iNPS count for the team: the first item's pairs plus its extra.
          const npsN = rows[0].n + specs[0].npsExtra;
          const { items, focus } = assembleDrivers({
            k,
            questions,
            rows,
            teamShown,
            npsN,
            questionShown: (id) => specs[Number(id.slice(1))].shown,
            counts: (id) => {
              const i = Number(id.slice(1));
              return { n: rows[i].n + specs[i].questionExtra, top2: 0, mean: 3 };
            },
          });
          expect(items).toHaveLength(specs.length);
          for (const item of items) {
            const i = Number(item.id.slice(1));
            const spec = specs[i];
            const n = rows[i].n;
            const apart = (a: number, b: number) => a === b || Math.abs(a - b) >= k;
            const r = pearsonOfPairs(spec.cells);
            const allowed =
              teamShown &&
              spec.shown &&
              n >= Math.max(k, 30) &&
              spec.cells.every((c) => c === 0 || c >= k) &&
              apart(n, npsN) &&
              apart(n, n + spec.questionExtra) &&
              r !== null;
            expect(item.status === 'shown').toBe(allowed);
            if (item.status === 'shown') {
              expect(Math.abs((item.correlation as number) - (r as number))).toBeLessThanOrEqual(
                0.005 + 1e-12,
              );
              expect(Object.is(item.correlation, -0)).toBe(false);
            } else {
              expect(item).toMatchObject({
                status: 'too-few',
                correlation: null,
                performance: WITHHELD,
              });
            }
          }
          // Ranks follow the correlations; the focus is one of the top half.
          const shown = items.filter((i) => i.status === 'shown');
          shown.forEach((item, i) => {
            expect(item.rank).toBe(i + 1);
            if (i > 0)
              expect(item.correlation as number).toBeLessThanOrEqual(
                shown[i - 1].correlation as number,
              );
          });
          if (focus !== null) {
            const item = shown.find((i) => i.id === focus);
            expect(item?.rank).toBeLessThanOrEqual(Math.ceil(shown.length / 2));
            expect(item?.correlation).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
