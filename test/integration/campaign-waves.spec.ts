import { openJson } from '../../src/common/crypto/sealing';
import { WavesService } from '../../src/modules/campaigns/waves.service';
import type { SealedSubmission } from '../../src/modules/responses/entities/pending-response.entity';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { ReportsService } from '../../src/modules/reports/reports.service';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { FatigueService } from '../../src/modules/fatigue/fatigue.service';
import {
  createCampaign,
  createEmployees,
  createTeam,
  openSurvey,
  sendQueuedMail,
  submitSurvey,
  waveTokens,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/** Monday 2027-01-04 10:00 UTC, the first opening of the test campaigns, and a minute after. */
const FIRST = new Date('2027-01-04T10:00:00Z');
const AFTER = new Date(FIRST.getTime() + 60_000);
const DAY = 86_400_000;

describe('campaign waves', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Releases of m = 3 different people (the campaigns' k), so that small waves can be released.
    t = await startTestApp({ REPORTING_THRESHOLD: '3', MIX_BATCH_SIZE: '3' });
  });
  afterAll(() => t.close());

  /** Closes a wave's survey (moved back, as the clock cannot be) and runs the mixer. */
  const closeAndMix = async (surveyId: string) => {
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '2 minutes' WHERE id = $1`,
      [surveyId],
    );
    return t.get(ResponsesService).mix();
  };

  const waves = (campaignId: string) =>
    t.dataSource.query(
      'SELECT id, number, status, survey_id, invited, opens_at FROM wave WHERE campaign_id = $1 ORDER BY opens_at',
      [campaignId],
    );

  it('creates one wave per opening however often and from however many instances the scheduler runs', async () => {
    const desk = await createTeam(t, 'Desk');
    await createEmployees(t, 4, { department: 'Sales' });
    const campaign = await createCampaign(t, { teamSlugs: [desk.slug] });
    const schedulers = [t.get(WavesService), t.get(WavesService), t.get(WavesService)];
    await Promise.all(schedulers.map((s) => s.tick(AFTER)));
    await Promise.all(schedulers.map((s) => s.tick(AFTER)));
    await t.get(WavesService).tick(new Date(AFTER.getTime() + 30 * 60_000));
    const made = await waves(campaign.id);
    expect(made).toHaveLength(1);
    expect(new Date(made[0].opens_at).toISOString()).toBe(FIRST.toISOString());
    // A week later: the second wave, numbered 2 (the first one's window has ended).
    await t.get(WavesService).tick(new Date(FIRST.getTime() + 7 * DAY + 60_000));
    expect((await waves(campaign.id)).map((w: { number: number }) => w.number)).toEqual([1, 2]);
    // A missed opening whose window has ended is skipped, not caught up.
    await t.get(WavesService).tick(new Date(FIRST.getTime() + 30 * DAY));
    expect(await waves(campaign.id)).toHaveLength(3);
  });

  it('opens a wave once: one invitation per person of the audience, in one set-based insert', async () => {
    const desk = await createTeam(t, 'Desk');
    const sales = await createEmployees(t, 6, { department: 'Sales-open' });
    await createEmployees(t, 3, { department: 'Legal-open' });
    const campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Sales-open'], excludeEmails: [sales[5].email] },
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    const opened = await Promise.all([
      t.get(WavesService).open(wave.id),
      t.get(WavesService).open(wave.id),
    ]);
    expect(opened.filter((n) => n !== undefined)).toEqual([5]);
    expect(await t.get(WavesService).open(wave.id)).toBeUndefined();
    const [after] = await waves(campaign.id);
    expect(after.status).toBe('open');
    expect(after.invited).toBe(5);
    const [survey] = await t.dataSource.query(
      'SELECT subject, rated_team_ids, reporting_threshold, closes_at FROM survey WHERE id = $1',
      [after.survey_id],
    );
    expect(survey.subject).toBe('teams');
    expect(survey.rated_team_ids).toEqual([desk.id]);
    expect(survey.reporting_threshold).toBe(3);
    expect(new Date(survey.closes_at).getTime()).toBe(FIRST.getTime() + 5 * DAY);
    // People who join during the wave are not added.
    await createEmployees(t, 2, { department: 'Sales-open' });
    await t.get(WavesService).tick(new Date(AFTER.getTime() + 60_000));
    expect(await t.get(WavesService).open(wave.id)).toBeUndefined();
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1',
      [after.survey_id],
    );
    expect(n).toBe(5);
  });

  it('stores each rated team’s block as its own anonymous response, and allows “not used”', async () => {
    const desk = await createTeam(t, 'Service Desk');
    const facilities = await createTeam(t, 'Facilities');
    const people = await createEmployees(t, 4, { department: 'Blocks' });
    const campaign = await createCampaign(t, {
      teamSlugs: [desk.slug, facilities.slug],
      audience: { departments: ['Blocks'] },
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    await t.get(WavesService).open(wave.id);
    const [fresh] = await waves(campaign.id);
    const tokens = await waveTokens(t, fresh.survey_id);
    const questions: { id: string; type: string }[] = await t.dataSource.query(
      'SELECT id, type FROM question WHERE questionnaire_id = $1 ORDER BY position',
      [campaign.questionnaireId],
    );
    const nps = questions.find((q) => q.type === 'nps')!;

    const first = tokens.get(people[0].email)!;
    const page = await openSurvey(t, first);
    expect(page.page.statusCode).toBe(200);
    expect(page.page.body).toContain('Service Desk');
    expect(page.page.body).toContain('Facilities');
    expect(page.page.body).toContain('name="t1_skip"');
    // Released only with at least m = 3 people about the team, shown in groups of k = 3.
    expect(page.page.body).toContain('together with those of at least 3 people');
    expect(page.page.body).toContain('shown only for groups of at least 3 people');

    // Nothing answered and nothing skipped: told so, nothing written.
    const empty = await submitSurvey(t, first, {}, page);
    expect(empty.statusCode).toBe(422);
    expect(
      await t.dataSource.query('SELECT 1 FROM pending_response WHERE survey_id = $1', [
        fresh.survey_id,
      ]),
    ).toHaveLength(0);
    // The second block skipped: an answer about the first team only.
    const res = await submitSurvey(t, first, { [`t0_q_${nps.id}`]: '9', t1_skip: 'on' }, page);
    expect(res.statusCode).toBe(200);
    for (const [i, fields] of [
      { [`t0_q_${nps.id}`]: '3', [`t1_q_${nps.id}`]: '10' },
      { [`t0_q_${nps.id}`]: '7', [`t1_q_${nps.id}`]: '8' },
      { t0_skip: 'on', [`t1_q_${nps.id}`]: '6' },
    ].entries())
      expect((await submitSurvey(t, tokens.get(people[i + 1].email)!, fields)).statusCode).toBe(
        200,
      );
    // Kept sealed, one row per person, a block per team answered about.
    const pending: { sealed: Buffer }[] = await t.dataSource.query(
      'SELECT sealed FROM pending_response WHERE survey_id = $1',
      [fresh.survey_id],
    );
    expect(pending).toHaveLength(4);
    const blocks = pending.flatMap(
      (p) => openJson<SealedSubmission>(t.config.appSecret, 'pending-answer', p.sealed)!.blocks,
    );
    const scoresOf = (
      teamId: string,
      list: { teamId: string; answers: { score: number | null }[] }[],
    ) =>
      list
        .filter((b) => b.teamId === teamId)
        .map((b) => b.answers[0].score)
        .sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(blocks).toHaveLength(6);
    expect(scoresOf(desk.id, blocks)).toEqual([3, 7, 9]);
    expect(scoresOf(facilities.id, blocks)).toEqual([6, 8, 10]);
    // A used link answers 410.
    expect((await openSurvey(t, first)).page.statusCode).toBe(410);

    // Released once the wave's survey has closed: one response per person and team answered.
    expect(await t.get(ResponsesService).mix()).toBe(0);
    expect(await closeAndMix(fresh.survey_id)).toBe(6);
    const responses: { id: string; team_id: string; score: number }[] = await t.dataSource.query(
      `SELECT r.id, r.team_id, a.score FROM response r
         JOIN answer a ON a.response_id = r.id AND a.question_id = $2
        WHERE r.survey_id = $1`,
      [fresh.survey_id, nps.id],
    );
    expect(responses).toHaveLength(6);
    expect(new Set(responses.map((r) => r.id)).size).toBe(6);
    const released = responses.map((r) => ({ teamId: r.team_id, answers: [{ score: r.score }] }));
    expect(scoresOf(desk.id, released)).toEqual([3, 7, 9]);
    expect(scoresOf(facilities.id, released)).toEqual([6, 8, 10]);
    expect(
      await t.dataSource.query('SELECT 1 FROM pending_response WHERE survey_id = $1', [
        fresh.survey_id,
      ]),
    ).toHaveLength(0);
    const [{ answered }] = await t.dataSource.query(
      'SELECT count(*) FILTER (WHERE answered)::int AS answered FROM invitation WHERE survey_id = $1',
      [fresh.survey_id],
    );
    expect(answered).toBe(4);
  });

  it('asks a rotating subset each wave and eNPS at most once a quarter per person', async () => {
    const team = await createTeam(t, 'Own team');
    await createEmployees(t, 3, { department: 'Rotation', team: team.slug });
    const campaign = await createCampaign(t, {
      name: 'Engagement',
      template: 'engagement',
      subject: 'own_team',
      audience: { departments: ['Rotation'] },
      questionsPerWave: 2,
      cadence: { kind: 'monthly', start: '2027-01-04T10:00', timeZone: 'UTC' },
    });
    const surveyOf = async (at: Date) => {
      await t.get(WavesService).tick(at);
      const all = await waves(campaign.id);
      const last = all[all.length - 1];
      await t.get(WavesService).open(last.id);
      const [row] = await t.dataSource.query(
        `SELECT s.question_ids, s.subject, bool_and(i.asks_enps) AS enps, count(i.team_id)::int AS with_team
           FROM wave w JOIN survey s ON s.id = w.survey_id JOIN invitation i ON i.survey_id = s.id
          WHERE w.id = $1 GROUP BY s.id`,
        [last.id],
      );
      return row;
    };
    const questions: { id: string; type: string }[] = await t.dataSource.query(
      'SELECT id, type FROM question WHERE questionnaire_id = $1 ORDER BY position',
      [campaign.questionnaireId],
    );
    const first = await surveyOf(AFTER);
    const second = await surveyOf(new Date(Date.UTC(2027, 1, 4, 10, 1)));
    expect(first.subject).toBe('own_team');
    expect(first.with_team).toBe(3);
    // eNPS and two others; the next wave the next two.
    expect(first.question_ids).toEqual([questions[0].id, questions[1].id, questions[2].id]);
    expect(second.question_ids).toEqual([questions[0].id, questions[3].id, questions[4].id]);
    expect(first.enps).toBe(true);
    expect(second.enps).toBe(false);
    // Wait: the insert compares with the wave's opening; three months on, asked again.
    const fourth = await surveyOf(new Date(Date.UTC(2027, 3, 4, 10, 1)));
    expect(fourth.enps).toBe(true);
  });

  it('reminds those who have not answered, each reminder once, through the mail pipeline', async () => {
    const desk = await createTeam(t, 'Desk');
    const people = await createEmployees(t, 3, { department: 'Reminded' });
    const campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Reminded'] },
      reminderDays: [2, 4],
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    await t.get(WavesService).open(wave.id);
    const [open] = await waves(campaign.id);
    const tokens = await waveTokens(t, open.survey_id);
    const [nps] = await t.dataSource.query(
      `SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'nps'`,
      [campaign.questionnaireId],
    );
    expect(
      (await submitSurvey(t, tokens.get(people[0].email)!, { [`t0_q_${nps.id}`]: '8' })).statusCode,
    ).toBe(200);
    // The database cannot tell who has answered before the release (the answer waits sealed,
    // its invitation untouched): a reminder is queued for each, and the one of a person whose
    // answer waits is cancelled when it is built. Sent (now) through the mail pipeline.
    const reminders = async (sequence: number) => {
      await t.dataSource.query(
        `UPDATE mail_message SET due_at = now() WHERE sequence = $2 AND status = 'queued'
           AND invitation_id IN (SELECT id FROM invitation WHERE survey_id = $1)`,
        [open.survey_id, sequence],
      );
      await sendQueuedMail(t);
      const rows: { email: string; status: string }[] = await t.dataSource.query(
        `SELECT e.email, m.status FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
           JOIN employee e ON e.id = i.employee_id WHERE i.survey_id = $1 AND m.sequence = $2`,
        [open.survey_id, sequence],
      );
      const delivered: { to_address: string }[] = await t.dataSource.query(
        `SELECT to_address FROM outbox_message
          WHERE to_address = ANY($1) AND kind = 'wave' AND subject LIKE 'If you have a minute%'`,
        [rows.map((r) => r.email)],
      );
      return {
        sent: rows
          .filter((r) => r.status === 'sent')
          .map((r) => r.email)
          .sort(),
        cancelled: rows
          .filter((r) => r.status === 'cancelled')
          .map((r) => r.email)
          .sort(),
        delivered: delivered.map((d) => d.to_address).sort(),
      };
    };
    // Not due on day 1; due on day 2; again does nothing.
    expect(
      await t.get(WavesService).remind(wave.id, new Date(FIRST.getTime() + DAY)),
    ).toBeUndefined();
    const day2 = new Date(FIRST.getTime() + 2 * DAY + 60_000);
    expect((await t.get(WavesService).tick(day2)).remind).toBeGreaterThanOrEqual(1);
    expect(await t.get(WavesService).remind(wave.id, day2)).toBe(1);
    expect(await t.get(WavesService).remind(wave.id, day2)).toBeUndefined();
    const notAnswered = [people[1].email, people[2].email].sort();
    expect(await reminders(1)).toEqual({
      sent: notAnswered,
      cancelled: [people[0].email],
      delivered: notAnswered,
    });
    expect(await t.get(WavesService).remind(wave.id, new Date(FIRST.getTime() + 4 * DAY))).toBe(2);
    expect(await reminders(2)).toEqual({
      sent: notAnswered,
      cancelled: [people[0].email],
      delivered: [...notAnswered, ...notAnswered].sort(),
    });
    // The reminder mail is worded to remind without pressure.
    const [mail] = await t.dataSource.query(
      `SELECT subject, text FROM outbox_message
        WHERE to_address = $1 AND kind = 'wave' AND subject LIKE 'If you have a minute%' LIMIT 1`,
      [people[1].email],
    );
    // Respondents see the template's title in their language, never HR's name for the campaign.
    expect(mail.subject).toBe('If you have a minute: How are our services doing?');
    expect(mail.text).toMatch(/If you would rather not, that is completely fine/);
  });

  it('closes a wave at the end of its window; its links then answer 410', async () => {
    const desk = await createTeam(t, 'Desk');
    const [person] = await createEmployees(t, t.config.mixBatchSize, { department: 'Closing' });
    const campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Closing'] },
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    await t.get(WavesService).open(wave.id);
    const [open] = await waves(campaign.id);
    const token = (await waveTokens(t, open.survey_id)).get(person.email)!;
    // Its window ends: closes_at passes (moved back, as the clock cannot be).
    await t.dataSource.query(
      `UPDATE survey SET closes_at = now() - interval '1 minute' WHERE id = $1`,
      [open.survey_id],
    );
    await t.dataSource.query(
      `UPDATE wave SET closes_at = now() - interval '1 minute' WHERE id = $1`,
      [wave.id],
    );
    const due = await t.get(WavesService).tick(new Date());
    expect(due.close).toBeGreaterThanOrEqual(1);
    expect(await t.get(WavesService).close(wave.id)).toBe(true);
    expect(await t.get(WavesService).close(wave.id)).toBe(false);
    expect((await waves(campaign.id))[0].status).toBe('closed');
    expect((await openSurvey(t, token)).page.statusCode).toBe(410);
  });

  it('reports a wave under the campaign’s k: withheld below it, shown at it', async () => {
    const team = await createTeam(t, 'Reported');
    const people = await createEmployees(t, 4, { department: 'Report', team: team.slug });
    const campaign = await createCampaign(t, {
      name: 'eNPS',
      template: 'enps',
      subject: 'own_team',
      audience: { departments: ['Report'] },
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    await t.get(WavesService).open(wave.id);
    const [open] = await waves(campaign.id);
    const tokens = await waveTokens(t, open.survey_id);
    const [enps] = await t.dataSource.query(
      `SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'enps'`,
      [campaign.questionnaireId],
    );
    const report = async () =>
      t
        .get(ReportsService)
        .campaignReport(
          await t.get(CampaignsService).reportScope(await t.get(CampaignsService).get(campaign.id)),
        );
    for (const [i, score] of [10, 9].entries())
      expect(
        (await submitSurvey(t, tokens.get(people[i].email)!, { [`q_${enps.id}`]: String(score) }))
          .statusCode,
      ).toBe(200);
    // While the wave is open nothing is released, and nothing shows.
    expect(await t.get(ResponsesService).mix()).toBe(0);
    let r = await report();
    expect(r.waves[0].participation.invited).toBe(4);
    expect(r.waves[0].participation.answered.withheld).toBe(true);
    expect(r.waves[0].participation.byDepartment).toEqual([]);
    expect(r.waves[0].enps?.withheld).toBe(true);
    expect(r.waves[0].heatmap.rows).toEqual([]);
    expect(
      (await submitSurvey(t, tokens.get(people[2].email)!, { [`q_${enps.id}`]: '2' })).statusCode,
    ).toBe(200);
    // Closed: released, three people at k.
    expect(await closeAndMix(open.survey_id)).toBe(3);
    r = await report();
    expect(r.waves[0].participation.answered).toMatchObject({
      withheld: false,
      answered: 3,
      rate: 75,
    });
    expect(r.waves[0].participation.byDepartment).toEqual([
      { label: 'Report', value: { withheld: false, n: 3, invited: 4, answered: 3, rate: 75 } },
    ]);
    expect(r.waves[0].enps).toMatchObject({ withheld: false, n: 3, nps: 33.3 });
    // The department its release named (all three share it), and no rest to show as "Other".
    expect(r.waves[0].heatmap.rows).toEqual([
      { label: 'Report', cells: [expect.objectContaining({ withheld: false, value: 33.3 })] },
    ]);
    // The API gives the same numbers.
    const api = await t.api({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}/report` });
    expect(api.statusCode).toBe(200);
    expect(api.json().waves[0].enps.nps).toBe(33.3);
  });

  /** An eNPS campaign about the people's own team, its first wave opened: survey, tokens, question. */
  const openEnpsWave = async (departments: string[]) => {
    const campaign = await createCampaign(t, {
      name: 'eNPS',
      template: 'enps',
      subject: 'own_team',
      audience: { departments },
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    await t.get(WavesService).open(wave.id);
    const [open] = await waves(campaign.id);
    const [enps] = await t.dataSource.query(
      `SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'enps'`,
      [campaign.questionnaireId],
    );
    const report = async () =>
      t
        .get(ReportsService)
        .campaignReport(
          await t.get(CampaignsService).reportScope(await t.get(CampaignsService).get(campaign.id)),
        );
    return {
      surveyId: open.survey_id as string,
      tokens: await waveTokens(t, open.survey_id),
      enps,
      report,
    };
  };

  it('deletes unread the answers of a wave below m people when it closes; its report stays withheld', async () => {
    const team = await createTeam(t, 'Few');
    const people = await createEmployees(t, 3, { department: 'Few', team: team.slug });
    const wave = await openEnpsWave(['Few']);
    for (const [i, score] of [10, 9].entries())
      expect(
        (
          await submitSurvey(t, wave.tokens.get(people[i].email)!, {
            [`q_${wave.enps.id}`]: String(score),
          })
        ).statusCode,
      ).toBe(200);
    expect(await closeAndMix(wave.surveyId)).toBe(0);
    expect(
      await t.dataSource.query('SELECT 1 FROM response WHERE survey_id = $1', [wave.surveyId]),
    ).toHaveLength(0);
    expect(
      await t.dataSource.query('SELECT 1 FROM pending_response WHERE survey_id = $1', [
        wave.surveyId,
      ]),
    ).toHaveLength(0);
    // The two are marked answered (no reminder, no second answer), and counted under k.
    const [{ answered }] = await t.dataSource.query(
      'SELECT count(*) FILTER (WHERE answered)::int AS answered FROM invitation WHERE survey_id = $1',
      [wave.surveyId],
    );
    expect(answered).toBe(2);
    const r = await wave.report();
    expect(r.waves[0].participation.invited).toBe(3);
    expect(r.waves[0].participation.answered).toEqual({ withheld: true });
    expect(r.waves[0].participation.byDepartment).toEqual([]);
    expect(r.waves[0].enps).toEqual({ withheld: true });
    expect(r.waves[0].heatmap.rows).toEqual([]);
  });

  it('shows in the heatmap the departments its release named, and the rest as “Other”', async () => {
    const team = await createTeam(t, 'Heat');
    const named = await createEmployees(t, 3, { department: 'Heat-A', team: team.slug });
    const fewer = [
      ...(await createEmployees(t, 2, { department: 'Heat-B', team: team.slug })),
      ...(await createEmployees(t, 1, { department: 'Heat-C', team: team.slug })),
    ];
    const wave = await openEnpsWave(['Heat-A', 'Heat-B', 'Heat-C']);
    for (const [people, score] of [
      [named, '10'],
      [fewer, '0'],
    ] as const)
      for (const person of people)
        expect(
          (await submitSurvey(t, wave.tokens.get(person.email)!, { [`q_${wave.enps.id}`]: score }))
            .statusCode,
        ).toBe(200);
    expect(await closeAndMix(wave.surveyId)).toBe(6);
    // Heat-A is shared by m people: named. Heat-B and Heat-C are not: only the rest.
    const segments: { value: string; n: number }[] = await t.dataSource.query(
      `SELECT value, n FROM response_segment WHERE survey_id = $1 AND dimension = 'department'`,
      [wave.surveyId],
    );
    expect(segments).toEqual([{ value: 'Heat-A', n: 3 }]);
    const r = await wave.report();
    expect(r.waves[0].enps).toMatchObject({ withheld: false, n: 6, nps: 0 });
    expect(r.waves[0].heatmap.rows).toEqual([
      { label: 'Heat-A', cells: [expect.objectContaining({ withheld: false, value: 100 })] },
      { label: 'Other', cells: [expect.objectContaining({ withheld: false, value: -100 })] },
    ]);
    // Participation is HR's own count of invitations: departments below k fold into "Other".
    expect(r.waves[0].participation.byDepartment).toEqual([
      { label: 'Heat-A', value: expect.objectContaining({ withheld: false, answered: 3 }) },
      { label: 'Other', value: expect.objectContaining({ withheld: false, answered: 3 }) },
    ]);
  });

  it('applies the fatigue budget when a wave opens, and counts whom it kept out', async () => {
    const desk = await createTeam(t, 'Desk');
    await createEmployees(t, 3, { department: 'Tired' });
    await createEmployees(t, 3, { department: 'Fresh' });
    const fatigue = t.get(FatigueService);
    await fatigue.setDays(7, undefined);
    try {
      const first = await createCampaign(t, {
        teamSlugs: [desk.slug],
        audience: { departments: ['Tired'] },
      });
      const second = await createCampaign(t, {
        name: 'Second pulse',
        teamSlugs: [desk.slug],
        audience: { departments: ['Tired', 'Fresh'] },
      });
      const third = await createCampaign(t, {
        name: 'Third pulse',
        teamSlugs: [desk.slug],
        audience: { departments: ['Tired'] },
      });
      await t.get(WavesService).tick(AFTER);
      const [a] = await waves(first.id);
      const [b] = await waves(second.id);
      const [c] = await waves(third.id);
      expect(await t.get(WavesService).open(a.id)).toBe(3);
      expect(await t.get(WavesService).open(b.id)).toBe(3);
      const [shown] = await t.get(CampaignsService).waves(second.id);
      expect(shown.skippedByBudget).toBe(3);
      // Everyone of the third is kept out: a wave below m is not sent at all, and closes.
      expect(await t.get(WavesService).open(c.id)).toBe(0);
      const [closed] = await waves(third.id);
      expect({ status: closed.status, survey: closed.survey_id, invited: closed.invited }).toEqual({
        status: 'closed',
        survey: null,
        invited: 0,
      });
    } finally {
      await fatigue.setDays(0, undefined);
    }
  });

  it('does not open a wave whose audience is smaller than a release needs', async () => {
    const desk = await createTeam(t, 'Desk');
    await createEmployees(t, t.config.mixBatchSize - 1, { department: 'Too few' });
    const campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Too few'] },
    });
    await t.get(WavesService).tick(AFTER);
    const [wave] = await waves(campaign.id);
    expect(await t.get(WavesService).open(wave.id)).toBe(0);
    const [after] = await waves(campaign.id);
    expect(after.status).toBe('closed');
    expect(after.survey_id).toBeNull();
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM invitation i JOIN employee e ON e.id = i.employee_id
        WHERE e.department = 'Too few'`,
    );
    expect(n).toBe(0);
  });
});
