import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Property tests of the reporting rules of the driver analysis ("what drives the score", see
 * DriverReportService), beside reports-anonymity.property.spec.ts: over generated team trees and
 * releases written to the real database (the rollup triggers build the driver sums), every item
 * of every team's drivers for a week, a month and a quarter is checked against what the
 * generated rows say it must be — a correlation exactly when the team's iNPS and the question
 * are shown (the tree rule), at least max(k, 30) people gave both answers in releases where at
 * least k did, every cell of their table (iNPS category × favourable answer) is 0 or at least k,
 * those people equal the iNPS respondents and the question's or differ from each by at least k,
 * and both sides have spread; then it is the correlation of the coded pairs; else no number,
 * withheld alike — and a differencing adversary sets every driver figure shown
 * side by side: no combination of them may isolate fewer than k people. Then one respondent is
 * added at the edge of a release's threshold: the figures change only by whole groups of at
 * least k people, never by one person.
 */

const K = 5;
const D = 30;

interface Person {
  id: number;
  team: number;
  day: number;
  nps: number | null;
  rating: number | null;
}

interface World {
  parents: (number | null)[];
  /** Per team, per release (day of the month): its people. */
  releases: { day: number; people: { nps: number | null; rating: number | null }[] }[][];
  weekDay: number;
  /** Which team gets the release at the edge of k, and on which day. */
  edgeTeam: number;
  edgeDay: number;
}

const YEAR = 2024;
const MONTH = 5; // May 2024: weeks from Monday 29 April to Sunday 2 June
const pad = (x: number) => String(x).padStart(2, '0');
const dateOf = (day: number) => `${YEAR}-${pad(MONTH)}-${pad(day)}`;

// Mostly a few values (a detractor, a passive, a promoter; an unfavourable and a favourable
// rating), and people often in groups of k alike, so that tables whose cells are all 0 or ≥ k —
// the only ones shown — are common, beside tables with a cell of 1 to k − 1.
const personArb = fc.record({
  nps: fc.option(
    fc.oneof(
      { arbitrary: fc.constantFrom(3, 8, 10), weight: 5 },
      { arbitrary: fc.integer({ min: 0, max: 10 }), weight: 1 },
    ),
    { freq: 10, nil: null },
  ),
  rating: fc.option(
    fc.oneof(
      { arbitrary: fc.constantFrom(2, 5), weight: 5 },
      { arbitrary: fc.integer({ min: 1, max: 5 }), weight: 1 },
    ),
    { freq: 8, nil: null },
  ),
});
const groupArb = fc
  .record({ person: personArb, times: fc.constantFrom(1, K, K, K) })
  .map(({ person, times }) => Array.from({ length: times }, () => person));

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 4 }).chain((teams) =>
  fc.record({
    parents: fc.tuple(
      ...Array.from({ length: teams }, (_, i) =>
        i === 0
          ? fc.constant(null)
          : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 3, nil: null }),
      ),
    ),
    // Releases near k and pair counts near 30 are where leaks would hide.
    releases: fc.tuple(
      ...Array.from({ length: teams }, () =>
        fc.uniqueArray(
          fc.record({
            day: fc.integer({ min: 1, max: 28 }),
            people: fc
              .array(groupArb, { minLength: 0, maxLength: 10, size: 'max' })
              .map((groups) => groups.flat()),
          }),
          { maxLength: 4, selector: (r) => r.day, size: 'max' },
        ),
      ),
    ),
    weekDay: fc.integer({ min: 1, max: 28 }),
    edgeTeam: fc.nat(teams - 1),
    edgeDay: fc.integer({ min: 1, max: 28 }),
  }),
);

function peopleOf(world: World): Person[] {
  let id = 0;
  return world.releases.flatMap((list, team) =>
    list.flatMap((r) => r.people.map((p) => ({ id: id++, team, day: r.day, ...p }))),
  );
}

function subtreeOf(parents: (number | null)[], root: number): Set<number> {
  const ids = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    parents.forEach((p, i) => {
      if (p !== null && ids.has(p) && !ids.has(i)) grew = ids.add(i).size > 0;
    });
  }
  return ids;
}

/**
 * What counts, worked out apart from the application: a release (team, day) counts an answer to
 * a question only where at least k answered it, and a pair (iNPS, rating) only where at least k
 * gave both.
 */
function counted(people: Person[]) {
  const release = (p: Person) => `${p.team}|${p.day}`;
  const tally = (keep: (p: Person) => boolean) => {
    const n = new Map<string, number>();
    for (const p of people.filter(keep)) n.set(release(p), (n.get(release(p)) ?? 0) + 1);
    return (p: Person) => (n.get(release(p)) ?? 0) >= K;
  };
  const nps = tally((p) => p.nps !== null);
  const rating = tally((p) => p.rating !== null);
  const pair = tally((p) => p.nps !== null && p.rating !== null);
  return {
    nps: people.filter((p) => p.nps !== null && nps(p)),
    rating: people.filter((p) => p.rating !== null && rating(p)),
    pairs: people.filter((p) => p.nps !== null && p.rating !== null && pair(p)),
  };
}

/** The tree rule, apart from anonymity.ts: shown when n ≥ k and what shown sub-teams leave is 0 or ≥ k. */
function shownTeams(parents: (number | null)[], rows: Person[]): Set<number> {
  const n = (team: number) =>
    team === -1 ? rows.length : rows.filter((r) => subtreeOf(parents, team).has(r.team)).length;
  const childrenOf = (team: number) => parents.flatMap((p, i) => ((p ?? -1) === team ? [i] : []));
  const shown = new Set<number>();
  const covered = (team: number): number =>
    childrenOf(team).reduce((total, c) => total + (shown.has(c) ? n(c) : covered(c)), 0);
  const visit = (team: number) => {
    childrenOf(team).forEach(visit);
    const leftover = n(team) - covered(team);
    if (n(team) >= K && (leftover === 0 || leftover >= K)) shown.add(team);
  };
  visit(-1);
  return shown;
}

/** The coded pair: favourable (rating 4–5) 1 or 0; the NPS category −1, 0 or +1. */
const topBox = (p: Person) => ((p.rating as number) >= 4 ? 1 : 0);
const category = (p: Person) => ((p.nps as number) >= 9 ? 1 : (p.nps as number) >= 7 ? 0 : -1);

/** The six cells (category × favourable) of these pairs, worked out apart from the application. */
function cellsOf(pairs: Person[]): number[] {
  const cells = [0, 0, 0, 0, 0, 0];
  for (const p of pairs) cells[(category(p) + 1) * 2 + topBox(p)] += 1;
  return cells;
}

function pearson(pairs: Person[]): number | null {
  const xs = pairs.map(topBox);
  const ys = pairs.map(category);
  if (new Set(xs).size < 2 || new Set(ys).size < 2) return null;
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/** [from, to) of the week, month and quarter asked for, worked out apart from periods.ts. */
function periods(weekDay: number): { grain: string; at: string; from: string; to: string }[] {
  const at = dateOf(weekDay);
  const weekday = (new Date(`${at}T00:00:00Z`).getUTCDay() + 6) % 7;
  const day = (offset: number) =>
    new Date(Date.parse(`${at}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return [
    { grain: 'week', at, from: day(-weekday), to: day(7 - weekday) },
    { grain: 'month', at, from: dateOf(1), to: `${YEAR}-${pad(MONTH + 1)}-01` },
    { grain: 'quarter', at, from: `${YEAR}-04-01`, to: `${YEAR}-07-01` },
  ];
}

type Item = { id: string; status: string; correlation: number | null; performance: unknown };

describe('driver analysis against the real application', () => {
  let t: TestApp;
  let npsQuestion: string;
  let ratingQuestion: string;
  let questionnaireId: string;
  let run = 0;
  // How often the checks had something to check: shown correlations, and releases at the edge.
  let shownFigures = 0;
  let edgeReleases = 0;

  beforeAll(async () => {
    t = await startTestApp({ REPORTING_THRESHOLD: String(K), MIX_BATCH_SIZE: String(K) });
    const questionnaire = await t.get(SurveysService).createQuestionnaire({
      name: 'Driver property pulse',
      questions: [
        { type: 'nps', text: { en: 'Would you recommend this team?' } },
        { type: 'rating', text: { en: 'My request was resolved.' } },
      ],
    });
    questionnaireId = questionnaire.id;
    const byType = (type: string) =>
      (questionnaire.questions ?? []).find((q) => q.type === type)?.id as string;
    [npsQuestion, ratingQuestion] = [byType('nps'), byType('rating')];
  }, 60_000);
  afterAll(() => t.close());

  /** Teams, one survey each, and the people as released responses with their answers. */
  async function build(world: World) {
    const tag = `${++run}-${randomBytes(3).toString('hex')}`;
    const slugs = world.parents.map((_, i) => `drv-${tag}-${i}`);
    const ids: string[] = [];
    for (let i = 0; i < slugs.length; i++) {
      const parent = world.parents[i];
      const team = await t.get(TeamsService).create({
        slug: slugs[i],
        name: `Drivers ${tag} ${i}`,
        parentSlug: parent === null ? undefined : slugs[parent],
      });
      ids.push(team.id);
    }
    const surveys: { id: string; team_id: string }[] = await t.dataSource.query(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
       SELECT 'driver property survey', $1, team_id, $2, now() + interval '30 days'
         FROM unnest($3::uuid[]) AS team_id
       RETURNING id, team_id`,
      [questionnaireId, K, ids],
    );
    const surveyOf = new Map(surveys.map((s) => [s.team_id, s.id]));
    const write = async (people: Person[]) => {
      if (people.length === 0) return;
      const responses = people.map((p) => ({
        id: randomUUID(),
        survey_id: surveyOf.get(ids[p.team]),
        team_id: ids[p.team],
        released_on: dateOf(p.day),
      }));
      await t.dataSource.query(
        `INSERT INTO response (id, survey_id, team_id, source, released_on)
         SELECT id, survey_id, team_id, 'pulse', released_on
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, survey_id uuid, team_id uuid, released_on date)`,
        [JSON.stringify(responses)],
      );
      const answers = people.flatMap((p, i) => [
        ...(p.nps === null
          ? []
          : [{ response_id: responses[i].id, question_id: npsQuestion, score: p.nps }]),
        ...(p.rating === null
          ? []
          : [{ response_id: responses[i].id, question_id: ratingQuestion, score: p.rating }]),
      ]);
      if (answers.length > 0)
        await t.dataSource.query(
          `INSERT INTO answer (response_id, question_id, score)
           SELECT response_id, question_id, score
             FROM jsonb_to_recordset($1::jsonb) AS a(response_id uuid, question_id uuid, score smallint)`,
          [JSON.stringify(answers)],
        );
    };
    const cleanUp = async () => {
      await t.dataSource.query(`DELETE FROM response WHERE survey_id = ANY($1::uuid[])`, [
        surveys.map((s) => s.id),
      ]);
    };
    return { slugs, write, cleanUp };
  }

  /** Every team's drivers for each period, checked against the model; the figures shown. */
  async function checkAll(world: World, people: Person[], slugs: string[]) {
    const figures: { key: string; people: Set<number>; items: Item[] }[] = [];
    for (const period of periods(world.weekDay)) {
      const inPeriod = people.filter(
        (p) => dateOf(p.day) >= period.from && dateOf(p.day) < period.to,
      );
      const { nps, rating, pairs } = counted(inPeriod);
      const teamsShown = shownTeams(world.parents, nps);
      const ratingShown = shownTeams(world.parents, rating);
      for (let team = 0; team < slugs.length; team++) {
        const where = `${slugs[team]} ${period.grain}`;
        const res = await t.api({
          method: 'GET',
          url: `/api/v1/teams/${slugs[team]}/drivers?period=${period.grain}&at=${period.at}`,
        });
        expect({ where, status: res.statusCode }).toEqual({ where, status: 200 });
        const body = res.json() as { threshold: number; available: boolean; items: Item[] };
        expect(body.threshold).toBe(Math.max(K, D));
        const subtree = subtreeOf(world.parents, team);
        const mine = pairs.filter((p) => subtree.has(p.team));
        const rated = rating.filter((p) => subtree.has(p.team));
        const npsOfTeam = nps.filter((p) => subtree.has(p.team));
        expect({ where, available: body.available }).toEqual({
          where,
          available: teamsShown.has(team),
        });
        // The rating question is listed when the team's subtree has any counted answer to it.
        expect({ where, items: body.items.length }).toEqual({
          where,
          items: rated.length > 0 ? 1 : 0,
        });
        if (body.items.length === 0) continue;
        const item = body.items[0];
        const apart = (a: number, b: number) => a === b || Math.abs(a - b) >= K;
        const cells = cellsOf(mine);
        const r = pearson(mine);
        const allowed =
          teamsShown.has(team) &&
          ratingShown.has(team) &&
          mine.length >= D &&
          cells.every((c) => c === 0 || c >= K) &&
          apart(mine.length, npsOfTeam.length) &&
          apart(mine.length, rated.length) &&
          r !== null;
        if (!allowed) {
          expect({ where, item }).toEqual({
            where,
            item: expect.objectContaining({
              status: 'too-few',
              correlation: null,
              performance: { withheld: true },
            }),
          });
          continue;
        }
        // Shown: from a table whose every cell is 0 or at least k, as the model says.
        expect({ where, status: item.status }).toEqual({ where, status: 'shown' });
        expect({ where, cells: cells.every((c) => c === 0 || c >= K) }).toEqual({
          where,
          cells: true,
        });
        const close = Math.abs((item.correlation as number) - r) <= 0.005 + 1e-9;
        expect({ where, r, got: item.correlation, close }).toMatchObject({ close: true });
        shownFigures += 1;
        figures.push({ key: where, people: new Set(mine.map((p) => p.id)), items: body.items });
      }
    }
    return figures;
  }

  /** Every class of people that the driver figures shown side by side single out holds ≥ k. */
  function expectNoSmallClass(figures: { people: Set<number> }[]) {
    const classes = new Map<string, number>();
    const everyone = new Set(figures.flatMap((f) => [...f.people]));
    for (const id of everyone) {
      const signature = figures.map((f) => (f.people.has(id) ? '1' : '0')).join('');
      classes.set(signature, (classes.get(signature) ?? 0) + 1);
    }
    for (const size of classes.values()) expect(size).toBeGreaterThanOrEqual(K);
  }

  it('shows a correlation exactly when the rules allow, and no figures isolate fewer than k people (worlds near the thresholds)', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const people = peopleOf(world);
        const { slugs, write, cleanUp } = await build(world);
        try {
          await write(people);
          const before = await checkAll(world, people, slugs);
          expectNoSmallClass(before);

          // A release of k − 1 people who gave both answers counts nowhere: nothing changes.
          const nextId = people.length;
          const edge: Person[] = Array.from({ length: K - 1 }, (_, i) => ({
            id: nextId + i,
            team: world.edgeTeam,
            day: world.edgeDay,
            nps: (i * 3) % 11,
            rating: (i % 5) + 1,
          }));
          const sameDay = people.filter(
            (p) => p.team === world.edgeTeam && p.day === world.edgeDay,
          );
          // Only when that day holds no release yet: the edge release is a release of its own.
          if (sameDay.length > 0) return;
          edgeReleases += 1;
          await write(edge);
          const withEdge = await checkAll(world, [...people, ...edge], slugs);
          expect(withEdge.map((f) => [f.key, f.items])).toEqual(
            before.map((f) => [f.key, f.items]),
          );

          // One more person tips the release over k: the figures that change, change by the whole
          // release (k people), never by the one who was added.
          const one: Person = {
            id: nextId + K - 1,
            team: world.edgeTeam,
            day: world.edgeDay,
            nps: 10,
            rating: 5,
          };
          await write([one]);
          const after = await checkAll(world, [...people, ...edge, one], slugs);
          for (const figure of after) {
            const earlier = before.find((f) => f.key === figure.key);
            if (!earlier) continue;
            const added = [...figure.people].filter((id) => !earlier.people.has(id)).length;
            const removed = [...earlier.people].filter((id) => !figure.people.has(id)).length;
            expect({
              key: figure.key,
              changed: added + removed === 0 || added + removed >= K,
            }).toEqual({ key: figure.key, changed: true });
          }
          expectNoSmallClass([...before, ...after]);
        } finally {
          await cleanUp();
        }
      }),
      { numRuns: 25 },
    );
    // Not vacuous: correlations were shown, and releases tipped over k.
    expect(shownFigures).toBeGreaterThan(0);
    expect(edgeReleases).toBeGreaterThan(0);
  }, 900_000);
});
