import { compareNps } from '../../src/modules/reports/significance';
import { randomBytes, randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { foldSegments } from '../../src/modules/reports/anonymity';
import { namedValues } from '../../src/modules/responses/release-plan';
import { DigestReportService } from '../../src/modules/reports/digest-report.service';
import { ServicesClock } from '../../src/modules/services/services-clock';
import { ServicesService } from '../../src/modules/services/services.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { startTestApp, type TestApp } from '../setup/test-app';
import { checkCommentThemes, commentThemeChecks } from './comment-themes-check';

/**
 * Property tests of the reporting threshold: first the rules of anonymity.ts as pure functions,
 * over thousands of generated counts; then the whole report (JSON API and CSV), against the real
 * application and PostgreSQL, over generated organisation trees and releases, every cell checked
 * against what the generated rows say it must be; and a differencing adversary that sets every
 * figure shown — every team, grain, sub-team, comparison, breakdown and source, as HR sees them
 * (the role that sees most) — side by side and checks that no combination of them isolates fewer
 * than k people. A failing property prints the smallest input that breaks it (fast-check shrinks
 * it) and the seed to replay it.
 */

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const restOk = (rest: number, k: number) => rest === 0 || rest >= k;

describe('anonymity rules, as pure functions', () => {
  const kArb = fc.integer({ min: 2, max: 12 });
  // Mostly counts near the threshold, sometimes large ones.
  const countArb = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 15 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) },
  );

  it('foldSegments: shown groups reach k, "Other" is 0 or ≥ k, together they are the whole', () => {
    // Segment counts as PostgreSQL returns them: one row per value, each with n ≥ 1.
    const segmentsArb = fc.array(
      countArb.map((n) => n + 1),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(kArb, segmentsArb, (k, counts) => {
        const groups = counts.map((n, i) => ({ key: `s${i}`, n }));
        const total = sum(counts);
        const { shown, other } = foldSegments(groups, k);
        for (const g of shown) expect(g.n).toBeGreaterThanOrEqual(k);
        const otherN = sum(other.map((g) => g.n));
        expect(restOk(otherN, k)).toBe(true);
        if (total >= k) {
          // Nothing is left out: shown and "Other" add up to the whole, each group once.
          expect([...shown, ...other].map((g) => g.key).sort()).toEqual(
            groups.map((g) => g.key).sort(),
          );
        } else expect({ shown, other }).toEqual({ shown: [], other: [] });
        // The largest stay shown: no folded group reaching k is larger than a shown one.
        for (const g of shown)
          for (const h of other) if (h.n >= k) expect(h.n).toBeLessThanOrEqual(g.n);
        // Nothing folds that need not: all shown when every group reaches k.
        if (counts.every((n) => n >= k)) expect(shown).toHaveLength(groups.length);
      }),
      { numRuns: 10_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Against the real application
// ---------------------------------------------------------------------------------------------

interface Segments {
  department: string | null;
  location: string | null;
  tenure_band: string | null;
}

interface GeneratedResponse extends Segments {
  day: number; // index into the run's days
  /**
   * A pulse answer, an answer after a ticket (with its ticket's resolution-time band), or an
   * anonymous review (no segment).
   */
  source: 'pulse' | 'ticket' | 'review';
  band: string | null;
  nps: number | null;
  rating: number | null;
  comment: string | null;
}

interface World {
  parents: (number | null)[];
  year: number;
  month: number;
  days: number[];
  responses: GeneratedResponse[][]; // per team
  weekDay: number; // index into days: the `at` of the week report
}

interface Row extends Segments {
  /** Who gave it (one person per generated response). */
  id: number;
  team: number;
  source: 'pulse' | 'ticket' | 'review';
  band: string | null;
  date: string;
  nps: number | null;
  rating: number | null;
  comment: string | null;
  /** Per dimension, the value its release named for it, or OTHER (see shownRows). */
  groups: Record<string, string>;
}

const OTHER = 'Other';

interface Counts {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
}

type Json = Record<string, unknown>;

const COMMENTS = ['great', 'slow, but kind', 'fixed it', '"quoted"', '=1+1', 'thanks'];
const WITHHELD_TEXT = 'fewer than k responses';
const pad = (x: number) => String(x).padStart(2, '0');
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, days: number) =>
  isoDay(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000));

const responseArb: fc.Arbitrary<GeneratedResponse> = fc.record({
  day: fc.nat(4),
  // About a third of the answers come after tickets or are reviews: the team page shows them apart.
  source: fc.constantFrom<('pulse' | 'ticket' | 'review')[]>(
    'pulse',
    'pulse',
    'pulse',
    'ticket',
    'review',
  ),
  band: fc.option(fc.constantFrom('<4h', '4-24h', '1-3d', '3d+'), { freq: 6, nil: null }),
  // Now and then a response skips the iNPS question or the rating: their counts differ.
  nps: fc.option(fc.integer({ min: 0, max: 10 }), { freq: 8, nil: null }),
  rating: fc.option(fc.integer({ min: 1, max: 5 }), { freq: 4, nil: null }),
  comment: fc.option(fc.constantFrom(...COMMENTS), { freq: 2, nil: null }),
  department: fc.option(fc.constantFrom('Finance', 'Legal', 'Sales'), { freq: 4, nil: null }),
  location: fc.option(fc.constantFrom('Madrid', 'Lisbon'), { freq: 4, nil: null }),
  tenure_band: fc.option(fc.constantFrom('<1y', '1-3y', '3y+'), { freq: 4, nil: null }),
});

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 2, max: 8 }).chain((teams) =>
  fc.record({
    // Team 0 is a root; every other team hangs below an earlier one, or is a root itself.
    parents: fc.tuple(
      ...Array.from({ length: teams }, (_, i) =>
        i === 0
          ? fc.constant(null)
          : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 5, nil: null }),
      ),
    ),
    year: fc.integer({ min: 2023, max: 2025 }),
    month: fc.integer({ min: 1, max: 12 }),
    days: fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 3 }),
    responses: fc.tuple(
      ...Array.from({ length: teams }, () =>
        fc.oneof(
          // Counts near k are where leaks hide; sometimes up to 30.
          { weight: 2, arbitrary: fc.array(responseArb, { maxLength: 8 }) },
          { weight: 1, arbitrary: fc.array(responseArb, { maxLength: 40, size: 'max' }) },
        ),
      ),
    ),
    weekDay: fc.nat(4),
  }),
);

/** The rows the generated world stands for, with real dates. */
function rowsOf(world: World): Row[] {
  const date = (i: number) =>
    `${world.year}-${pad(world.month)}-${pad(world.days[i % world.days.length])}`;
  let id = 0;
  return world.responses.flatMap((list, team) =>
    list.map(({ day, ...r }) => ({ id: id++, team, date: date(day), ...r, groups: {} })),
  );
}

/** A release: one team's answers of one source on one day (one survey per team here). */
const releaseOf = (r: Row) => `${r.team}|${r.date}|${r.source}`;
const DIMENSIONS = ['department', 'location', 'tenure_band', 'resolution_band'] as const;
const valueOf = (r: Row, dimension: (typeof DIMENSIONS)[number]) =>
  (dimension === 'resolution_band' ? r.band : r[dimension]) ?? 'Unknown';
// Pulses name the person's segments, answers after tickets the ticket's band, reviews nothing.
const dimensionsOf = (source: string) =>
  source === 'review'
    ? []
    : DIMENSIONS.filter((d) => (d === 'resolution_band') === (source === 'ticket'));

/**
 * What the reports may show of the generated rows, worked out apart from the application: a
 * release shows a question only when at least k answered it (comments: the comment threshold),
 * else those answers count nowhere; and each release names, per dimension, the values at least m
 * of its iNPS answerers share (the rest folding as release-plan.ts says), every other row of it
 * belonging to "Other". Rows come back with the answers that count, and their groups.
 */
function shownRows(rows: Row[], k: number, commentK: number, m: number): Row[] {
  const count = (keep: (r: Row) => boolean) => {
    const n = new Map<string, number>();
    for (const r of rows.filter(keep)) n.set(releaseOf(r), (n.get(releaseOf(r)) ?? 0) + 1);
    return n;
  };
  const nps = count((r) => r.nps !== null);
  const rating = count((r) => r.rating !== null);
  const comment = count((r) => r.comment !== null);
  const named = new Map<string, Set<string>>();
  for (const release of new Set(rows.map(releaseOf))) {
    const basis = rows.filter((r) => releaseOf(r) === release && r.nps !== null);
    if (basis.length < m) continue;
    for (const dimension of dimensionsOf(basis[0].source)) {
      const people = new Map<string, number>();
      for (const r of basis)
        people.set(valueOf(r, dimension), (people.get(valueOf(r, dimension)) ?? 0) + 1);
      named.set(`${release}|${dimension}`, namedValues(people, m));
    }
  }
  return rows.map((r) => ({
    ...r,
    nps: (nps.get(releaseOf(r)) ?? 0) >= k ? r.nps : null,
    rating: (rating.get(releaseOf(r)) ?? 0) >= k ? r.rating : null,
    comment: (comment.get(releaseOf(r)) ?? 0) >= commentK ? r.comment : null,
    groups: Object.fromEntries(
      dimensionsOf(r.source).map((d) => [
        d,
        named.get(`${releaseOf(r)}|${d}`)?.has(valueOf(r, d)) ? valueOf(r, d) : OTHER,
      ]),
    ),
  }));
}

/**
 * The differencing adversary's notebook: each figure a report showed, as the set of people it
 * covers, by what it measures and by family (the tree of totals, or one breakdown dimension with
 * them). Within a family, differences of figures are all an adversary can take; every class of
 * people that the figures cannot tell apart must hold 0 or at least k of them.
 */
class Figures {
  private readonly seen = new Map<string, Set<number>[]>();

  add(measure: string, family: string, people: Row[]): void {
    if (people.length === 0) return;
    const key = `${measure}|${family}`;
    this.seen.set(key, [...(this.seen.get(key) ?? []), new Set(people.map((r) => r.id))]);
  }

  /** The smallest class of people that the shown figures single out, per measure and family. */
  smallestClasses(): { family: string; size: number; figures: number }[] {
    const out: { family: string; size: number; figures: number }[] = [];
    for (const [key, list] of this.seen) {
      const [measure, family] = key.split('|');
      // The tree's figures count with every family of the same measure.
      const figures =
        family === 'tree' ? list : [...(this.seen.get(`${measure}|tree`) ?? []), ...list];
      const classes = new Map<string, number>();
      for (const id of new Set(figures.flatMap((f) => [...f]))) {
        const signature = figures.map((f) => (f.has(id) ? '1' : '0')).join('');
        classes.set(signature, (classes.get(signature) ?? 0) + 1);
      }
      out.push({ family: key, size: Math.min(...classes.values()), figures: figures.length });
    }
    return out;
  }
}

function subtreeOf(parents: (number | null)[], root: number): Set<number> {
  const ids = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    parents.forEach((p, i) => {
      if (p !== null && ids.has(p) && !ids.has(i)) {
        ids.add(i);
        grew = true;
      }
    });
  }
  return ids;
}

/** The rows of these teams in [from, to) with an answer to `field`. */
function rowsIn(
  rows: Row[],
  teams: Set<number>,
  from: string,
  to: string,
  field: 'nps' | 'rating' | 'comment' = 'nps',
): Row[] {
  return rows.filter(
    (r) => teams.has(r.team) && r.date >= from && r.date < to && r[field] !== null,
  );
}

function countsOf(rows: Row[], teams: Set<number>, from: string, to: string): Counts {
  const scores = rows
    .filter((r) => teams.has(r.team) && r.date >= from && r.date < to && r.nps !== null)
    .map((r) => r.nps as number);
  return {
    n: scores.length,
    promoters: scores.filter((s) => s >= 9).length,
    passives: scores.filter((s) => s === 7 || s === 8).length,
    detractors: scores.filter((s) => s <= 6).length,
  };
}

/** Every object in the report that says whether it is withheld keeps to the threshold. */
function checkCells(value: unknown, k: number, path = '$'): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkCells(v, k, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const cell = value as Json;
  if ('withheld' in cell) {
    if (cell.withheld === true) expect({ path, cell }).toEqual({ path, cell: { withheld: true } });
    else {
      expect({ path, withheld: cell.withheld }).toEqual({ path, withheld: false });
      expect({ path, n: typeof cell.n }).toEqual({ path, n: 'number' });
      expect({ path, reachesK: (cell.n as number) >= k }).toEqual({ path, reachesK: true });
    }
  }
  for (const [key, v] of Object.entries(cell)) checkCells(v, k, `${path}.${key}`);
}

/** A shown iNPS cell holds exactly these counts (NPS to within its rounding to 0.1). */
/**
 * Which teams (and -1 for the organisation) may show their rolled-up figures for a period,
 * worked out independently of anonymity.ts: pages are read side by side, so a team's total
 * minus what its shown descendants (the nearest shown ones) cover must be 0 or reach k.
 */
function shownInModel(
  parents: (number | null)[],
  rows: Row[],
  from: string,
  to: string,
  k: number,
  // What is counted: iNPS answers by default; a question's answers for its own rule.
  counted: (r: Row) => boolean = (r) => r.nps !== null,
): Set<number> {
  const nOf = (teams: Set<number>) =>
    rows.filter((r) => teams.has(r.team) && r.date >= from && r.date < to && counted(r)).length;
  const n = (team: number) =>
    team === -1 ? nOf(new Set(parents.map((_, i) => i))) : nOf(subtreeOf(parents, team));
  const childrenOf = (team: number) => parents.flatMap((p, i) => ((p ?? -1) === team ? [i] : []));
  const shown = new Set<number>();
  const covered = (team: number): number =>
    childrenOf(team).reduce((total, c) => total + (shown.has(c) ? n(c) : covered(c)), 0);
  const visit = (team: number) => {
    childrenOf(team).forEach(visit);
    const leftover = n(team) - covered(team);
    if (n(team) >= k && (leftover === 0 || leftover >= k)) shown.add(team);
  };
  visit(-1);
  return shown;
}

function expectNps(cell: Json, counts: Counts, k: number, where: string): void {
  if (counts.n < k) {
    expect({ where, cell }).toEqual({ where, cell: { withheld: true } });
    return;
  }
  expect({ where, cell: { ...cell, nps: 0, low: 0, high: 0 } }).toEqual({
    where,
    cell: { withheld: false, ...counts, nps: 0, low: 0, high: 0 },
  });
  const exact = (100 * (counts.promoters - counts.detractors)) / counts.n;
  const [nps, low, high] = [cell.nps, cell.low, cell.high] as number[];
  expect({ where, close: Math.abs(nps - exact) <= 0.05 + 1e-9 }).toEqual({ where, close: true });
  expect(low).toBeLessThanOrEqual(nps);
  expect(high).toBeGreaterThanOrEqual(nps);
  expect(low).toBeGreaterThanOrEqual(-100);
  expect(high).toBeLessThanOrEqual(100);
}

describe('team reports against the real application', () => {
  let t: TestApp;
  let k: number;
  let commentK: number;
  let m: number;
  let npsQuestion: string;
  let ratingQuestion: string;
  let textQuestion: string;
  let questionnaireId: string;
  let run = 0;

  beforeAll(async () => {
    t = await startTestApp({
      REPORTING_THRESHOLD: '5',
      COMMENT_THRESHOLD: '5',
      MIX_BATCH_SIZE: '5',
    });
    k = t.config.reportingThreshold;
    commentK = t.config.commentThreshold;
    m = t.config.mixBatchSize;
    const questionnaire = await t.get(SurveysService).createQuestionnaire({
      name: 'Property pulse',
      questions: [
        { type: 'nps', text: { en: 'Would you recommend this team?' } },
        { type: 'rating', text: { en: 'My request was resolved.' } },
        { type: 'text', text: { en: 'Anything else?' } },
      ],
    });
    questionnaireId = questionnaire.id;
    const byType = (type: string) =>
      (questionnaire.questions ?? []).find((q) => q.type === type)?.id as string;
    [npsQuestion, ratingQuestion, textQuestion] = ['nps', 'rating', 'text'].map(byType);
  }, 60_000);
  afterAll(() => t.close());

  /**
   * Creates the teams through TeamsService and inserts the rows directly, set-based, as releases
   * would have written them: responses, the segment aggregates of each release of at least m
   * people (the values it names), and answers. Releases below m, or with a question answered by
   * fewer than k, are written too (as an older database may hold them): they must count nowhere.
   */
  async function build(world: World, rows: Row[]) {
    const tag = `${++run}-${randomBytes(3).toString('hex')}`;
    const slugs = world.parents.map((_, i) => `prop-${tag}-${i}`);
    const names = world.parents.map((_, i) => `Prop ${tag} ${i}`);
    const ids: string[] = [];
    for (let i = 0; i < slugs.length; i++) {
      const parent = world.parents[i];
      const team = await t.get(TeamsService).create({
        slug: slugs[i],
        name: names[i],
        parentSlug: parent === null ? undefined : slugs[parent],
      });
      ids.push(team.id);
    }
    const surveys: { id: string; team_id: string }[] = await t.dataSource.query(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
       SELECT 'property survey', $1, team_id, $2, now() + interval '30 days'
         FROM unnest($3::uuid[]) AS team_id
       RETURNING id, team_id`,
      [questionnaireId, k, ids],
    );
    const surveyOf = new Map(surveys.map((s) => [s.team_id, s.id]));
    const responses = rows.map((r) => ({
      id: randomUUID(),
      survey_id: surveyOf.get(ids[r.team]),
      team_id: ids[r.team],
      source: r.source,
      released_on: r.date,
    }));
    // The segment aggregates: per release of at least m iNPS answerers and dimension, the values
    // it names (every row's group is already worked out by shownRows, with m).
    const named = shownRows(rows, 0, 0, m);
    const cells = new Map<string, { n: number; counts: number[]; row: Row; dimension: string }>();
    for (const r of named) {
      if (r.nps === null) continue;
      const basis = rows.filter((x) => releaseOf(x) === releaseOf(r) && x.nps !== null).length;
      if (basis < m) continue;
      for (const [dimension, group] of Object.entries(r.groups)) {
        if (group === OTHER) continue;
        const key = `${releaseOf(r)}|${dimension}|${group}`;
        const cell = cells.get(key) ?? { n: 0, counts: Array(11).fill(0), row: r, dimension };
        cell.n += 1;
        cell.counts[r.nps] += 1;
        cells.set(key, cell);
      }
    }
    await t.dataSource.query(
      `INSERT INTO response_segment (survey_id, team_id, released_on, source, dimension, value, question_id,
                                     n, score_sum, score_counts)
       SELECT c.survey_id, c.team_id, c.day, c.source, c.dimension, c.value, $2, c.n, c.sum, c.counts
         FROM jsonb_to_recordset($1::jsonb) AS c(survey_id uuid, team_id uuid, day date, source text,
              dimension text, value text, n int, sum int, counts int[])`,
      [
        JSON.stringify(
          [...cells.values()].map((c) => ({
            survey_id: surveyOf.get(ids[c.row.team]),
            team_id: ids[c.row.team],
            day: c.row.date,
            source: c.row.source,
            dimension: c.dimension,
            value: c.row.groups[c.dimension],
            n: c.n,
            sum: c.counts.reduce((total, n, score) => total + n * score, 0),
            counts: `{${c.counts.join(',')}}`,
          })),
        ),
        npsQuestion,
      ],
    );
    const answers = rows.flatMap((r, i) => [
      ...(r.nps === null
        ? []
        : [{ response_id: responses[i].id, question_id: npsQuestion, score: r.nps, text: null }]),
      ...(r.rating === null
        ? []
        : [
            {
              response_id: responses[i].id,
              question_id: ratingQuestion,
              score: r.rating,
              text: null,
            },
          ]),
      ...(r.comment === null
        ? []
        : [
            {
              response_id: responses[i].id,
              question_id: textQuestion,
              score: null,
              text: r.comment,
            },
          ]),
    ]);
    await t.dataSource.query(
      `INSERT INTO response (id, survey_id, team_id, source, released_on)
       SELECT id, survey_id, team_id, source, released_on
         FROM jsonb_to_recordset($1::jsonb)
           AS r(id uuid, survey_id uuid, team_id uuid, source text, released_on date)`,
      [JSON.stringify(responses)],
    );
    await t.dataSource.query(
      `INSERT INTO answer (response_id, question_id, score, text)
       SELECT response_id, question_id, score, text
         FROM jsonb_to_recordset($1::jsonb) AS a(response_id uuid, question_id uuid, score smallint, text text)`,
      [JSON.stringify(answers)],
    );
    return { slugs, names, surveyIds: surveys.map((s) => s.id) };
  }

  async function cleanUp(surveyIds: string[]) {
    await t.dataSource.query(`DELETE FROM response_segment WHERE survey_id = ANY($1::uuid[])`, [
      surveyIds,
    ]);
    await t.dataSource.query(
      `DELETE FROM answer WHERE response_id IN (SELECT id FROM response WHERE survey_id = ANY($1::uuid[]))`,
      [surveyIds],
    );
    await t.dataSource.query(`DELETE FROM response WHERE survey_id = ANY($1::uuid[])`, [surveyIds]);
  }

  /** The period a report must cover, worked out independently of periods.ts. */
  function expectedPeriod(grain: string, at: string): { start: string; end: string } {
    const [y, m] = at.split('-').map(Number);
    if (grain === 'month')
      return {
        start: `${y}-${pad(m)}-01`,
        end: m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`,
      };
    if (grain === 'quarter') {
      const first = Math.floor((m - 1) / 3) * 3 + 1;
      return {
        start: `${y}-${pad(first)}-01`,
        end: first === 10 ? `${y + 1}-01-01` : `${y}-${pad(first + 3)}-01`,
      };
    }
    const weekday = (new Date(`${at}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
    const start = addDays(at, -weekday);
    return { start, end: addDays(start, 7) };
  }

  /** Which (team, period, segment) showed a breakdown, to check none is nested in another. */
  let brokenDown: { team: number; grain: string; at: string; segment: string }[] = [];
  /** Every figure shown in the current world, for the differencing adversary. */
  let figures = new Figures();
  let comparisons = 0;

  /** Every cell of one team's report (JSON and CSV) against the generated rows. */
  async function checkReport(
    world: World,
    rows: Row[],
    built: { slugs: string[]; names: string[] },
    team: number,
    grain: 'week' | 'month' | 'quarter',
    at: string,
  ) {
    const { slugs, names, parents } = { ...built, parents: world.parents };
    const where = `${slugs[team]} ${grain} ${at}`;
    const res = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${slugs[team]}?period=${grain}&at=${at}`,
    });
    expect({ where, status: res.statusCode }).toEqual({ where, status: 200 });
    const report = res.json() as Json;
    expect(report.k).toBe(k);
    checkCells(report, k);

    const period = report.period as Json;
    expect(period).toMatchObject(expectedPeriod(grain, at));
    const from = period.start as string;
    const to = period.end as string;
    const subtree = subtreeOf(parents, team);
    const current = countsOf(rows, subtree, from, to);

    // Headline: the team's total, when the tree rule lets it be shown.
    const shownNow = shownInModel(parents, rows, from, to, k);
    const visible = shownNow.has(team);
    const gated = (counts: Counts): Counts => (visible ? counts : { ...counts, n: 0 });
    expectNps(report.headline as Json, gated(current), k, `${where} headline`);
    const shown = (cell: unknown) => (cell as Json).withheld === false;
    if (shown(report.headline)) figures.add('nps', 'tree', rowsIn(rows, subtree, from, to));

    // Trend: 12 contiguous buckets ending with this period, each exactly its rows.
    const trend = report.trend as { bucket: string; value: Json }[];
    expect(trend).toHaveLength(12);
    expect(trend[11].bucket).toBe(from);
    trend.forEach((point, i) => {
      const end = i < 11 ? trend[i + 1].bucket : to;
      expect(point.bucket < end).toBe(true);
      const counts = countsOf(rows, subtree, point.bucket, end);
      const shownThen = shownInModel(parents, rows, point.bucket, end, k).has(team);
      expectNps(point.value, shownThen ? counts : { ...counts, n: 0 }, k, `${where} trend ${i}`);
      if (shown(point.value)) figures.add('nps', 'tree', rowsIn(rows, subtree, point.bucket, end));
    });
    // The change against the previous period: only between two shown figures, and exactly
    // theirs (significance.ts), so it tells nothing the two figures do not.
    const before = trend[10].value;
    expect({ where, change: report.change }).toEqual({
      where,
      change:
        shown(report.headline) && shown(before)
          ? compareNps(report.headline as never, before as never)
          : null,
    });

    // Distribution: only when the team's n reaches k, and then its scores add up to n.
    const distribution = report.distribution as Json;
    if (!visible) expect(distribution).toEqual({ withheld: true });
    else {
      const scores = distribution.scores as { score: number; n: number }[];
      expect(distribution.n).toBe(current.n);
      expect(sum(scores.map((s) => s.n))).toBe(current.n);
      const inPeriod = rows.filter(
        (r) => subtree.has(r.team) && r.date >= from && r.date < to && r.nps !== null,
      );
      expect(scores.map((s) => s.n)).toEqual(
        Array.from({ length: 11 }, (_, s) => inPeriod.filter((r) => r.nps === s).length),
      );
    }

    // The rating question.
    const rated = rows
      .filter((r) => subtree.has(r.team) && r.date >= from && r.date < to && r.rating !== null)
      .map((r) => r.rating as number);
    const questions = report.questions as { id: string; result: Json }[];
    expect(questions.map((q) => q.id)).toEqual(rated.length > 0 ? [ratingQuestion] : []);
    if (rated.length > 0) {
      const result = questions[0].result;
      // The tree rule again, on the rating's own counts (it is optional, so they differ).
      const ratingShown = shownInModel(parents, rows, from, to, k, (r) => r.rating !== null);
      if (rated.length < k || !visible || !ratingShown.has(team))
        expect(result).toEqual({ withheld: true });
      else {
        expect(result.n).toBe(rated.length);
        figures.add('rating', 'tree', rowsIn(rows, subtree, from, to, 'rating'));
        // Rounded to 0.01 and 0.1.
        const mean = sum(rated) / rated.length;
        const csat = (100 * rated.filter((r) => r >= 4).length) / rated.length;
        expect(Math.abs((result.mean as number) - mean)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(Math.abs((result.csat as number) - csat)).toBeLessThanOrEqual(0.05 + 1e-9);
      }
    }

    // Comments.
    const comments = rows.filter(
      (r) => subtree.has(r.team) && r.date >= from && r.date < to && r.comment !== null,
    );
    const commentCell = report.comments as Json;
    const commentsShown = shownInModel(
      parents,
      rows,
      from,
      to,
      commentK,
      (r) => r.comment !== null,
    );
    if (comments.length < commentK || !visible || !commentsShown.has(team))
      expect(commentCell).toEqual({ withheld: true });
    else {
      expect(commentCell.n).toBe(comments.length);
      figures.add('comment', 'tree', comments);
      expect(commentCell.shown).toBe(Math.min(30, comments.length));
      for (const text of commentCell.texts as string[]) expect(COMMENTS).toContain(text);
    }
    // Themes and search of the same comments, under the same rule (comment-themes-check.ts).
    await checkCommentThemes(t, slugs[team], grain, at, {
      where,
      withheld: commentCell.withheld === true,
      texts: comments.map((r) => r.comment as string),
      commentK,
    });

    // No invitations were sent: the response rate has nothing to show.
    expect(report.responseRate).toEqual({ withheld: true });

    // Sub-teams: the shown ones reach k, and the rest — the team's own responses and the hidden
    // sub-teams — is 0 or reaches k whenever anything is shown.
    const children = parents.flatMap((p, i) => (p === team ? [i] : []));
    const subTeams = report.subTeams as { slug: string; name: string; value: Json }[];
    expect(subTeams.map((s) => s.slug).sort()).toEqual(children.map((c) => slugs[c]).sort());
    const childN = new Map(
      children.map((c) => [slugs[c], countsOf(rows, subtreeOf(parents, c), from, to)]),
    );
    // Each sub-team shows exactly what its own page shows.
    for (const c of children) {
      const cell = (subTeams.find((s) => s.slug === slugs[c]) as { value: Json }).value;
      const counts = childN.get(slugs[c]) as Counts;
      expectNps(
        cell,
        shownNow.has(c) ? counts : { ...counts, n: 0 },
        k,
        `${where} sub-team ${slugs[c]}`,
      );
      if (shown(cell)) figures.add('nps', 'tree', rowsIn(rows, subtreeOf(parents, c), from, to));
    }
    // And what the shown sub-teams leave of a shown team is 0 or reaches k (checked on the API's
    // own answers, with the model's cover of hidden sub-teams).
    if (visible) {
      const leftover =
        current.n -
        sum(subTeams.filter((s) => s.value.withheld === false).map((s) => s.value.n as number));
      const hiddenChildren = children.filter((c) => !shownNow.has(c));
      const ownAndHidden =
        countsOf(rows, new Set([team]), from, to).n +
        sum(hiddenChildren.map((c) => (childN.get(slugs[c]) as Counts).n));
      expect(leftover).toBe(ownAndHidden);
    }

    // Comparisons: with the parent (if any) and the whole organisation (every team of this run:
    // earlier runs' responses are gone).
    const comparison = report.comparison as { label: string; value: Json }[];
    const parent = parents[team];
    const wholes: { label: string; teams: Set<number> }[] = [
      ...(parent === null ? [] : [{ label: names[parent], teams: subtreeOf(parents, parent) }]),
      { label: 'Whole organisation', teams: new Set(parents.map((_, i) => i)) },
    ];
    expect(comparison.map((c) => c.label)).toEqual(wholes.map((w) => w.label));
    wholes.forEach((whole, i) => {
      const counts = countsOf(rows, whole.teams, from, to);
      const allowed =
        visible &&
        shownInModel(parents, rows, from, to, k).has(i === 0 && parent !== null ? parent : -1);
      const cell = comparison[i].value;
      if (!allowed)
        expect({ where, whole: whole.label, cell }).toEqual({
          where,
          whole: whole.label,
          cell: { withheld: true },
        });
      else {
        expectNps(cell, counts, k, `${where} comparison ${whole.label}`);
        if (shown(cell)) figures.add('nps', 'tree', rowsIn(rows, whole.teams, from, to));
      }
    });

    // Breakdowns by respondent segment: each shown value exactly its rows and ≥ k; small ones
    // folded into "Other" (≥ k); shown values and "Other" add up to the headline, so nothing is
    // left to subtract; nothing at all while the team's n is below k.
    const breakdowns = (report.breakdowns ?? []) as {
      segment: keyof Segments;
      label: string;
      onSubTeams: boolean;
      groups: { label: string; value: Json }[];
    }[];
    const answeredNps = rows.filter(
      (r) => subtree.has(r.team) && r.date >= from && r.date < to && r.nps !== null,
    );
    for (const b of breakdowns) {
      const inB = `${where} breakdown ${b.segment}`;
      // The values releases named; the rest of each release is "Other" from the start.
      const groupOf = (r: Row) => r.groups[b.segment];
      const values = new Set(answeredNps.map(groupOf).filter((v) => v !== OTHER));
      const countsFor = (keep: (r: Row) => boolean) =>
        countsOf(answeredNps.filter(keep), subtree, from, to);
      if (!visible || b.onSubTeams) expect({ inB, groups: b.groups }).toEqual({ inB, groups: [] });
      if (b.groups.length === 0) continue;
      brokenDown.push({ team, grain, at, segment: b.segment });
      const shownValues = b.groups.filter((g) => g.label !== 'Other').map((g) => g.label);
      for (const g of b.groups) {
        expect({ inB, group: g.label, withheld: g.value.withheld }).toEqual({
          inB,
          group: g.label,
          withheld: false,
        });
        const covered = answeredNps.filter((r) =>
          g.label === OTHER ? !shownValues.includes(groupOf(r)) : groupOf(r) === g.label,
        );
        figures.add('nps', b.segment, covered);
        if (g.label === OTHER)
          expectNps(
            g.value,
            countsFor((r) => covered.includes(r)),
            k,
            `${inB} Other`,
          );
        else {
          expect(values.has(g.label)).toBe(true);
          expectNps(
            g.value,
            countsFor((r) => groupOf(r) === g.label),
            k,
            inB,
          );
        }
      }
      expect({ inB, total: sum(b.groups.map((g) => g.value.n as number)) }).toEqual({
        inB,
        total: current.n,
      });
      // Nothing folds that need not: all shown, no "Other", when every named value reaches k
      // and releases named everyone.
      if (
        !b.onSubTeams &&
        answeredNps.every((r) => groupOf(r) !== OTHER) &&
        [...values].every((v) => countsFor((r) => groupOf(r) === v).n >= k)
      )
        expect(b.groups.map((g) => g.label).sort()).toEqual([...values].sort());
    }

    // The CSV export: the same report; no group size in the "responses" column below k (the
    // per-score counts of a shown distribution and the option counts of a shown question are
    // parts of a cell that reaches k, as in the JSON).
    const csv = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${slugs[team]}/csv?period=${grain}&at=${at}`,
    });
    expect(csv.statusCode).toBe(200);
    const table = parse(csv.body) as string[][];
    expect(table[0]).toEqual(['section', 'label', 'responses', 'value', 'low (95%)', 'high (95%)']);
    const body = table.slice(1);
    const PARTS = ['distribution', 'question option'];
    for (const [section, label, responses] of body) {
      if (PARTS.includes(section) || responses === WITHHELD_TEXT) continue;
      expect({ where, section, label, responses, groupSize: /^\d+$/.test(responses) }).toEqual({
        where,
        section,
        label,
        responses,
        groupSize: true,
      });
      expect({ where, section, label, reachesK: Number(responses) >= k }).toEqual({
        where,
        section,
        label,
        reachesK: true,
      });
    }
    // Row by row, the same numbers as the JSON (in any order).
    const size = (cell: Json) => (cell.withheld === false ? String(cell.n) : WITHHELD_TEXT);
    const expectedRows: string[][] = [
      ['headline iNPS', period.label as string, size(report.headline as Json)],
      ...(report.trend as { label: string; value: Json }[]).map((p) => [
        'trend iNPS',
        p.label,
        size(p.value),
      ]),
      ...subTeams.map((s) => ['sub-team iNPS', s.name, size(s.value)]),
      ...comparison.map((c) => ['comparison iNPS', c.label, size(c.value)]),
      ...breakdowns.flatMap((b) =>
        b.groups.map((g) => [`${b.label} iNPS`, g.label, size(g.value)]),
      ),
      ...(distribution.withheld === false
        ? (distribution.scores as { score: number; n: number }[]).map((s) => [
            'distribution',
            `score ${s.score}`,
            String(s.n),
          ])
        : [['distribution', 'all scores', WITHHELD_TEXT]]),
      ...(report.questions as { text: string; result: Json }[]).map((q) => [
        'question',
        q.text,
        size(q.result),
      ]),
    ];
    const byText = (a: string[], b: string[]) => a.join('\u0000').localeCompare(b.join('\u0000'));
    expect(
      body
        .filter(([section]) => section !== 'question option')
        .map((r) => r.slice(0, 3))
        .sort(byText),
    ).toEqual(expectedRows.sort(byText));
  }

  /**
   * The "after tickets" part of one team's page against the generated ticket answers: the same
   * rules as the rest (k, the tree rule, folding), for periods that have closed (all of the
   * generated ones have), beside the pulses' iNPS of the same period.
   */
  async function checkTicketReport(
    world: World,
    tickets: Row[],
    pulses: Row[],
    reviews: Row[],
    built: { slugs: string[] },
    team: number,
    grain: 'week',
    at: string,
  ) {
    const { parents } = world;
    const where = `${built.slugs[team]} tickets ${grain} ${at}`;
    const res = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${built.slugs[team]}/tickets?period=${grain}&at=${at}`,
    });
    expect({ where, status: res.statusCode }).toEqual({ where, status: 200 });
    const report = res.json() as Json;
    checkCells(report, k);
    const period = report.period as Json;
    expect(period).toMatchObject({ ...expectedPeriod(grain, at), closed: true });
    const from = period.start as string;
    const to = period.end as string;
    const subtree = subtreeOf(parents, team);
    const shownNow = shownInModel(parents, tickets, from, to, k);
    const visible = shownNow.has(team);
    const current = countsOf(tickets, subtree, from, to);

    // The split: pulses, tickets and reviews, each its own rows under its own tree rule.
    const [pulse, ticket, review] = report.sources as { source: string; value: Json }[];
    expect(report.sources).toHaveLength(3);
    const reviewCounts = countsOf(reviews, subtree, from, to);
    const reviewShown = shownInModel(parents, reviews, from, to, k).has(team);
    expectNps(
      review.value,
      reviewShown ? reviewCounts : { ...reviewCounts, n: 0 },
      k,
      `${where} review`,
    );
    const pulseCounts = countsOf(pulses, subtree, from, to);
    const pulseShown = shownInModel(parents, pulses, from, to, k).has(team);
    expectNps(
      pulse.value,
      pulseShown ? pulseCounts : { ...pulseCounts, n: 0 },
      k,
      `${where} pulse`,
    );
    expectNps(ticket.value, visible ? current : { ...current, n: 0 }, k, `${where} ticket`);
    const shown = (cell: unknown) => (cell as Json).withheld === false;
    if (shown(pulse.value)) figures.add('nps', 'tree', rowsIn(pulses, subtree, from, to));
    if (shown(ticket.value)) figures.add('ticket', 'tree', rowsIn(tickets, subtree, from, to));
    if (shown(review.value)) figures.add('review', 'tree', rowsIn(reviews, subtree, from, to));

    // Trend: each closed bucket its own ticket rows.
    const trend = report.trend as { bucket: string; closed: boolean; value: Json }[];
    expect(trend).toHaveLength(12);
    trend.forEach((point, i) => {
      const end = i < 11 ? trend[i + 1].bucket : to;
      expect(point.closed).toBe(true);
      const counts = countsOf(tickets, subtree, point.bucket, end);
      const shownThen = shownInModel(parents, tickets, point.bucket, end, k).has(team);
      expectNps(point.value, shownThen ? counts : { ...counts, n: 0 }, k, `${where} trend ${i}`);
      if (shown(point.value))
        figures.add('ticket', 'tree', rowsIn(tickets, subtree, point.bucket, end));
    });

    // By resolution band: shown bands and "Other" reach k and add up to the team's ticket iNPS.
    const bands = report.bands as { onSubTeams: boolean; groups: { label: string; value: Json }[] };
    if (!visible || bands.onSubTeams)
      expect({ where, groups: bands.groups }).toEqual({ where, groups: [] });
    if (bands.groups.length > 0) {
      brokenDown.push({ team, grain, at, segment: 'resolution_band' });
      const answered = tickets.filter(
        (r) => subtree.has(r.team) && r.date >= from && r.date < to && r.nps !== null,
      );
      const named = bands.groups.filter((g) => g.label !== OTHER).map((g) => g.label);
      // The band its release named, else "Other".
      const bandOf = (r: Row) => r.groups.resolution_band;
      for (const g of bands.groups) {
        const covered = answered.filter((r) =>
          g.label === OTHER ? !named.includes(bandOf(r)) : bandOf(r) === g.label,
        );
        figures.add('ticket', 'resolution_band', covered);
        expectNps(g.value, countsOf(covered, subtree, from, to), k, `${where} band ${g.label}`);
      }
      expect({ where, total: sum(bands.groups.map((g) => g.value.n as number)) }).toEqual({
        where,
        total: current.n,
      });
    }

    // Comments after tickets: the comment threshold and its own tree rule.
    const comments = tickets.filter(
      (r) => subtree.has(r.team) && r.date >= from && r.date < to && r.comment !== null,
    );
    const commentsShown = shownInModel(
      parents,
      tickets,
      from,
      to,
      commentK,
      (r) => r.comment !== null,
    );
    const cell = report.comments as Json;
    if (comments.length < commentK || !visible || !commentsShown.has(team))
      expect(cell).toEqual({ withheld: true });
    else expect(cell).toMatchObject({ withheld: false, n: comments.length });
  }

  /**
   * The "anonymous reviews" part of one team's page against the generated reviews: iNPS, trend
   * and comments under the same rules (k, the tree rule, the comment threshold, closed periods).
   */
  async function checkReviewReport(
    world: World,
    reviews: Row[],
    built: { slugs: string[] },
    team: number,
    grain: 'week' | 'month',
    at: string,
  ) {
    const { parents } = world;
    const where = `${built.slugs[team]} reviews ${grain} ${at}`;
    const res = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${built.slugs[team]}/reviews?period=${grain}&at=${at}`,
    });
    expect({ where, status: res.statusCode }).toEqual({ where, status: 200 });
    const report = res.json() as Json;
    checkCells(report, k);
    const period = report.period as Json;
    expect(period).toMatchObject({ ...expectedPeriod(grain, at), closed: true });
    const from = period.start as string;
    const to = period.end as string;
    const subtree = subtreeOf(parents, team);
    const visible = shownInModel(parents, reviews, from, to, k).has(team);
    const current = countsOf(reviews, subtree, from, to);
    expectNps(report.value as Json, visible ? current : { ...current, n: 0 }, k, where);
    const shown = (cell: unknown) => (cell as Json).withheld === false;
    if (shown(report.value)) figures.add('review', 'tree', rowsIn(reviews, subtree, from, to));
    const trend = report.trend as { bucket: string; closed: boolean; value: Json }[];
    expect(trend).toHaveLength(12);
    trend.forEach((point, i) => {
      const end = i < 11 ? trend[i + 1].bucket : to;
      const counts = countsOf(reviews, subtree, point.bucket, end);
      const shownThen = shownInModel(parents, reviews, point.bucket, end, k).has(team);
      expectNps(point.value, shownThen ? counts : { ...counts, n: 0 }, k, `${where} trend ${i}`);
      if (shown(point.value))
        figures.add('review', 'tree', rowsIn(reviews, subtree, point.bucket, end));
    });
    // Comments of the one open question: listed when a release showed some; shown per the
    // comment threshold and its own tree rule.
    const comments = reviews.filter(
      (r) => subtree.has(r.team) && r.date >= from && r.date < to && r.comment !== null,
    );
    const questions = report.questions as { comments: Json }[];
    if (comments.length === 0) expect({ where, questions }).toEqual({ where, questions: [] });
    else {
      expect({ where, n: questions.length }).toEqual({ where, n: 1 });
      const commentsShown = shownInModel(
        parents,
        reviews,
        from,
        to,
        commentK,
        (r) => r.comment !== null,
      );
      const cell = questions[0].comments;
      if (comments.length < commentK || !visible || !commentsShown.has(team))
        expect({ where, cell }).toEqual({ where, cell: { withheld: true } });
      else expect(cell).toMatchObject({ withheld: false, n: comments.length });
    }
  }

  const RUNS = 60;

  it(`every cell of every report keeps to k and matches the generated rows (${RUNS} worlds)`, async () => {
    let reports = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const rows = rowsOf(world);
        const built = await build(world, rows);
        // What the reports may show of them (releases below k count nowhere), apart from the app.
        const visibleRows = shownRows(rows, k, commentK, m);
        // The team page's main figures are the pulses'; answers after tickets have their own part.
        const pulses = visibleRows.filter((r) => r.source === 'pulse');
        const tickets = visibleRows.filter((r) => r.source === 'ticket');
        const reviews = visibleRows.filter((r) => r.source === 'review');
        figures = new Figures();
        try {
          const month = `${world.year}-${pad(world.month)}`;
          const weekAt = `${month}-${pad(world.days[world.weekDay % world.days.length])}`;
          brokenDown = [];
          for (let team = 0; team < world.parents.length; team++) {
            await checkReport(world, pulses, built, team, 'month', `${month}-15`);
            await checkReport(world, pulses, built, team, 'week', weekAt);
            await checkReport(world, pulses, built, team, 'quarter', `${month}-01`);
            await checkTicketReport(world, tickets, pulses, reviews, built, team, 'week', weekAt);
            await checkReviewReport(world, reviews, built, team, 'week', weekAt);
            await checkReviewReport(world, reviews, built, team, 'month', `${month}-15`);
            reports += 6;
          }
          // A segment is broken down at most once on any path of the tree: no breakdown can be
          // subtracted from another one that contains it.
          for (const a of brokenDown)
            for (const b of brokenDown)
              if (a !== b && a.grain === b.grain && a.at === b.at && a.segment === b.segment)
                expect({
                  nested: subtreeOf(world.parents, a.team).has(b.team),
                  a,
                  b,
                }).toEqual({ nested: false, a, b });
          // The differencing adversary: every figure shown, of every team, grain and source, side
          // by side. No class of people they cannot tell apart is smaller than the threshold.
          for (const found of figures.smallestClasses()) {
            const threshold = found.family.startsWith('comment') ? commentK : k;
            expect({ ...found, ok: found.size >= threshold }).toEqual({ ...found, ok: true });
            comparisons += (found.figures * (found.figures - 1)) / 2;
          }
        } finally {
          await cleanUp(built.surveyIds);
        }
      }),
      // Bounded by the number of worlds, not by the clock: a slow machine takes longer, and passes.
      { numRuns: RUNS },
    );
    expect(reports).toBeGreaterThanOrEqual(RUNS * 2 * 4);
    // Themes and search were checked with comments shown, themes listed and words found.
    expect(Math.min(...Object.values(commentThemeChecks))).toBeGreaterThan(0);
    // Thousands of pairs of figures were set side by side.
    expect(comparisons).toBeGreaterThan(5000);
    // Only so that a run that hangs ends; RUNS worlds take a fraction of it.
  }, 1_200_000);

  /** A fixed world for the cases below: iNPS scores per team, all on 2024-06-03. */
  async function fixedWorld(parents: (number | null)[], scores: number[][]) {
    const world: World = {
      parents,
      year: 2024,
      month: 6,
      days: [3],
      weekDay: 0,
      responses: scores.map((list) =>
        list.map((nps) => ({
          day: 0,
          source: 'pulse' as const,
          band: null,
          nps,
          rating: null,
          comment: null,
          department: null,
          location: null,
          tenure_band: null,
        })),
      ),
    };
    const built = await build(world, rowsOf(world));
    const report = async (team: number) =>
      (
        await t.api({
          method: 'GET',
          url: `/api/v1/reports/teams/${built.slugs[team]}?period=month&at=2024-06-03`,
        })
      ).json() as Json;
    return { built, report };
  }

  it('answers after tickets and reviews stay withheld while their period is open, however many there are', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [year, month, day] = today.split('-').map(Number);
    const lastWeek = addDays(today, -7);
    const answer = (
      source: 'pulse' | 'ticket' | 'review',
      dayIndex: number,
    ): GeneratedResponse => ({
      day: dayIndex,
      source,
      band: '<4h',
      nps: 10,
      rating: null,
      comment: 'fixed it',
      department: null,
      location: null,
      tenure_band: null,
    });
    const world: World = {
      parents: [null],
      year,
      month,
      days: [day],
      weekDay: 0,
      responses: [
        [
          ...Array.from({ length: 8 }, () => answer('ticket', 0)),
          ...Array.from({ length: 6 }, () => answer('pulse', 0)),
          ...Array.from({ length: 7 }, () => answer('review', 0)),
        ],
      ],
    };
    // Eight more after tickets a week ago: that week has closed.
    const rows = [
      ...rowsOf(world),
      ...Array.from({ length: 8 }, (_, i) => {
        const { day: _day, ...fields } = answer('ticket', 0);
        return { ...fields, id: 1000 + i, team: 0, date: lastWeek, groups: {} } as Row;
      }),
    ];
    const built = await build(world, rows);
    try {
      const get = async (at: string) =>
        (
          await t.api({
            method: 'GET',
            url: `/api/v1/reports/teams/${built.slugs[0]}/tickets?period=week&at=${at}`,
          })
        ).json() as Json;
      const now = await get(today);
      expect((now.period as Json).closed).toBe(false);
      const [pulse, ticket, review] = (now.sources as { value: Json }[]).map((s) => s.value);
      expect(pulse).toMatchObject({ withheld: false, n: 6 });
      expect(ticket).toEqual({ withheld: true });
      expect(review).toEqual({ withheld: true });
      const reviews = (
        await t.api({
          method: 'GET',
          url: `/api/v1/reports/teams/${built.slugs[0]}/reviews?period=week&at=${today}`,
        })
      ).json() as Json;
      expect(reviews.value).toEqual({ withheld: true });
      expect((reviews.trend as { value: Json }[])[11].value).toEqual({ withheld: true });
      expect(JSON.stringify(reviews)).not.toContain('fixed it');
      expect(now.bands).toEqual({ onSubTeams: false, groups: [] });
      expect(now.comments).toEqual({ withheld: true });
      const trend = now.trend as { closed: boolean; value: Json }[];
      expect(trend[11]).toMatchObject({ closed: false, value: { withheld: true } });
      expect(trend[10]).toMatchObject({ closed: true, value: { withheld: false, n: 8 } });
      const before = await get(lastWeek);
      expect((before.sources as { value: Json }[])[1].value).toMatchObject({
        withheld: false,
        n: 8,
      });
      expect((before.bands as { groups: { label: string }[] }).groups.map((g) => g.label)).toEqual([
        '<4h',
      ]);
      // The pulse page never counts them.
      const page = (
        await t.api({
          method: 'GET',
          url: `/api/v1/reports/teams/${built.slugs[0]}?period=week&at=${today}`,
        })
      ).json() as Json;
      expect(page.headline).toMatchObject({ withheld: false, n: 6 });
    } finally {
      await cleanUp(built.surveyIds);
    }
  });

  it('two comparisons in one report do not reveal what lies between the parent and the organisation', async () => {
    // P (0) ⊃ T (1); X (2) is another root. T: 5 responses, P itself: 5, X: one, a promoter.
    const { built, report } = await fixedWorld(
      [null, 0, null],
      [[8, 8, 8, 8, 8], [8, 8, 8, 8, 8], [10]],
    );
    try {
      const r = await report(1);
      expect(r.headline).toMatchObject({ withheld: false, n: 5 });
      const [parent, organisation] = (r.comparison as { value: Json }[]).map((c) => c.value);
      // The parent (10) and the organisation (11) side by side would give away X's single
      // answer (11 − 10). This was a leak found by this file. Now X's answer, a release of one,
      // counts nowhere: the organisation is the parent's 10.
      expect(parent).toMatchObject({ withheld: false, n: 10 });
      expect(organisation).toMatchObject({ withheld: false, n: 10 });
      if (parent.withheld === false && organisation.withheld === false) {
        const between = {
          n: (organisation.n as number) - (parent.n as number),
          promoters: (organisation.promoters as number) - (parent.promoters as number),
        };
        expect({ between, ok: restOk(between.n, k) }).toEqual({ between, ok: true });
      }
    } finally {
      await cleanUp(built.surveyIds);
    }
  });

  it("a parent's own responses cannot be worked out from its report and a sub-team's", async () => {
    // P (0) answered once itself (a detractor); its only sub-team C (1) had 5 promoters.
    const { built, report } = await fixedWorld([null, 0], [[0], [10, 10, 10, 10, 10]]);
    try {
      const p = await report(0);
      const c = await report(1);
      // C is shown on its own page (and beside P); P's total would give away P's one own answer
      // by subtraction (a leak across pages, found by this file). Now that answer, a release of
      // one, counts nowhere: P's total is C's, and nothing is left to subtract.
      expect(c.headline).toMatchObject({ withheld: false, n: 5 });
      expect(p.headline).toMatchObject({ withheld: false, n: 5, detractors: 0 });
      const [ph, ch] = [p.headline as Json, c.headline as Json];
      if (ph.withheld === false && ch.withheld === false) {
        const own = {
          n: (ph.n as number) - (ch.n as number),
          detractors: (ph.detractors as number) - (ch.detractors as number),
        };
        expect({ own, ok: restOk(own.n, k) }).toEqual({ own, ok: true });
      }
    } finally {
      await cleanUp(built.surveyIds);
    }
  });
  const DIRECTORY_RUNS = 20;

  it(`the service directory shows a team's quarter as its report does, withheld exactly when the report withholds it (${DIRECTORY_RUNS} worlds)`, async () => {
    const clock = t.get(ServicesClock);
    const directory = t.get(ServicesService);
    let compared = 0;
    let shownSeen = 0;
    let withheldSeen = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const built = await build(world, rowsOf(world));
        const quarterMonth = Math.floor((world.month - 1) / 3) * 3 + 1;
        const quarter = `${world.year}-${pad(quarterMonth)}-01`;
        // The directory shows the last closed quarter: its clock stands in the next one.
        clock.fix(new Date(Date.UTC(world.year, quarterMonth - 1 + 3, 10, 12)));
        try {
          for (const slug of built.slugs) {
            const url = `/api/v1/reports/teams/${slug}`;
            const query = `?period=quarter&at=${quarter}`;
            const report = (await t.api({ method: 'GET', url: url + query })).json() as {
              period: { label: string };
              headline: { withheld: boolean; nps?: number };
            };
            const tickets = (
              await t.api({ method: 'GET', url: `${url}/tickets${query}` })
            ).json() as { sources: { source: string; value: unknown }[] };
            const page = await directory.teamPage(slug, 'en');
            expect(page.satisfaction.quarter).toBe(report.period.label);
            // As the API sends it (JSON writes -0 as 0).
            const sent = (cell: unknown) => JSON.parse(JSON.stringify(cell)) as unknown;
            expect(sent(page.satisfaction.pulse)).toEqual(report.headline);
            const ticketCell = tickets.sources.find((s) => s.source === 'ticket');
            expect(sent(page.satisfaction.ticket)).toEqual(ticketCell?.value);
            // And the page says so: the figure, or that there are not enough answers.
            const html = (await t.request({ method: 'GET', url: `/services/${slug}` })).body;
            const part = html.slice(
              html.indexOf('id="satisfaction-pulse"'),
              html.indexOf('id="satisfaction-ticket"'),
            );
            if (report.headline.withheld) {
              expect(part).toContain('Not enough answers to show.');
              expect(part).not.toContain('nps-value');
              withheldSeen++;
            } else {
              expect(part).toContain(
                `<span class="nps-value" dir="ltr">${report.headline.nps}</span>`,
              );
              shownSeen++;
            }
            compared++;
          }
        } finally {
          clock.fix(undefined);
          await cleanUp(built.surveyIds);
        }
      }),
      { numRuns: DIRECTORY_RUNS },
    );
    expect(compared).toBeGreaterThanOrEqual(DIRECTORY_RUNS * 2);
    // Both sides of the rule were met.
    expect(shownSeen).toBeGreaterThan(0);
    expect(withheldSeen).toBeGreaterThan(0);
  }, 600_000);
  it('the directory withholds a quarter the tree rule hides, though the team has k answers', async () => {
    // P answered 3 times itself, in a survey launched with k = 3 (a release of 3 counts); its
    // sub-team C 5 times. P's total (8) reaches k = 5, but P minus C would be 3 people: the
    // report withholds P, and so must the directory.
    const tag = randomBytes(3).toString('hex');
    const teams = t.get(TeamsService);
    const p = await teams.create({ slug: `dir-p-${tag}`, name: `Dir P ${tag}` });
    const c = await teams.create({
      slug: `dir-c-${tag}`,
      name: `Dir C ${tag}`,
      parentSlug: p.slug,
    });
    const surveys: { id: string; team_id: string }[] = await t.dataSource.query(
      `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
       VALUES ('dir', $1, $2, 3, now() + interval '30 days'), ('dir', $1, $3, 5, now() + interval '30 days')
       RETURNING id, team_id`,
      [questionnaireId, p.id, c.id],
    );
    const surveyOf = new Map(surveys.map((x) => [x.team_id, x.id]));
    const rows = [
      ...Array.from({ length: 3 }, () => ({ team: p.id, score: 10 })),
      ...Array.from({ length: 5 }, () => ({ team: c.id, score: 0 })),
    ].map((r) => ({ ...r, id: randomUUID() }));
    await t.dataSource.query(
      `INSERT INTO response (id, survey_id, team_id, source, released_on)
       SELECT id, survey_id, team_id, 'pulse', '2024-05-10'
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, survey_id uuid, team_id uuid)`,
      [
        JSON.stringify(
          rows.map((r) => ({ id: r.id, survey_id: surveyOf.get(r.team), team_id: r.team })),
        ),
      ],
    );
    await t.dataSource.query(
      `INSERT INTO answer (response_id, question_id, score)
       SELECT id, $2, score FROM jsonb_to_recordset($1::jsonb) AS a(id uuid, score smallint)`,
      [JSON.stringify(rows.map((r) => ({ id: r.id, score: r.score }))), npsQuestion],
    );
    const clock = t.get(ServicesClock);
    clock.fix(new Date('2024-08-10T12:00:00Z'));
    try {
      for (const [slug, shown] of [
        [p.slug, false],
        [c.slug, true],
      ] as const) {
        const report = (
          await t.api({
            method: 'GET',
            url: `/api/v1/reports/teams/${slug}?period=quarter&at=2024-04-01`,
          })
        ).json() as { headline: { withheld: boolean } };
        expect(report.headline.withheld).toBe(!shown);
        const page = await t.get(ServicesService).teamPage(slug, 'en');
        expect(JSON.parse(JSON.stringify(page.satisfaction.pulse))).toEqual(report.headline);
      }
    } finally {
      clock.fix(undefined);
      await cleanUp(surveys.map((x) => x.id));
    }
  });
  const DIGEST_RUNS = 20;

  it(`the weekly digest shows each team's month as its report does, withheld exactly when the report withholds it (${DIGEST_RUNS} worlds)`, async () => {
    const digest = t.get(DigestReportService);
    let compared = 0;
    let shownSeen = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const built = await build(world, rowsOf(world));
        const at = `${world.year}-${pad(world.month)}-01`;
        try {
          const figures = await digest.figures('month', at);
          for (const slug of built.slugs) {
            const report = (
              await t.api({
                method: 'GET',
                url: `/api/v1/reports/teams/${slug}?period=month&at=${at}`,
              })
            ).json() as {
              headline: { withheld: boolean };
              responseRate: { withheld: boolean };
              comments: { withheld: boolean; n?: number };
              trend: { value: { withheld: boolean } }[];
            };
            const team = figures.teams.find((f) => f.slug === slug)!;
            const sent = (cell: unknown) => JSON.parse(JSON.stringify(cell)) as unknown;
            // The same cells as the page: shown or withheld alike, and the same numbers.
            expect(sent(team.nps)).toEqual(report.headline);
            expect(sent(team.responseRate)).toEqual(report.responseRate);
            expect(team.comments.withheld).toBe(report.comments.withheld);
            if (!team.comments.withheld) {
              expect(team.comments.count).toBe(report.comments.n);
              expect(team.comments.count).toBeGreaterThanOrEqual(commentK);
            }
            // A change only between two shown months (each of at least k people).
            const previous = report.trend[10].value;
            expect(team.change === undefined).toBe(report.headline.withheld || previous.withheld);
            if (!team.nps.withheld) {
              expect(team.nps.n).toBeGreaterThanOrEqual(k);
              shownSeen++;
            }
            compared++;
          }
        } finally {
          await cleanUp(built.surveyIds);
        }
      }),
      { numRuns: DIGEST_RUNS },
    );
    expect(compared).toBeGreaterThanOrEqual(DIGEST_RUNS * 2);
    expect(shownSeen).toBeGreaterThan(0);
  }, 600_000);
});
