import fc from 'fast-check';
import { TeamsService } from '../../src/modules/teams/teams.service';
import {
  createEmployees,
  createSurvey,
  formBody,
  inviteAndCollectTokens,
  openSurvey,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Property tests over HTTP, against the real application: arbitrary bodies on the survey form
 * and the JSON API, with fewer runs than the pure parsers' (test/unit/parsers.property.spec.ts).
 */

describe('over HTTP: arbitrary bodies never make a 500', () => {
  let t: TestApp;
  let tokens: string[];
  let questions: { id: string; type: string; options: { key: string }[] | null }[];
  beforeAll(async () => {
    t = await startTestApp();
    const created = await createSurvey(t);
    const { survey } = created;
    questions = created.questions;
    tokens = await inviteAndCollectTokens(t, survey.id, await createEmployees(t, 100));
    await t.get(TeamsService).create({ slug: PARENT, name: 'Parent' });
  });
  afterAll(() => t.close());

  const STACK_TRACE = /at .+\.(ts|js):\d+/;
  // Every code point is generated, the NUL character included (it once gave a 500).
  const unit = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
  const text = (maxLength = 30, minLength = 0) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
      { weight: 1, arbitrary: fc.string({ unit, minLength, maxLength }) },
    );
  const nonEmptyText = (maxLength: number) => text(maxLength, 1);
  const json = fc.jsonValue({ maxDepth: 3, stringUnit: unit });
  const PARENT = 'property-parent';

  it('a survey link, after a real GET for cookie, _ctx and _csrf', async () => {
    const plausible = fc.constantFrom(
      '0',
      '5',
      '9',
      '10',
      '11',
      '-1',
      ' 7 ',
      'portal',
      'speed',
      '',
    );
    const garbage = fc.oneof(
      plausible,
      text(250),
      fc.array(fc.oneof(plausible, text(10)), { maxLength: 4 }),
    );
    const SCORES: Record<string, [number, number]> = { nps: [0, 10], rating: [1, 5], ces: [1, 7] };
    /** Mostly a valid answer for the question's type, sometimes anything. */
    const answerTo = (question: (typeof questions)[number]) => {
      const keys = (question.options ?? []).map((o) => o.key);
      const valid =
        question.type in SCORES
          ? fc.integer({ min: SCORES[question.type][0], max: SCORES[question.type][1] }).map(String)
          : question.type === 'single'
            ? fc.constantFrom(...keys)
            : question.type === 'multi'
              ? fc.subarray(keys, { minLength: 1 })
              : text(120);
      return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: garbage });
    };
    const key = fc.oneof(
      fc.constantFrom('_ctx', '_csrf', '__proto__', 'constructor[prototype][polluted]', 'q_'),
      text(12),
    );
    // The questions' own fields, each maybe; sometimes with extra (or overriding) fields.
    const answers = fc.record(
      Object.fromEntries(questions.map((q) => [`q_${q.id}`, answerTo(q)])),
      { requiredKeys: [] },
    );
    const fields = fc.oneof(
      { weight: 3, arbitrary: answers },
      {
        weight: 1,
        arbitrary: fc
          .tuple(answers, fc.dictionary(key, garbage, { maxKeys: 3 }))
          .map(([a, extra]) => ({ ...a, ...extra })),
      },
    );
    const keepCookie = fc.oneof(
      { weight: 9, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    );
    let index = 0;
    let session = await openSurvey(t, tokens[index]);
    await fc.assert(
      fc.asyncProperty(fields, keepCookie, async (fields, keepCookie) => {
        const res = await t.request({
          method: 'POST',
          url: `/s/${tokens[index]}`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: keepCookie ? session.cookie : '',
          },
          payload: formBody({
            _ctx: session.ctx,
            _csrf: session.csrf,
            ...(fields as Record<string, string | string[]>),
          }),
        });
        expect(res.statusCode).toBeLessThan(500);
        expect(res.body).not.toMatch(STACK_TRACE);
        if (res.statusCode === 200 && index < tokens.length - 1) {
          // That link is spent: carry on with the next one.
          session = await openSurvey(t, tokens[++index]);
        }
      }),
      { numRuns: 300 },
    );
  });

  /** Mostly plausible values (so that many bodies pass validation), sometimes anything JSON. */
  const field = (plausible: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 9, arbitrary: plausible }, { weight: 1, arbitrary: json });
  const slug = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}$/);
  const BODIES: Record<
    string,
    { required: string[]; fields: Record<string, fc.Arbitrary<unknown>> }
  > = {
    '/api/v1/teams': {
      required: ['slug', 'name'],
      fields: {
        slug: field(slug),
        name: field(nonEmptyText(60)),
        // null included: it once gave a 500.
        parentSlug: field(fc.oneof(fc.constant(PARENT), fc.constant(PARENT), slug)),
        npsTarget: field(fc.integer({ min: -110, max: 110 })),
        csatTarget: field(fc.integer({ min: -2, max: 102 })),
        firstResponseTargetMinutes: field(fc.integer({ min: -1, max: 600_000 })),
        resolutionTargetMinutes: field(fc.integer({ min: -1, max: 6_000_000 })),
      },
    },
    '/api/v1/employees': {
      required: ['email', 'name'],
      fields: {
        email: field(fc.oneof(fc.emailAddress(), fc.constantFrom('A.B@Example.COM', 'no-at', ''))),
        name: field(nonEmptyText(60)),
        department: field(text(120)),
        location: field(text(120)),
        hireDate: field(
          fc.constantFrom('2021-03-15', '2021-02-30', '1899-12-31', '2999-01-01', ''),
        ),
        locale: field(fc.constantFrom('en', 'es', 'EN', 'pt-BR', 'español', '')),
        externalId: field(text(120)),
        active: field(fc.boolean()),
      },
    },
  };

  it.each(Object.keys(BODIES))('JSON bodies to %s with the API token', async (url) => {
    const { required, fields } = BODIES[url];
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.record(fields, { requiredKeys: required }) },
      { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
      {
        weight: 1,
        arbitrary: fc.dictionary(
          fc.oneof(fc.constantFrom(...Object.keys(fields)), text(10)),
          json,
          {
            maxKeys: 9,
          },
        ),
      },
      { weight: 1, arbitrary: json },
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await t.api({
          method: 'POST',
          url,
          payload: JSON.stringify(payload),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.statusCode).toBeLessThan(500);
        expect(res.body).not.toMatch(STACK_TRACE);
      }),
      { numRuns: 300 },
    );
  });
});
