import fc from 'fast-check';
import { WITHHELD } from './anonymity';
import {
  assembleDrivers,
  DRIVER_MIN_RESPONDENTS,
  type DriverInput,
  driverThreshold,
} from './driver-report.service';

const question = (id: string, type: 'rating' | 'ces' = 'rating') => ({ id, type, text: id });

function input(overrides: Partial<DriverInput> = {}): DriverInput {
  return {
    k: 5,
    questions: [question('a'), question('b'), question('c'), question('d')],
    rows: [
      { question_id: 'a', n: 40, correlation: 0.71234 },
      { question_id: 'b', n: 40, correlation: 0.65 },
      { question_id: 'c', n: 40, correlation: 0.1 },
      { question_id: 'd', n: 40, correlation: -0.2 },
    ],
    teamShown: true,
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

  it('ranks by correlation, rounds to two decimals, and focuses on the weakest of the top half', () => {
    const { items, focus, threshold } = assembleDrivers(input());
    expect(threshold).toBe(30);
    expect(items.map((i) => [i.id, i.rank, i.correlation, i.focus])).toEqual([
      ['a', 1, 0.71, false],
      ['b', 2, 0.65, true],
      ['c', 3, 0.1, false],
      ['d', 4, -0.2, false],
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
        rows: [
          { question_id: 'a', n: 40, correlation: 0.5 },
          { question_id: 'b', n: 40, correlation: 0.4 },
          { question_id: 'c', n: 40, correlation: 0.1 },
        ],
        counts: (id) => (id === 'b' ? { n: 40, top2: 0, mean: 4 } : { n: 40, top2: 20, mean: 3.5 }),
      }),
    );
    expect(focus).toBe('b');
  });

  it('gives no focus to a question that does not move the score', () => {
    const { focus } = assembleDrivers(
      input({
        questions: [question('a')],
        rows: [{ question_id: 'a', n: 40, correlation: -0.3 }],
      }),
    );
    expect(focus).toBeNull();
  });

  it('lists items under the threshold, or of a withheld team or question, with no number at all', () => {
    const few = assembleDrivers(
      input({
        rows: [
          { question_id: 'a', n: 29, correlation: 0.9 },
          { question_id: 'b', n: 30, correlation: 0.5 },
        ],
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

  it('says when there is no spread to correlate', () => {
    const { items } = assembleDrivers(
      input({
        questions: [question('a')],
        rows: [{ question_id: 'a', n: 40, correlation: null }],
      }),
    );
    expect(items[0]).toMatchObject({ status: 'no-spread', correlation: null, rank: null });
  });

  it('shows a correlation exactly when the respondents reach the threshold (any k, any counts)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 60 }),
        fc.array(
          fc.record({
            n: fc.integer({ min: 0, max: 100 }),
            r: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: null }),
            shown: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.boolean(),
        (k, specs, teamShown) => {
          const questions = specs.map((_, i) => question(`q${i}`));
          const { items, focus } = assembleDrivers({
            k,
            questions,
            rows: specs.map((s, i) => ({ question_id: `q${i}`, n: s.n, correlation: s.r })),
            teamShown,
            questionShown: (id) => specs[Number(id.slice(1))].shown,
            counts: (id) => ({ n: specs[Number(id.slice(1))].n + k, top2: 0, mean: 3 }),
          });
          expect(items).toHaveLength(specs.length);
          for (const item of items) {
            const spec = specs[Number(item.id.slice(1))];
            const allowed = teamShown && spec.shown && spec.n >= Math.max(k, 30);
            expect(item.status !== 'too-few').toBe(allowed);
            if (item.status === 'shown') {
              expect(
                Math.abs((item.correlation as number) - (spec.r as number)),
              ).toBeLessThanOrEqual(0.005 + 1e-12);
              expect(Object.is(item.correlation, -0)).toBe(false);
            } else expect(item.correlation).toBeNull();
            if (item.status === 'too-few') expect(item.performance).toEqual(WITHHELD);
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
      { numRuns: 500 },
    );
  });
});
