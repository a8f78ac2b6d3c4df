import { DirectoryService } from '../../src/modules/directory/directory.service';
import { WavesService } from '../../src/modules/campaigns/waves.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  createCampaign,
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  openSurvey,
  submitSurvey,
  waveTokens,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The attack (threat b, a database reader): response_segment keeps, per release, named value and
 * question, a score histogram, and the invitation keeps each person's department, location and
 * tenure band. The histograms let a reader work out, answer by answer, which named value (or "the
 * rest") its author has in every dimension (a sudoku over rare scores); intersecting dimensions
 * narrowed a response — with its comment — to one person when each dimension was checked alone.
 * The release now names dimensions only where every combination holds 0 or at least m people.
 */
const M = 10;
const DAY = 86_400_000;

// Deterministic pseudo-random scores (as real people would answer: nothing contrived).
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('segment histograms crossed by a database reader', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MIX_BATCH_SIZE: String(M),
      REPORTING_THRESHOLD: '5',
      COMMENT_THRESHOLD: '5',
    });
  });
  afterAll(() => t.close());

  it('cannot narrow any response below m: dimensions are named only where every combination holds m people', async () => {
    const team = await createTeam(t, 'Desk');
    const { survey, questions } = await createSurvey(t, { teamSlug: team.slug });
    const directory = t.get(DirectoryService);
    const N = 20;
    const people: { id: string; email: string }[] = [];
    for (let i = 0; i < N; i++) {
      const e = await directory.create({
        email: `p${i}.${Math.random().toString(36).slice(2, 8)}@example.com`,
        name: `P ${i}`,
        // Each dimension splits 10 / 10 (both values named, each >= m); the splits cross, and one
        // person (i = 3) is the only Sales employee in Lisbon hired within the year.
        department: i < 10 ? 'Sales' : 'Legal',
        location: [0, 1, 2, 4, 6, 11, 13, 15, 17, 19].includes(i) ? 'Madrid' : 'Lisbon',
        hireDate: new Date(Date.now() - ([0, 1, 2, 3, 4].includes(i % 10) ? 100 : 1000) * DAY)
          .toISOString()
          .slice(0, 10),
        locale: 'en',
      });
      people.push({ id: e.id, email: e.email });
    }
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const nps = questions.find((q) => q.type === 'nps')!;
    const rating = questions.find((q) => q.type === 'rating')!;
    const ces = questions.find((q) => q.type === 'ces')!;
    const why = questions.find((q) => q.type === 'text')!;
    const random = rng(Number(process.env.ADV_SEED ?? 1));
    const authorOf = new Map<string, string>();
    for (let i = 0; i < N; i++) {
      const comment = `comment-of-${i}-${Math.random().toString(36).slice(2, 8)}`;
      authorOf.set(comment, people[i].id);
      const res = await submitSurvey(t, tokens[i], {
        [`q_${nps.id}`]: String(Math.floor(random() * 11)),
        [`q_${rating.id}`]: String(1 + Math.floor(random() * 5)),
        [`q_${ces.id}`]: String(1 + Math.floor(random() * 7)),
        [`q_${why.id}`]: comment,
      });
      expect(res.statusCode).toBe(200);
    }
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '5 minutes' WHERE id = $1`,
      [survey.id],
    );
    await t.get(ResponsesService).mix();

    // ---- The attacker: only what is stored (app role is enough). ----
    const q = (sql: string, v?: unknown[]) => t.dataSource.query(sql, v);
    const answers: {
      response_id: string;
      question_id: string;
      score: number | null;
      text: string | null;
    }[] = await q(
      `SELECT a.response_id, a.question_id, a.score, a.text FROM answer a JOIN response r ON r.id = a.response_id
          WHERE r.survey_id = $1`,
      [survey.id],
    );
    const cells: {
      dimension: string;
      value: string;
      question_id: string;
      score_counts: number[];
    }[] = await q(
      `SELECT dimension, value, question_id, score_counts FROM response_segment WHERE survey_id = $1`,
      [survey.id],
    );
    const invitations: {
      employee_id: string;
      department: string;
      location: string;
      tenure_band: string;
    }[] = await q(
      `SELECT employee_id, department, location, tenure_band FROM invitation WHERE survey_id = $1 AND answered`,
      [survey.id],
    );
    const responses = [...new Set(answers.map((a) => a.response_id))];
    const scoreOf = new Map<string, Map<string, number>>();
    const textOf = new Map<string, string>();
    for (const a of answers) {
      if (a.text) textOf.set(a.response_id, a.text);
      if (a.score === null) continue;
      if (!scoreOf.has(a.response_id)) scoreOf.set(a.response_id, new Map());
      scoreOf.get(a.response_id)!.set(a.question_id, a.score);
    }
    const scored = [...new Set(cells.map((c) => c.question_id))];
    const total = (qid: string, s: number) =>
      answers.filter((a) => a.question_id === qid && a.score === s).length;
    const dims = [...new Set(cells.map((c) => c.dimension))];
    const domain = new Map<string, Map<string, Set<string>>>(); // response -> dim -> values
    const count = new Map<string, number>(); // dim|value|q|s -> count
    for (const d of dims) {
      const named = [...new Set(cells.filter((c) => c.dimension === d).map((c) => c.value))];
      for (const qid of scored)
        for (let s = 0; s <= 10; s++) {
          let rest = total(qid, s);
          for (const v of named) {
            const n =
              cells.find((c) => c.dimension === d && c.value === v && c.question_id === qid)
                ?.score_counts[s] ?? 0;
            count.set(`${d}|${v}|${qid}|${s}`, n);
            rest -= n;
          }
          count.set(`${d}|rest|${qid}|${s}`, rest);
        }
      for (const r of responses) {
        if (!domain.has(r)) domain.set(r, new Map());
        domain.get(r)!.set(d, new Set([...named, 'rest']));
      }
    }
    // Constraint propagation over the histograms (a sudoku).
    for (let changed = true; changed;) {
      changed = false;
      for (const d of dims)
        for (const qid of scored)
          for (let s = 0; s <= 10; s++) {
            const withS = responses.filter((r) => scoreOf.get(r)?.get(qid) === s);
            const values = [...new Set(withS.flatMap((r) => [...domain.get(r)!.get(d)!]))];
            for (const v of values) {
              const need = count.get(`${d}|${v}|${qid}|${s}`) ?? 0;
              const possible = withS.filter((r) => domain.get(r)!.get(d)!.has(v));
              const certain = possible.filter((r) => domain.get(r)!.get(d)!.size === 1);
              for (const r of possible) {
                const dom = domain.get(r)!.get(d)!;
                if (
                  (need === 0 || (certain.length === need && !certain.includes(r))) &&
                  dom.size > 1
                ) {
                  dom.delete(v);
                  changed = true;
                } else if (possible.length === need && dom.size > 1) {
                  domain.get(r)!.set(d, new Set([v]));
                  changed = true;
                }
              }
            }
          }
    }
    const namedIn = (d: string) =>
      new Set(cells.filter((c) => c.dimension === d).map((c) => c.value));
    const sizes: number[] = [];
    for (const r of responses) {
      const candidates = invitations.filter((i) =>
        dims.every((d) => {
          const v = (i as Record<string, string | null>)[d] ?? 'Unknown';
          return domain
            .get(r)!
            .get(d)!
            .has(namedIn(d).has(v) ? v : 'rest');
        }),
      );
      const author = authorOf.get(textOf.get(r) ?? '');
      // Sound: the true author is always among the candidates.
      expect(candidates.map((c) => c.employee_id)).toContain(author);
      sizes.push(candidates.length);
    }
    sizes.sort((a, b) => a - b);
    // Every response, comment included, stays among at least m people.
    expect(sizes[0]).toBeGreaterThanOrEqual(M);
  });
});

/**
 * The attack (threat b): eNPS is asked at most once a quarter per person, recorded on the invitation
 * (asks_enps), and required when asked. A team's release keeps the eNPS answers when at least m of
 * its people were asked — and then a response WITHOUT an eNPS answer can only be one of the team's
 * answered invitations with asks_enps = false: a group that may hold one person (a colleague asked
 * last month in another campaign, a joiner asked in an earlier wave).
 */
describe('a question asked to only some', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MIX_BATCH_SIZE: '5',
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
    });
  });
  afterAll(() => t.close());

  it('is not released when those not asked are fewer than m: the one response without it would name its author', async () => {
    const team = await createTeam(t, 'Lab');
    const dept = 'Lab' + Math.random().toString(36).slice(2, 6);
    const people = await createEmployees(t, 8, { team: team.slug, department: dept });
    const q = (sql: string, v?: unknown[]) => t.dataSource.query(sql, v);
    // Dana (people[7]) was asked eNPS a month ago, in another survey.
    const { survey: earlier } = await createSurvey(t);
    const other = earlier.id;
    await q(
      `INSERT INTO invitation (survey_id, employee_id, expires_at, asks_enps, created_at)
       VALUES ($1, $2, now(), true, now() - interval '30 days')`,
      [other, people[7].id],
    );
    const campaign = await createCampaign(t, {
      template: 'engagement',
      subject: 'own_team',
      audience: { departments: [dept] },
      reportingThreshold: 3,
    });
    const waves = t.get(WavesService);
    await waves.tick(new Date('2027-01-04T10:01:00Z'));
    const [wave] = await q('SELECT id FROM wave WHERE campaign_id = $1 ORDER BY opens_at LIMIT 1', [
      campaign.id,
    ]);
    await waves.open(wave.id);
    const [{ survey_id: surveyId }] = await q('SELECT survey_id FROM wave WHERE id = $1', [
      wave.id,
    ]);
    const tokens = await waveTokens(t, surveyId);
    const types = new Map<string, string>(
      (
        await q('SELECT id, type FROM question WHERE questionnaire_id = $1', [
          campaign.questionnaireId,
        ])
      ).map((r: { id: string; type: string }) => [r.id, r.type]),
    );
    const authorOf = new Map<string, string>();
    for (let i = 0; i < 8; i++) {
      const token = tokens.get(people[i].email) as string;
      const session = await openSurvey(t, token);
      const fields: Record<string, string> = {};
      for (const [, name, id] of session.page.body.matchAll(/name="((?:t\d+_)?q_([0-9a-f-]+))"/g)) {
        const type = types.get(id);
        const comment = `comment ${i} ${Math.random().toString(36).slice(2, 7)}`;
        if (type === 'text') authorOf.set(comment, people[i].id);
        fields[name] =
          type === 'enps' ? String(i) : type === 'rating' ? String(1 + (i % 5)) : comment;
      }
      expect((await submitSurvey(t, token, fields, session)).statusCode).toBe(200);
    }
    await q(`UPDATE survey SET closes_at = now() - interval '5 minutes' WHERE id = $1`, [surveyId]);
    await t.get(ResponsesService).mix();

    // ---- The SQL reader ----
    const responses: { id: string; has_enps: boolean; text: string }[] = await q(
      `SELECT r.id, bool_or(qn.type = 'enps') AS has_enps, max(a.text) AS text
         FROM response r JOIN answer a ON a.response_id = r.id JOIN question qn ON qn.id = a.question_id
        WHERE r.survey_id = $1 GROUP BY r.id`,
      [surveyId],
    );
    const notAsked: { employee_id: string }[] = await q(
      `SELECT employee_id FROM invitation WHERE survey_id = $1 AND answered AND NOT asks_enps`,
      [surveyId],
    );
    const without = responses.filter((r) => !r.has_enps);
    // One person answered without having been asked: the eNPS answers are not released at all,
    // so a missing one tells nothing.
    expect(notAsked).toEqual([{ employee_id: people[7].id }]);
    expect(responses).toHaveLength(8);
    expect(without).toHaveLength(8);
    expect(authorOf.size).toBe(8);
  });
});
