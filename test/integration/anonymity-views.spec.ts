import { WavesService } from '../../src/modules/campaigns/waves.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createCampaign,
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
  sendQueuedMail,
  submitSurvey,
  waveTokens,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The reader of pages and API answers, as an adversary: every role, any number of times, side by
 * side, knowing who was invited and when colleagues say they answered. Each case is one that
 * gave someone away before the release redesign, driven through the public paths (submit, the
 * mixer, the API). The property test (reports-anonymity.property.spec.ts) covers every view pair
 * and grain over generated worlds.
 */
const K = 3;
const M = 5;
const GRAINS = ['week', 'month', 'quarter'] as const;

type Json = Record<string, unknown>;

describe('a reader of pages and API answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      REPORTING_THRESHOLD: String(K),
      COMMENT_THRESHOLD: String(K),
      MIX_BATCH_SIZE: String(M),
    });
  });
  afterAll(() => t.close());

  const today = () => new Date().toISOString().slice(0, 10);
  const report = async (slug: string, grain: string) =>
    (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${slug}?period=${grain}&at=${today()}`,
      })
    ).json() as Json;
  const shownN = (cell: unknown) => {
    const c = cell as Json;
    return c.withheld === false ? (c.n as number) : 0;
  };
  const closeAll = () =>
    t.dataSource.query(
      `UPDATE survey SET closes_at = least(closes_at, now() - interval '5 minutes') WHERE source = 'pulse'`,
    );

  it('sees an open period change only by at least k answers at a time', async () => {
    const team = await createTeam(t, 'Desk');
    const { survey, questions } = await createSurvey(t, { teamSlug: team.slug });
    const people = await createEmployees(t, 12);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const nps = questions.find((q) => q.type === 'nps')!;
    const seen: Record<string, number[]> = { week: [0], month: [0], quarter: [0] };
    const look = async () => {
      for (const grain of GRAINS)
        seen[grain].push(shownN((await report(team.slug, grain)).headline));
    };
    // Colleagues answer one after another; the lead reloads the page after each mixer run.
    for (let i = 0; i < 11; i++) {
      expect(
        (await submitSurvey(t, tokens[i], { [`q_${nps.id}`]: String(i % 11) })).statusCode,
      ).toBe(200);
      if (i >= 8) {
        await t.get(ResponsesService).mix();
        await look();
      }
    }
    await closeAll();
    await t.get(ResponsesService).mix();
    await look();
    for (const grain of GRAINS) {
      const steps = seen[grain].slice(1).map((n, i) => n - seen[grain][i]);
      expect({ grain, steps, ok: steps.every((s) => s === 0 || s >= K) }).toEqual({
        grain,
        steps,
        ok: true,
      });
      // Nothing was lost: every answer counts once, in the end.
      expect(seen[grain].at(-1)).toBe(11);
    }
  });

  it('cannot have a survey sent to fewer people than a release needs', async () => {
    const { survey } = await createSurvey(t);
    const [one] = await createEmployees(t, 1);
    const res = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${survey.id}/send`,
      payload: { employeeIds: [one.id] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/at least 5 people/);
    const [{ count }] = await t.dataSource.query(
      'SELECT count(*)::int AS count FROM invitation WHERE survey_id = $1',
      [survey.id],
    );
    expect(count).toBe(0);
  });

  it('does not see the live answered count move by one person', async () => {
    const { survey, questions } = await createSurvey(t);
    const people = await createEmployees(t, 8);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    const nps = questions.find((q) => q.type === 'nps')!;
    const answeredCount = async () => {
      const list = (await t.api({ method: 'GET', url: '/api/v1/surveys' })).json() as {
        items: Json[];
      };
      const mine = list.items.find((s) => s.id === survey.id) as Json;
      return typeof mine.answered === 'number' ? mine.answered : 0;
    };
    const counts = [await answeredCount()];
    for (let i = 0; i < 2; i++) {
      await submitSurvey(t, tokens[i], { [`q_${nps.id}`]: '9' });
      await t.get(ResponsesService).mix();
      counts.push(await answeredCount());
    }
    const steps = counts.slice(1).map((n, i) => n - counts[i]);
    expect({ counts, ok: steps.every((s) => s === 0 || s >= K) }).toEqual({ counts, ok: true });
  });

  it("cannot tell from a month's and its weeks' response rates whether one person invited later answered", async () => {
    // The calendar (simulated): week 1 and week 2 of one month. S0 closes in week 1; S1 was sent
    // to six people in week 1 and to X alone in week 2, and closes in week 2; S2 closes in week
    // 1 with two answers (fewer than k). Counting invitations by the week their mail went out,
    // the month minus week 1 was X's invitation alone: whether X answered.
    const W1 = '2026-11-02'; // a Monday
    const W2 = '2026-11-09';
    const WEEKS = [W1, W2, '2026-11-16', '2026-11-23', '2026-11-30'];
    const q = (sql: string, values?: unknown[]) => t.dataSource.query(sql, values);
    async function world(xAnswers: boolean) {
      const team = await createTeam(t, 'Desk');
      const surveys = [];
      for (const [invited, answering] of [
        [6, 6],
        [6, 5],
        [6, 2],
      ]) {
        const s = await createSurvey(t, { teamSlug: team.slug });
        const tokens = await inviteAndCollectTokens(
          t,
          s.survey.id,
          await createEmployees(t, invited),
        );
        const nps = s.questions.find((x) => x.type === 'nps')!;
        for (let i = 0; i < answering; i++)
          expect((await submitSurvey(t, tokens[i], { [`q_${nps.id}`]: '8' })).statusCode).toBe(200);
        surveys.push(s);
      }
      const [s0, s1, s2] = surveys.map((s) => s.survey.id);
      const [x] = await createEmployees(t, 1);
      await t.get(SurveysService).send(s1, { employeeIds: [x.id] });
      await sendQueuedMail(t);
      const [mail]: { text: string }[] = await q(
        'SELECT text FROM outbox_message WHERE to_address = $1',
        [x.email],
      );
      const tokenX = mail.text.match(/\/s\/([A-Za-z0-9_-]{43})/)![1];
      const nps1 = surveys[1].questions.find((y) => y.type === 'nps')!;
      if (xAnswers)
        expect((await submitSurvey(t, tokenX, { [`q_${nps1.id}`]: '0' })).statusCode).toBe(200);
      await q(`UPDATE invitation SET sent_at = $2 WHERE survey_id = ANY($1::uuid[])`, [
        [s0, s1, s2],
        `${W1}T09:00:00Z`,
      ]);
      await q(`UPDATE invitation SET sent_at = $2 WHERE employee_id = $1`, [
        x.id,
        `${W2}T09:00:00Z`,
      ]);
      await q(`UPDATE survey SET closes_at = $2 WHERE id = ANY($1::uuid[])`, [
        [s0, s2],
        `${W1}T18:00:00Z`,
      ]);
      await q(`UPDATE survey SET closes_at = $2 WHERE id = $1`, [s1, `${W2}T18:00:00Z`]);
      await t.get(ResponsesService).mix();
      const rate = async (grain: string, at: string) =>
        (
          await t.api({
            method: 'GET',
            url: `/api/v1/reports/teams/${team.slug}?period=${grain}&at=${at}`,
          })
        ).json().responseRate as Json;
      const list = (await t.api({ method: 'GET', url: '/api/v1/surveys' })).json() as {
        items: { id: string; answered: number | null }[];
      };
      return {
        month: shownN(await rate('month', W1)),
        weeks: await Promise.all(WEEKS.map(async (w) => shownN(await rate('week', w)))),
        listed: [s0, s1, s2].map((id) => list.items.find((i) => i.id === id)?.answered ?? null),
      };
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const seen = { x: await world(true), notX: await world(false) };
    for (const w of Object.values(seen)) {
      // Participation moves by whole surveys, in the period each was released: the month is its
      // weeks, and both are sums of surveys the survey list shows (S2, below k, counts nowhere).
      expect({ ...w, ok: w.month === sum(w.weeks) }).toEqual({ ...w, ok: true });
      expect({ ...w, ok: w.month === sum(w.listed.map((n) => n ?? 0)) }).toEqual({
        ...w,
        ok: true,
      });
      expect(w.listed[2]).toBeNull();
    }
    // The month less every week it shows says nothing of X.
    const rest = (w: (typeof seen)['x']) => w.month - sum(w.weeks);
    expect(rest(seen.x)).toBe(rest(seen.notX));
  });

  it('does not see a survey after tickets count its answers by the few a later release carried', async () => {
    // Answers after tickets are released per team and period across the team's monthly surveys:
    // the release of November's first week carries two October answers that had waited. The
    // releases are written as the mixer leaves them (it marks the invitations answered).
    const team = await createTeam(t, 'Helpdesk');
    const q = (sql: string, values?: unknown[]) => t.dataSource.query(sql, values);
    const [{ id: questionnaire }] = await q('SELECT id FROM questionnaire LIMIT 1');
    const monthly: Record<string, string[]> = {};
    for (const month of ['2026-10', '2026-11']) {
      const [{ id }] = await q(
        `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at, source)
         VALUES ($1, $2, $3, $4, $5, 'ticket') RETURNING id`,
        [`after tickets ${month}`, questionnaire, team.id, K, `${month}-28T00:00:00Z`],
      );
      const people = await createEmployees(t, 8);
      const rows: { id: string }[] = await q(
        `INSERT INTO invitation (survey_id, employee_id, expires_at, sent_at)
         SELECT $1, e, now(), now() FROM unnest($2::uuid[]) AS e RETURNING id`,
        [id, people.map((p) => p.id)],
      );
      monthly[id] = rows.map((r) => r.id);
    }
    const [october, november] = Object.keys(monthly);
    const counts = async () => {
      const list = (await t.api({ method: 'GET', url: '/api/v1/surveys' })).json() as {
        items: { id: string; answered: number | null }[];
      };
      return [october, november].map((id) => list.items.find((i) => i.id === id)?.answered ?? 0);
    };
    const release = (ids: string[]) =>
      q('UPDATE invitation SET answered = true WHERE id = ANY($1::uuid[])', [ids]);
    const seen = [await counts()];
    await release(monthly[october].slice(0, 6)); // October's last week: six people
    seen.push(await counts());
    await release([...monthly[october].slice(6, 8), ...monthly[november].slice(0, 4)]);
    seen.push(await counts());
    const steps = seen.slice(1).flatMap((now, i) => now.map((n, j) => n - seen[i][j]));
    expect({ seen, ok: steps.every((s) => s === 0 || s >= K) }).toEqual({ seen, ok: true });
  });

  it('cannot make a parent team reach k with one person who rated each of its sub-teams', async () => {
    const parent = await createTeam(t, 'Facilities');
    const subTeams = [];
    for (const name of ['North', 'South', 'East', 'West', 'Centre'])
      subTeams.push(await createTeam(t, name, parent.slug));
    const people = await createEmployees(t, 8, { department: 'Lonely' });
    const campaign = await createCampaign(t, {
      subject: 'teams',
      teamSlugs: subTeams.map((s) => s.slug),
      audience: { departments: ['Lonely'] },
      reportingThreshold: K,
    });
    const waves = t.get(WavesService);
    await waves.tick(new Date('2027-01-04T10:01:00Z'));
    const [wave] = await t.dataSource.query(
      'SELECT id FROM wave WHERE campaign_id = $1 ORDER BY opens_at LIMIT 1',
      [campaign.id],
    );
    await waves.open(wave.id);
    const [{ survey_id: surveyId }] = await t.dataSource.query(
      'SELECT survey_id FROM wave WHERE id = $1',
      [wave.id],
    );
    const [nps] = await t.dataSource.query(
      `SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'nps'`,
      [campaign.questionnaireId],
    );
    const tokens = await waveTokens(t, surveyId);
    // One person rates all five; nobody else answers.
    const fields = Object.fromEntries(subTeams.map((_, i) => [`t${i}_q_${nps.id}`, '0']));
    expect((await submitSurvey(t, tokens.get(people[0].email) as string, fields)).statusCode).toBe(
      200,
    );
    await closeAll();
    await t.get(ResponsesService).mix();
    const day = today();
    for (const grain of GRAINS) {
      const page = (
        await t.api({
          method: 'GET',
          url: `/api/v1/reports/teams/${parent.slug}?period=${grain}&at=${day}`,
        })
      ).json() as Json;
      // One person is not k people, however many responses they gave.
      expect({ grain, headline: page.headline }).toEqual({ grain, headline: { withheld: true } });
      const groups = (page.breakdowns as { groups: { value: Json }[] }[]).flatMap((b) => b.groups);
      expect({ grain, shown: groups.filter((g) => g.value.withheld === false) }).toEqual({
        grain,
        shown: [],
      });
    }
  });
});
