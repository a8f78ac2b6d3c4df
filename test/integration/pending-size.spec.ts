import { SurveysService } from '../../src/modules/surveys/surveys.service';
import {
  createEmployees,
  createTeam,
  inviteAndCollectTokens,
  openSurvey,
  STANDARD_QUESTIONNAIRE,
  submitSurvey,
} from '../factories';
import { createIntegration, ticketSurveyTokens } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The reader of threats (b) and (c), who sees the sealed pending rows (live, in a dump or in the
 * WAL) and later the released comments. Sealed answers used to be padded to a multiple of 1,800
 * bytes: a comment of a few hundred Japanese or Persian characters (of the 2,000 allowed) took
 * two, and that size together with the row's arrival (its transaction id, the WAL's commit time)
 * pointed at the one long comment the release showed — written by whoever is known to have
 * answered then. Every sealed answer of a survey must have one size, whatever it holds.
 */
describe('the size of a sealed answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MIX_BATCH_SIZE: '5',
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
    });
  });
  afterAll(() => t.close());

  async function sealedSizes(surveyId: string): Promise<number[]> {
    const rows: { n: number }[] = await t.dataSource.query(
      'SELECT octet_length(sealed) AS n FROM pending_response WHERE survey_id = $1',
      [surveyId],
    );
    return rows.map((r) => r.n);
  }

  it('is the same for an empty, a short and a longest comment, in Japanese and Persian', async () => {
    const surveys = t.get(SurveysService);
    // Comments of up to 2,000 characters, like the campaign templates' "why".
    const questionnaire = await surveys.createQuestionnaire({
      ...STANDARD_QUESTIONNAIRE,
      questions: STANDARD_QUESTIONNAIRE.questions.map((q) =>
        q.type === 'text' ? { ...q, maxLength: 2000 } : q,
      ),
    });
    const team = await createTeam(t);
    const survey = await surveys.createSurvey({
      name: 'pulse',
      questionnaireId: questionnaire.id,
      teamSlug: team.slug,
    });
    const q = Object.fromEntries(
      (questionnaire.questions ?? []).map((question) => [question.type, `q_${question.id}`]),
    );
    const everything = { [q.rating]: '5', [q.ces]: '7', [q.single]: 'portal' };
    const answers: Record<string, string | string[]>[] = [
      { [q.nps]: '5' },
      { [q.nps]: '5', [q.text]: '短い' },
      { [q.nps]: '5', [q.text]: '対応が遅い'.repeat(110) }, // the 550 characters of the attack
      {
        [q.nps]: '10',
        ...everything,
        [q.multi]: ['speed', 'clarity', 'kindness'],
        [q.text]: 'あ'.repeat(2000),
      },
      {
        [q.nps]: '10',
        ...everything,
        [q.multi]: ['speed', 'clarity', 'kindness'],
        [q.text]: 'گ'.repeat(2000),
      },
      {
        [q.nps]: '10',
        ...everything,
        [q.multi]: ['speed', 'clarity', 'kindness'],
        [q.text]: '😀'.repeat(2000),
      },
      { [q.nps]: '10', [q.text]: '"\\'.repeat(1000) },
    ];
    const people = await createEmployees(t, answers.length, { locale: 'ja' });
    await t.dataSource.query(`UPDATE employee SET locale = 'fa' WHERE id = ANY($1::uuid[])`, [
      people.filter((_, i) => i % 2 === 1).map((p) => p.id),
    ]);
    const tokens = await inviteAndCollectTokens(t, survey.id, people);
    for (let i = 0; i < answers.length; i++)
      expect((await submitSurvey(t, tokens[i], answers[i])).statusCode).toBe(200);

    const sizes = await sealedSizes(survey.id);
    expect(sizes).toHaveLength(answers.length);
    expect(new Set(sizes).size).toBe(1);
  });

  it('is the same for answers after tickets, with and without their longest comment', async () => {
    const team = await createTeam(t, 'Payroll');
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
      throttleDays: 30,
    });
    const people = await createEmployees(t, 4, { locale: 'fa' });
    const tokens = await ticketSurveyTokens(t, integration, people);
    const comments = ['', 'خوب', 'ب'.repeat(400), '対'.repeat(1000)];
    for (let i = 0; i < people.length; i++) {
      const session = await openSurvey(t, tokens[i]);
      const [nps, why] = [...session.page.body.matchAll(/name="(q_[0-9a-f-]+)"/g)]
        .map((m) => m[1])
        .filter((name, n, all) => all.indexOf(name) === n);
      const res = await submitSurvey(t, tokens[i], { [nps]: '9', [why]: comments[i] }, session);
      expect(res.statusCode).toBe(200);
    }
    const [{ id }] = await t.dataSource.query(
      `SELECT id FROM survey WHERE source = 'ticket' AND team_id = $1`,
      [team.id],
    );
    const sizes = await sealedSizes(id);
    expect(sizes).toHaveLength(people.length);
    expect(new Set(sizes).size).toBe(1);
  });
});
