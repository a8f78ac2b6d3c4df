import { guardNps } from './anonymity';
import { compareNps } from './significance';

const cell = (promoters: number, passives: number, detractors: number) =>
  guardNps({ n: promoters + passives + detractors, promoters, passives, detractors }, 5);

describe('compareNps', () => {
  it('calls a −41.9 swing on six answers noise, flagged as a small sample', () => {
    const before = cell(3, 2, 1); // +33.3 on 6
    const after = cell(1, 1, 4); // −50 on 6
    const change = compareNps(after, before);
    expect(change).toMatchObject({ significant: false, direction: 'flat', smallSample: true });
    expect(change?.delta).toBeCloseTo(-83.3, 1);
  });

  it('calls a 20-point drop on 400 answers each a real fall', () => {
    const change = compareNps(cell(160, 140, 100), cell(200, 140, 60));
    expect(change).toMatchObject({ significant: true, direction: 'down', smallSample: false });
    expect(change!.high).toBeLessThan(0);
  });

  it('compares nothing when either side is withheld', () => {
    expect(compareNps(cell(1, 1, 1), cell(10, 10, 10))).toBeUndefined();
  });
});
