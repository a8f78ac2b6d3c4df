import fc from 'fast-check';
import { namedValues, planRelease, type Submission, TICKET_DIMENSIONS } from './release-plan';
import { periodStart, previousPeriodStart } from './release-periods';

const NPS = 'q-nps';
const ENPS = 'q-enps';
const RATING = 'q-rating';
const TYPES = new Map([
  [NPS, 'nps'],
  [ENPS, 'enps'],
  [RATING, 'rating'],
  ['q-text', 'text'],
]);

const submissionArb = (teams: string[]) =>
  fc.record({
    person: fc.integer({ min: 0, max: 40 }).map((n) => `p${n}`),
    department: fc.option(fc.constantFrom('Sales', 'Legal', 'Ops', 'Data'), { nil: null }),
    location: fc.constantFrom('Madrid', 'Osaka'),
    askedAll: fc.boolean(),
    blocks: fc.subarray(teams, { minLength: 1 }).chain((chosen) =>
      fc.tuple(
        ...chosen.map((teamId) =>
          fc.record({
            teamId: fc.constant(teamId),
            nps: fc.option(fc.integer({ min: 0, max: 10 }), { freq: 6, nil: null }),
            enps: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
            rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
          }),
        ),
      ),
    ),
  });

function toSubmission(
  raw: {
    person: string;
    department: string | null;
    location: string;
    askedAll: boolean;
    blocks: { teamId: string; nps: number | null; enps: number | null; rating: number | null }[];
  },
  i: number,
): Submission {
  return {
    id: `s${i}`,
    person: raw.person,
    askedAll: raw.askedAll,
    segments: { department: raw.department, location: raw.location },
    blocks: raw.blocks.map((b) => ({
      teamId: b.teamId,
      answers: [
        ...(b.nps === null
          ? []
          : [{ question_id: NPS, score: b.nps, option_key: null, text: null }]),
        ...(b.enps === null || !raw.askedAll
          ? []
          : [{ question_id: ENPS, score: b.enps, option_key: null, text: null }]),
        ...(b.rating === null
          ? []
          : [{ question_id: RATING, score: b.rating, option_key: null, text: null }]),
      ],
    })),
  };
}

describe('a release plan', () => {
  const options = (m: number, mode: 'final' | 'carry') => ({
    m,
    mode,
    dimensions: ['department' as const, 'location' as const],
    questionTypes: TYPES,
    askedToSome: new Set([ENPS]),
  });

  it('never stores anything about fewer than m people (10,000 generated releases)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 12 }),
        fc.constantFrom<'final' | 'carry'>('final', 'carry'),
        fc.array(submissionArb(['A', 'B', 'C']), { maxLength: 60 }),
        (m, mode, raw) => {
          // One submission per person (a survey has one invitation each); carry mode may repeat.
          const seen = new Set<string>();
          const submissions = raw
            .filter((s) => mode === 'carry' || (!seen.has(s.person) && seen.add(s.person)))
            .map(toSubmission);
          const plan = planRelease(submissions, options(m, mode));
          for (const team of plan.teams) {
            // At least m different people, at most one answer each.
            expect(team.responses.length).toBeGreaterThanOrEqual(m);
            const people = submissions.filter(
              (s) => plan.consumed.includes(s.id) && s.blocks.some((b) => b.teamId === team.teamId),
            );
            expect(new Set(people.map((p) => p.person)).size).toBe(team.responses.length);
            // eNPS only where m of the team's respondents were asked it, and the others are
            // none or m (a missing required answer tells who was not asked).
            const asked = people.filter((p) => p.askedAll).length;
            const enpsKept = team.responses.flat().some((a) => a.question_id === ENPS);
            if (enpsKept) {
              expect(asked).toBeGreaterThanOrEqual(m);
              expect(people.length - asked === 0 || people.length - asked >= m).toBe(true);
            }
            // The joint partition: whoever shares a combination of what the release names (being
            // asked eNPS, each dimension's named value or "the rest") are none or at least m —
            // crossing the histograms of several dimensions narrows a response to such a group.
            const named = (dimension: 'department' | 'location') =>
              new Set(
                plan.cells
                  .filter((c) => c.teamId === team.teamId && c.dimension === dimension)
                  .map((c) => c.value),
              );
            const departments = named('department');
            const locations = named('location');
            const groups = new Map<string, number>();
            for (const p of people) {
              const key = [
                enpsKept ? p.askedAll : '',
                departments.has(p.segments.department ?? 'Unknown') ? p.segments.department : '',
                locations.has(p.segments.location ?? 'Unknown') ? p.segments.location : '',
              ].join('|');
              groups.set(key, (groups.get(key) ?? 0) + 1);
            }
            for (const n of groups.values()) expect(n).toBeGreaterThanOrEqual(m);
          }
          for (const cell of plan.cells)
            expect(plan.teams.some((t) => t.teamId === cell.teamId)).toBe(true);
          // Every submission is accounted for once.
          expect([...plan.consumed, ...plan.kept].sort()).toEqual(
            submissions.map((s) => s.id).sort(),
          );
          if (mode === 'final') expect(plan.kept).toEqual([]);
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('releases a team of m people, carries a smaller one, and holds a second answer back', () => {
    const people = (n: number, team: string, from = 0) =>
      Array.from({ length: n }, (_, i) =>
        toSubmission(
          {
            person: `p${from + i}`,
            department: 'Sales',
            location: 'Madrid',
            askedAll: false,
            blocks: [{ teamId: team, nps: 9, enps: null, rating: 4 }],
          },
          from + i + (team === 'B' ? 100 : 0),
        ),
      );
    const again = { ...people(1, 'A')[0], id: 'again' };
    const plan = planRelease(
      [...people(5, 'A'), again, ...people(4, 'B', 10)],
      options(5, 'carry'),
    );
    expect(plan.teams.map((t) => [t.teamId, t.responses.length])).toEqual([['A', 5]]);
    expect(plan.belowM).toEqual([{ teamId: 'B', people: 4 }]);
    expect(plan.kept.sort()).toEqual(['again', 's110', 's111', 's112', 's113'].sort());
    // All in Sales and Madrid: each a named value of 5 people, nothing left over.
    expect(plan.cells.filter((c) => c.questionId === NPS).map((c) => [c.value, c.n])).toEqual([
      ['Sales', 5],
      ['Madrid', 5],
    ]);
    // Dropped unread after a pulse closes.
    const final = planRelease(people(4, 'B', 10), options(5, 'final'));
    expect(final.teams).toEqual([]);
    expect(final.consumed).toHaveLength(4);
  });

  it('names values the way foldSegments folds groups, with counts of people', () => {
    const named = (counts: Record<string, number>, m: number) =>
      [...namedValues(new Map(Object.entries(counts)), m)].sort();
    expect(named({ a: 12, b: 10, c: 3 }, 10)).toEqual(['a']); // c alone is below 10: b joins it
    expect(named({ a: 12, b: 10 }, 10)).toEqual(['a', 'b']);
    expect(named({ a: 12, c: 3 }, 10)).toEqual([]); // the rest could never reach 10
    expect(named({ a: 9, b: 9, c: 9 }, 10)).toEqual([]);
    expect(named({ a: 30, b: 3, c: 7 }, 10)).toEqual(['a']);
  });

  it('answers after tickets are banded by their resolution time only', () => {
    expect(TICKET_DIMENSIONS).toEqual(['resolution_band']);
  });
});

describe('release periods (a week within a month)', () => {
  it('start on Mondays and on the first of each month', () => {
    expect(periodStart('2026-12-05')).toBe('2026-12-01'); // Saturday; the week began in November
    expect(periodStart('2026-12-07')).toBe('2026-12-07'); // Monday
    expect(periodStart('2026-12-13')).toBe('2026-12-07');
    expect(periodStart('2026-11-30')).toBe('2026-11-30');
    expect(previousPeriodStart('2026-12-07')).toBe('2026-12-01');
    expect(previousPeriodStart('2026-12-01')).toBe('2026-11-30');
    expect(previousPeriodStart('2027-01-04')).toBe('2027-01-01');
  });

  it('lie within one week, one month and one quarter', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          const start = periodStart(day);
          expect(start <= day).toBe(true);
          expect(start.slice(0, 7)).toBe(day.slice(0, 7));
          const gap = (Date.parse(day) - Date.parse(start)) / 86_400_000;
          expect(gap).toBeLessThan(7);
          const weekday = new Date(`${start}T00:00:00Z`).getUTCDay();
          expect(weekday === 1 || start.endsWith('-01')).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
