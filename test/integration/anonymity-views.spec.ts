import { WavesService } from '../../src/modules/campaigns/waves.service';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import {
  createCampaign,
  createEmployees,
  createSurvey,
  createTeam,
  inviteAndCollectTokens,
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
