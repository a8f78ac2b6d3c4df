import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { createEmployees, createSurvey, formBody, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

const form = (cookie: string) => ({ 'content-type': 'application/x-www-form-urlencoded', cookie });

describe('the survey fatigue budget', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A survey goes to at least m people (MIX_BATCH_SIZE), counted after the budget: m as small
    // as it may be (k = 3), so that a handful of people show what the budget keeps out.
    t = await startTestApp({ REPORTING_THRESHOLD: '3', MIX_BATCH_SIZE: '3' });
  });
  afterAll(() => t.close());

  const setDays = (days: unknown) =>
    t.api({ method: 'PUT', url: '/api/v1/settings/fatigue', payload: { days } });

  it('is off until HR sets it, and refuses what is not a number of days', async () => {
    const initial = await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' });
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({ days: 0, skippedTotal: 0, skipped: [] });
    for (const bad of [-1, 366, 2.5, '7', null]) {
      const res = await setDays(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/days must be/);
    }
    expect((await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' })).json().days).toBe(0);
    expect((await setDays(7)).json()).toEqual({ days: 7 });
    expect((await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' })).json().days).toBe(7);
    await setDays(0);
  });

  it('keeps people invited within the budget out of the next survey, and counts them', async () => {
    await setDays(7);
    const people = await createEmployees(t, 6);
    const first = await createSurvey(t);
    const second = await createSurvey(t);
    const surveys = t.get(SurveysService);
    expect(
      await surveys.send(first.survey.id, { employeeIds: people.slice(0, 3).map((p) => p.id) }),
    ).toMatchObject({ invited: 3, skippedByBudget: 0 });
    const res = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${second.survey.id}/send`,
      payload: { employeeIds: people.map((p) => p.id) },
    });
    expect(res.json()).toMatchObject({ invited: 3, alreadyInvited: 0, skippedByBudget: 3 });
    // Sending the same survey again: those invited are already invited, the rest still skipped.
    expect(
      await surveys.send(second.survey.id, { employeeIds: people.map((p) => p.id) }),
    ).toMatchObject({ invited: 0, alreadyInvited: 3, skippedByBudget: 3 });
    const invited: { employee_id: string }[] = await t.dataSource.query(
      'SELECT employee_id FROM invitation WHERE survey_id = $1',
      [second.survey.id],
    );
    expect(invited.map((i) => i.employee_id).sort()).toEqual(
      people
        .slice(3)
        .map((p) => p.id)
        .sort(),
    );
    // No mail for those kept out.
    const [{ mails }] = await t.dataSource.query(
      `SELECT count(*)::int AS mails FROM mail_message m JOIN invitation i ON i.id = m.invitation_id
        WHERE i.survey_id = $1`,
      [second.survey.id],
    );
    expect(mails).toBe(3);

    const summary = (await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' })).json();
    expect(summary.skippedTotal).toBe(6);
    expect(summary.skipped).toEqual([
      expect.objectContaining({
        source: 'survey',
        sourceId: second.survey.id,
        name: 'Test survey',
        skipped: 6,
      }),
    ]);

    // A send the budget would leave below m people is refused whole: no invitation, nothing
    // counted as kept out.
    const fourth = await createSurvey(t);
    const refused = await t.api({
      method: 'POST',
      url: `/api/v1/surveys/${fourth.survey.id}/send`,
      payload: { employeeIds: people.map((p) => p.id) },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: 'survey.audience_too_small' });
    expect(
      await t.dataSource.query('SELECT 1 FROM invitation WHERE survey_id = $1', [fourth.survey.id]),
    ).toHaveLength(0);
    expect(
      (await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' })).json().skippedTotal,
    ).toBe(6);

    // With the budget off, the same people can be invited at once.
    await setDays(0);
    const third = await createSurvey(t);
    expect(
      await surveys.send(third.survey.id, { employeeIds: people.map((p) => p.id) }),
    ).toMatchObject({ invited: 6, skippedByBudget: 0 });
  });

  it('lets only one of two simultaneous sendings through to the same person', async () => {
    await setDays(30);
    const [person, ...others] = await createEmployees(t, 7);
    const a = await createSurvey(t);
    const b = await createSurvey(t);
    const surveys = t.get(SurveysService);
    // Each survey has m people of its own besides the person both want.
    const results = await Promise.all([
      surveys.send(a.survey.id, { employeeIds: [person, ...others.slice(0, 3)].map((p) => p.id) }),
      surveys.send(b.survey.id, { employeeIds: [person, ...others.slice(3)].map((p) => p.id) }),
    ]);
    expect(results.map((r) => r.invited).sort()).toEqual([3, 4]);
    expect(results.map((r) => r.skippedByBudget).sort()).toEqual([0, 1]);
    const [{ n }] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM invitation WHERE employee_id = $1',
      [person.id],
    );
    expect(n).toBe(1);
    await setDays(0);
  });

  it('is set by HR on the settings page, which shows what it kept out', async () => {
    const admin = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: '/admin/settings',
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="fatigue-current">off<');
    expect(page.body).toMatch(/id="fatigue-total">\d+</);
    expect(page.body).toContain('Test survey');

    const bad = await t.request({
      method: 'POST',
      url: '/admin/settings',
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf, days: 'a week' }),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('days must be a whole number from 0');
    expect(bad.body).toContain('value="a week"');
    expect((await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' })).json().days).toBe(0);

    const forged = await t.request({
      method: 'POST',
      url: '/admin/settings',
      headers: form(admin.cookie),
      payload: formBody({ _csrf: 'forged', days: '9' }),
    });
    expect(forged.statusCode).toBe(403);

    const saved = await t.request({
      method: 'POST',
      url: '/admin/settings',
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf, days: '14' }),
    });
    expect(saved.statusCode).toBe(303);
    expect((await t.api({ method: 'GET', url: '/api/v1/settings/fatigue' })).json().days).toBe(14);
    const after = await t.request({
      method: 'GET',
      url: '/admin/settings?saved=1',
      headers: { cookie: admin.cookie },
    });
    expect(after.body).toContain('id="fatigue-current">14<');
    const [audit] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'settings.fatigue_changed' ORDER BY at DESC LIMIT 1`,
    );
    expect(audit.details).toEqual({ days: 14 });

    const lead = await signIn(t, 'lead');
    const refused = await t.request({
      method: 'GET',
      url: '/admin/settings',
      headers: { cookie: lead.cookie },
    });
    expect(refused.statusCode).toBe(403);
  });
});
