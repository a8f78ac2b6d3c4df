import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { TeamsService } from '../../src/modules/teams/teams.service';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Participation (who answered, counted) as a differencing adversary reads it: every response
 * rate of every team, grain and period, and every survey's count in the survey list, side by
 * side, knowing who was invited and when each mail went out. A person's participation is theirs
 * alone, like their answer: no combination of those figures may isolate fewer than k people.
 *
 * Over generated organisations: pulse surveys about each team, closing on various days, some
 * released and some not yet, with invitations mailed on any day of the quarter (a second send,
 * a mail retried, a send window in another time zone) and answered by anywhere from none to all
 * — small ones included; and monthly surveys after tickets and of anonymous reviews. The rows are written as releases
 * would have left them (an invitation is answered only once its release ran). Every figure the
 * API shows is checked against the rule worked out here, apart from the application: a pulse
 * survey counts whole, in the period of its release (the day it closed), and only when at least
 * its k answered; surveys after tickets and of reviews show no answered count (their answers are
 * released per team and period, across months). Then the adversary sets the figures side by side.
 */
const K = 3;
const M = 5;
const GRAINS = ['week', 'month', 'quarter'] as const;
// A closed quarter: 2025-04-01 … 2025-06-30, crossing month and week boundaries.
const QUARTER_DAYS = 91;
const dayOf = (i: number) =>
  new Date(Date.UTC(2025, 3, 1) + i * 86_400_000).toISOString().slice(0, 10);

interface GeneratedSurvey {
  team: number;
  closes: number; // day index in the quarter
  released: boolean;
  invited: number;
  answered: number;
  /** The day each invitation's mail went out (day index), in invitation order. */
  sent: number[];
}

interface World {
  parents: (number | null)[];
  surveys: GeneratedSurvey[];
  /** Monthly surveys after tickets or of reviews: [team, invited, answered, source]. */
  tickets: [number, number, number, 'ticket' | 'review'][];
}

const surveyArb = (teams: number): fc.Arbitrary<GeneratedSurvey> =>
  fc
    .record({
      team: fc.nat(teams - 1),
      closes: fc.nat(QUARTER_DAYS - 1),
      // Most have been released; some have closed and wait for the mixer.
      released: fc.nat(4).map((x) => x > 0),
      invited: fc.integer({ min: M, max: 14 }),
    })
    .chain((s) =>
      fc
        .record({
          // Counts near k are where leaks hide. Nobody counts as answered before the release.
          answered: s.released
            ? fc.oneof(fc.integer({ min: 0, max: K + 1 }), fc.integer({ min: 0, max: s.invited }))
            : fc.constant(0),
          sent: fc.array(fc.nat(QUARTER_DAYS - 1), {
            minLength: s.invited,
            maxLength: s.invited,
          }),
        })
        .map((rest) => ({ ...s, ...rest })),
    );

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 4 }).chain((teams) =>
  fc.record({
    parents: fc.tuple(
      ...Array.from({ length: teams }, (_, i) =>
        i === 0
          ? fc.constant(null)
          : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 4, nil: null }),
      ),
    ),
    surveys: fc.array(surveyArb(teams), { minLength: 1, maxLength: 7 }),
    tickets: fc.array(
      fc
        .tuple(fc.nat(teams - 1), fc.integer({ min: M, max: 12 }))
        .chain(([team, invited]) =>
          fc.tuple(
            fc.constant(team),
            fc.constant(invited),
            fc.integer({ min: 0, max: invited }),
            fc.constantFrom<('ticket' | 'review')[]>('ticket', 'review'),
          ),
        ),
      { maxLength: 3 },
    ),
  }),
);

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

/** The calendar bucket of `grain` holding `day`, worked out apart from periods.ts. */
function bucket(grain: (typeof GRAINS)[number], day: string): { from: string; to: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
  const iso = (x: Date) => x.toISOString().slice(0, 10);
  if (grain === 'week') {
    const from = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000);
    return { from: iso(from), to: iso(new Date(from.getTime() + 7 * 86_400_000)) };
  }
  const months = grain === 'month' ? 1 : 3;
  const first = grain === 'month' ? m : m - (m % 3);
  return {
    from: iso(new Date(Date.UTC(y, first, 1))),
    to: iso(new Date(Date.UTC(y, first + months, 1))),
  };
}

/**
 * The differencing adversary's notebook (as in reports-anonymity.property.spec.ts): each figure
 * shown, as the set of answered invitations it counts. The classes of people the figures cannot
 * tell apart must each hold 0 or at least k.
 */
function smallestClass(figures: Set<string>[]): number {
  const classes = new Map<string, number>();
  for (const id of new Set(figures.flatMap((f) => [...f]))) {
    const signature = figures.map((f) => (f.has(id) ? '1' : '0')).join('');
    classes.set(signature, (classes.get(signature) ?? 0) + 1);
  }
  return Math.min(Infinity, ...classes.values());
}

type Json = Record<string, unknown>;

describe('participation figures against the real application', () => {
  let t: TestApp;
  let questionnaireId: string;
  let npsQuestion: string;
  const employees: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      REPORTING_THRESHOLD: String(K),
      COMMENT_THRESHOLD: String(K),
      MIX_BATCH_SIZE: String(M),
    });
    const questionnaire = await t.get(SurveysService).createQuestionnaire({
      name: 'Participation pulse',
      questions: [{ type: 'nps', text: { en: 'Would you recommend this team?' } }],
    });
    questionnaireId = questionnaire.id;
    npsQuestion = (questionnaire.questions ?? [])[0].id;
    const rows: { id: string }[] = await t.dataSource.query(
      `INSERT INTO employee (email, name, locale)
       SELECT 'p' || g || '.' || $1 || '@example.com', 'P ' || g, 'en' FROM generate_series(1, 14) g
       RETURNING id`,
      [randomBytes(3).toString('hex')],
    );
    employees.push(...rows.map((r) => r.id));
  }, 60_000);
  afterAll(() => t.close());

  /**
   * The world's teams (through TeamsService) and rows: surveys, invitations (the first `answered`
   * of each survey answered), and for each released survey a release of M responses on its close
   * day, so that the team pages show their period (the response rate is shown with them).
   */
  async function build(world: World) {
    const tag = randomBytes(3).toString('hex');
    const teams: { id: string; slug: string }[] = [];
    for (let i = 0; i < world.parents.length; i++) {
      const parent = world.parents[i];
      const team = await t.get(TeamsService).create({
        slug: `part-${tag}-${i}`,
        name: `Part ${tag} ${i}`,
        parentSlug: parent === null ? undefined : teams[parent].slug,
      });
      teams.push({ id: team.id, slug: team.slug });
    }
    const surveys = world.surveys.map((s) => ({ ...s, id: randomUUID() }));
    const tickets = world.tickets.map(([team, invited, answered, source]) => ({
      id: randomUUID(),
      team,
      invited,
      answered,
      source,
    }));
    await t.dataSource.query(
      `INSERT INTO survey (id, name, questionnaire_id, team_id, reporting_threshold, closes_at, released, source)
       SELECT s.id, 'participation', $2, s.team_id, $3, s.closes_at, s.released, s.source
         FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, team_id uuid, closes_at timestamptz, released boolean, source text)`,
      [
        JSON.stringify([
          ...surveys.map((s) => ({
            id: s.id,
            team_id: teams[s.team].id,
            closes_at: `${dayOf(s.closes)}T17:00:00Z`,
            released: s.released,
            source: 'pulse',
          })),
          ...tickets.map((s) => ({
            id: s.id,
            team_id: teams[s.team].id,
            closes_at: `${dayOf(QUARTER_DAYS - 1)}T17:00:00Z`,
            released: false,
            source: s.source,
          })),
        ]),
        questionnaireId,
        K,
      ],
    );
    const invitations = [
      ...surveys.flatMap((s) =>
        s.sent.map((day, i) => ({
          id: `${s.id.slice(0, 24)}${String(i).padStart(12, '0')}`,
          survey_id: s.id,
          employee_id: employees[i],
          sent_at: `${dayOf(day)}T09:00:00Z`,
          answered: i < s.answered,
        })),
      ),
      ...tickets.flatMap((s) =>
        Array.from({ length: s.invited }, (_, i) => ({
          id: `${s.id.slice(0, 24)}${String(i).padStart(12, '0')}`,
          survey_id: s.id,
          employee_id: employees[i],
          sent_at: `${dayOf(i)}T09:00:00Z`,
          answered: i < s.answered,
        })),
      ),
    ];
    await t.dataSource.query(
      `INSERT INTO invitation (id, survey_id, employee_id, sent_at, expires_at, answered)
       SELECT i.id, i.survey_id, i.employee_id, i.sent_at, i.sent_at + interval '14 days', i.answered
         FROM jsonb_to_recordset($1::jsonb) AS i(id uuid, survey_id uuid, employee_id uuid, sent_at timestamptz, answered boolean)`,
      [JSON.stringify(invitations)],
    );
    const responses = surveys
      .filter((s) => s.released)
      .flatMap((s) =>
        Array.from({ length: M }, () => ({
          id: randomUUID(),
          survey_id: s.id,
          team_id: teams[s.team].id,
          released_on: dayOf(s.closes),
        })),
      );
    await t.dataSource.query(
      `INSERT INTO response (id, survey_id, team_id, source, released_on)
       SELECT id, survey_id, team_id, 'pulse', released_on
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, survey_id uuid, team_id uuid, released_on date)`,
      [JSON.stringify(responses)],
    );
    await t.dataSource.query(
      `INSERT INTO answer (response_id, question_id, score)
       SELECT id, $2, 8 FROM jsonb_to_recordset($1::jsonb) AS r(id uuid)`,
      [JSON.stringify(responses), npsQuestion],
    );
    return { teams, surveys, tickets, invitations };
  }

  async function cleanUp(surveyIds: string[]) {
    await t.dataSource.query(`DELETE FROM response WHERE survey_id = ANY($1::uuid[])`, [surveyIds]);
    await t.dataSource.query(`DELETE FROM invitation WHERE survey_id = ANY($1::uuid[])`, [
      surveyIds,
    ]);
    await t.dataSource.query(`DELETE FROM survey WHERE id = ANY($1::uuid[])`, [surveyIds]);
  }

  const RUNS = 25;

  it(`no participation figure, nor any difference of them, is about fewer than k people (${RUNS} worlds)`, async () => {
    let figuresSeen = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, async (world) => {
        const built = await build(world);
        try {
          const figures: Set<string>[] = [];
          const answeredOf = (surveyId: string) =>
            built.invitations
              .filter((i) => i.survey_id === surveyId && i.answered)
              .map((i) => i.id);
          // Every day something happened: a survey closed, a mail went out.
          const days = [
            ...new Set(built.surveys.flatMap((s) => [s.closes, ...s.sent]).map(dayOf)),
          ].sort();
          for (let team = 0; team < world.parents.length; team++) {
            const subtree = subtreeOf(world.parents, team);
            for (const grain of GRAINS) {
              const periods = new Map(days.map((d) => [bucket(grain, d).from, bucket(grain, d)]));
              for (const { from, to } of periods.values()) {
                const res = await t.api({
                  method: 'GET',
                  url: `/api/v1/reports/teams/${built.teams[team].slug}?period=${grain}&at=${from}`,
                });
                expect(res.statusCode).toBe(200);
                const rate = (res.json() as Json).responseRate as Json;
                // The rule: released pulse surveys about the subtree closing in the period, each
                // whole and only when at least its k answered.
                const units = built.surveys.filter(
                  (s) =>
                    subtree.has(s.team) &&
                    s.released &&
                    dayOf(s.closes) >= from &&
                    dayOf(s.closes) < to &&
                    s.answered >= K,
                );
                const answered = units.reduce((n, s) => n + s.answered, 0);
                const invited = units.reduce((n, s) => n + s.invited, 0);
                const where = `team ${team} ${grain} ${from}`;
                if (answered < K)
                  expect({ where, rate }).toEqual({ where, rate: { withheld: true } });
                else {
                  expect({ where, rate }).toEqual({
                    where,
                    rate: {
                      withheld: false,
                      n: answered,
                      invited,
                      rate: Math.round((1000 * answered) / invited) / 10,
                    },
                  });
                  figures.push(new Set(units.flatMap((s) => answeredOf(s.id))));
                }
              }
            }
          }
          // The survey list: a pulse survey's count from its k on; none for surveys after tickets
          // nor of reviews.
          const list = (await t.api({ method: 'GET', url: '/api/v1/surveys' })).json() as {
            items: { id: string; invited: number | null; answered: number | null }[];
          };
          for (const s of built.surveys) {
            const item = list.items.find((i) => i.id === s.id);
            expect({ id: s.id, item }).toEqual({
              id: s.id,
              item: expect.objectContaining({
                invited: s.invited,
                answered: s.answered >= K ? s.answered : null,
              }),
            });
            if (s.answered >= K) figures.push(new Set(answeredOf(s.id)));
          }
          // Nor how many were invited to them: made one by one as people ask (or tickets close).
          for (const s of built.tickets)
            expect(list.items.find((i) => i.id === s.id)).toMatchObject({
              invited: null,
              answered: null,
              countsWithheld: expect.any(String),
            });
          // The adversary: every figure side by side.
          const smallest = smallestClass(figures);
          expect({ smallest, ok: smallest >= K }).toEqual({ smallest, ok: true });
          figuresSeen += figures.length;
        } finally {
          await cleanUp([...built.surveys.map((s) => s.id), ...built.tickets.map((s) => s.id)]);
        }
      }),
      // Bounded by the number of worlds, not by the clock: a slow machine takes longer, and passes.
      { numRuns: RUNS },
    );
    expect(figuresSeen).toBeGreaterThan(RUNS);
    // Only so that a run that hangs ends; RUNS worlds take a fraction of it.
  }, 1_200_000);
});
