import { WavesService } from '../../src/modules/campaigns/waves.service';
import {
  createCampaign,
  createEmployees,
  createTeam,
  formBody,
  sendQueuedMail,
  signIn,
} from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

const form = (cookie: string) => ({ 'content-type': 'application/x-www-form-urlencoded', cookie });

describe('campaigns: API and pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REPORTING_THRESHOLD: '3', ORGANISATION_TIME_ZONE: 'Europe/Madrid' });
  });
  afterAll(() => t.close());

  const counts = async () => {
    const [row] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM campaign)::int AS campaigns, (SELECT count(*) FROM questionnaire)::int AS questionnaires`,
    );
    return row;
  };

  it('refuses a bad campaign with a 400 naming every problem, and writes nothing', async () => {
    const before = await counts();
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: {
        name: 'Bad',
        template: 'pulse',
        teamSlugs: ['no-such-team'],
        audience: { includeEmails: ['nobody@example.com'], tenureBands: ['10y'] },
        cadence: { kind: 'weekly', start: '2027-01-04T10:00', timeZone: 'Mars/Base' },
        sendWindow: { from: '18:00', to: '09:00', days: ['mon'] },
        openDays: 10,
        reminderDays: [2, 1, 3, 4],
        reportingThreshold: 2,
      },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('campaign.invalid');
    const text = body.details.join('\n');
    for (const expected of [
      /no service team with slug no-such-team/,
      /include: no employee with e-mail nobody@example.com/,
      /IANA time zone/,
      /tenure band/,
      /end after it starts/,
      /at most 3 reminders/,
      /increasing order/,
      /reportingThreshold must be a whole number from 3/,
    ])
      expect(text).toMatch(expected);
    expect(await counts()).toEqual(before);

    const overlap = await t.api({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: {
        name: 'Overlap',
        template: 'enps',
        cadence: { kind: 'weekly', start: '2027-01-04T10:00' },
        openDays: 9,
      },
    });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().message).toMatch(/overlap/);
    const shape = await t.api({
      method: 'POST',
      url: '/api/v1/campaigns',
      payload: { name: 'x', cadence: { kind: 'hourly', start: 'soon' }, extra: 1 },
    });
    expect(shape.statusCode).toBe(400);
    expect(shape.json().message).toMatch(/cadence.kind must be one of/);
    // A start that is not on the calendar or the clock is refused, never read as another.
    for (const [start, problem] of [
      ['2027-02-30T10:00', /start "2027-02-30T10:00" does not exist: February 2027 has 28 days/],
      ['2027-01-04T10:60', /start "2027-01-04T10:60" does not exist: the time must be/],
    ]) {
      const impossible = await t.api({
        method: 'POST',
        url: '/api/v1/campaigns',
        payload: { name: 'Impossible', template: 'pulse', cadence: { kind: 'weekly', start } },
      });
      expect(impossible.statusCode).toBe(400);
      expect(impossible.json().message).toMatch(problem);
    }
    expect(await counts()).toEqual(before);
  });

  it('creates, lists, counts the audience, pauses, resumes and archives through the API', async () => {
    const desk = await createTeam(t, 'Desk');
    await createEmployees(t, 4, { department: 'Api-dept' });
    const campaign = await createCampaign(t, { teamSlugs: [desk.slug] });
    const got = await t.api({ method: 'GET', url: `/api/v1/campaigns/${campaign.id}` });
    expect(got.json()).toMatchObject({ status: 'active', subject: 'teams', locked: false });
    expect(got.json().ratedTeams).toEqual([{ slug: desk.slug, name: 'Desk' }]);
    const count = await t.api({
      method: 'POST',
      url: '/api/v1/campaigns/audience-count',
      payload: { departments: ['Api-dept'], includeEmails: ['ghost@example.com'] },
    });
    expect(count.json()).toEqual({ count: 4, unknownEmails: ['ghost@example.com'] });
    const step = (action: string) =>
      t.api({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/${action}` });
    expect((await step('resume')).statusCode).toBe(409);
    expect((await step('pause')).json().status).toBe('paused');
    expect((await step('resume')).json().status).toBe('active');
    expect((await step('archive')).json().status).toBe('archived');
    expect((await step('pause')).statusCode).toBe(409);
    expect((await t.api({ method: 'GET', url: '/api/v1/campaigns/not-a-uuid' })).statusCode).toBe(
      400,
    );
    expect(
      (
        await t.api({
          method: 'GET',
          url: '/api/v1/campaigns/00000000-0000-4000-8000-000000000000',
        })
      ).statusCode,
    ).toBe(404);
  });

  it('fixes the threshold, questionnaire and subject once a wave has opened', async () => {
    const desk = await createTeam(t, 'Desk');
    await createEmployees(t, 2, { department: 'Locked' });
    const campaign = await createCampaign(t, {
      teamSlugs: [desk.slug],
      audience: { departments: ['Locked'] },
    });
    const body = {
      name: 'Renamed',
      template: 'pulse',
      teamSlugs: [desk.slug],
      cadence: { kind: 'weekly', start: '2027-01-04T10:00', timeZone: 'UTC' },
      openDays: 5,
      reportingThreshold: 4,
    };
    await t.get(WavesService).tick(new Date('2027-01-04T10:01:00Z'));
    const res = await t.api({
      method: 'PUT',
      url: `/api/v1/campaigns/${campaign.id}`,
      payload: body,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/threshold is fixed/);
    const ok = await t.api({
      method: 'PUT',
      url: `/api/v1/campaigns/${campaign.id}`,
      payload: { ...body, reportingThreshold: 3 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Renamed', locked: true });
  });

  it('lets HR create a campaign in the pages, with the audience count working without JavaScript', async () => {
    const admin = await signIn(t, 'admin');
    const desk = await createTeam(t, 'Desk pages');
    await createEmployees(t, 3, { department: 'Pages-dept' });
    const page = await t.request({
      method: 'GET',
      url: '/campaigns/new',
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Pages-dept');
    const fields = {
      _csrf: admin.csrf,
      name: 'Pages pulse',
      template: 'pulse',
      subject: 'teams',
      teams: [desk.slug],
      departments: ['Pages-dept'],
      cadence: 'monthly',
      start: '2027-01-04T10:00',
      timeZone: 'Europe/Madrid',
      windowFrom: '09:00',
      windowTo: '17:00',
      windowDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      openDays: '7',
      reminder1: '3',
      reportingThreshold: '3',
    };
    const counted = await t.request({
      method: 'POST',
      url: '/campaigns',
      headers: form(admin.cookie),
      payload: formBody({ ...fields, action: 'count' }),
    });
    expect(counted.statusCode).toBe(200);
    expect(counted.body).toContain('3 people would be invited');
    expect(counted.body).toContain('value="Pages pulse"');
    const json = await t.request({
      method: 'GET',
      url: '/campaigns/audience-count?departments=Pages-dept',
      headers: { cookie: admin.cookie, accept: 'application/json' },
    });
    expect(json.json()).toEqual({ count: 3, unknownEmails: [] });

    const bad = await t.request({
      method: 'POST',
      url: '/campaigns',
      headers: form(admin.cookie),
      payload: formBody({ ...fields, openDays: 'seven', timeZone: 'Nowhere/City' }),
    });
    expect(bad.statusCode).toBe(400);
    // In the form's words, not the API's field names.
    expect(bad.body).toContain('Days each wave stays open must be a whole number');
    expect(bad.body).toContain('Time zone &quot;Nowhere/City&quot; is not an IANA time zone');
    const said = bad.body.match(/<div class="form-errors"[\s\S]*?<\/div>/)![0];
    expect(said).not.toMatch(/openDays|timeZone/);
    expect(bad.body).toContain('value="Pages pulse"');

    const created = await t.request({
      method: 'POST',
      url: '/campaigns',
      headers: form(admin.cookie),
      payload: formBody({ ...fields, action: 'save' }),
    });
    expect(created.statusCode).toBe(303);
    const show = await t.request({
      method: 'GET',
      url: created.headers.location as string,
      headers: { cookie: admin.cookie },
    });
    expect(show.statusCode).toBe(200);
    expect(show.body).toContain('Pages pulse');
    expect(show.body).toMatch(/<strong id="audience-now">3<\/strong>/);
    const id = (created.headers.location as string).split('/')[2].split('?')[0];
    const paused = await t.request({
      method: 'POST',
      url: `/campaigns/${id}/pause`,
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf }),
    });
    expect(paused.statusCode).toBe(303);
    expect(paused.headers.location).toBe(`/campaigns/${id}?done=paused`);
    const pausedPage = await t.request({
      method: 'GET',
      url: paused.headers.location as string,
      headers: { cookie: admin.cookie },
    });
    expect(pausedPage.body).toContain('status-paused');
    expect(pausedPage.body).toContain('Paused: no new wave will open.');
    const noCsrf = await t.request({
      method: 'POST',
      url: `/campaigns/${id}/resume`,
      headers: form(admin.cookie),
      payload: formBody({}),
    });
    expect(noCsrf.statusCode).toBe(403);
    const preview = await t.request({
      method: 'GET',
      url: `/campaigns/${id}/preview?locale=fa`,
      headers: { cookie: admin.cookie },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('dir="rtl"');
    expect(preview.body).toContain('Desk pages');
    const report = await t.request({
      method: 'GET',
      url: `/campaigns/${id}/report`,
      headers: { cookie: admin.cookie },
    });
    expect(report.statusCode).toBe(200);
    // Leads and viewers do not manage campaigns.
    const lead = await signIn(t, 'lead');
    expect(
      (await t.request({ method: 'GET', url: '/campaigns', headers: { cookie: lead.cookie } }))
        .statusCode,
    ).toBe(403);
  });

  it('sends HR a test whose link shows the survey and records nothing', async () => {
    const admin = await signIn(t, 'admin');
    const desk = await createTeam(t, 'Desk test');
    const campaign = await createCampaign(t, { teamSlugs: [desk.slug] });
    const sent = await t.request({
      method: 'POST',
      url: `/campaigns/${campaign.id}/test`,
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf, locale: 'es' }),
    });
    expect(sent.statusCode).toBe(303);
    const sentPage = await t.request({
      method: 'GET',
      url: sent.headers.location as string,
      headers: { cookie: admin.cookie },
    });
    expect(sentPage.body).toContain(`on its way to ${admin.email}`);
    await sendQueuedMail(t);
    const [mail] = await t.dataSource.query(
      `SELECT subject, text FROM outbox_message WHERE to_address = $1 AND kind = 'campaign-test'`,
      [admin.email],
    );
    expect(mail.subject).toMatch(/^\[Prueba\]/);
    const path = mail.text.match(/http:\/\/localhost:3000(\/s\/test\/\S+)/)[1];
    const page = await t.request({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('no se guardará nada');
    expect(page.body).toContain('Desk test');
    const pendingBefore = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM pending_response',
    );
    const [nps] = await t.dataSource.query(
      `SELECT id FROM question WHERE questionnaire_id = $1 AND type = 'nps'`,
      [campaign.questionnaireId],
    );
    const invalid = await t.request({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ [`t0_q_${nps.id}`]: '11' }),
    });
    expect(invalid.statusCode).toBe(422);
    const answered = await t.request({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ [`t0_q_${nps.id}`]: '8' }),
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toContain('no se ha guardado nada');
    expect(await t.dataSource.query('SELECT count(*)::int AS n FROM pending_response')).toEqual(
      pendingBefore,
    );
    const forged = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await t.request({ method: 'GET', url: forged })).statusCode).toBe(404);
  });
});
