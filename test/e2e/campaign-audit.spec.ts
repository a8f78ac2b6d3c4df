import { createCampaign, createTeam, formBody, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

const form = (cookie: string) => ({ 'content-type': 'application/x-www-form-urlencoded', cookie });

/**
 * Every change to a campaign leaves an audit entry saying who did what to which campaign (and,
 * for an edit, what changed); archiving, which cannot be undone, is asked for first and refused
 * without the confirmation, in the pages without any script.
 */
describe('campaign changes are audited; archiving asks first', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  beforeAll(async () => {
    t = await startTestApp({ REPORTING_THRESHOLD: '3' });
    admin = await signIn(t, 'admin');
  });
  afterAll(() => t.close());

  const entries = (campaignId: string) =>
    t.dataSource.query(
      `SELECT action, actor_user_id AS "userId", actor_token_id AS "tokenId", ip, details
         FROM audit_event WHERE target = $1 ORDER BY at, action`,
      [campaignId],
    ) as Promise<
      {
        action: string;
        userId: string | null;
        tokenId: string | null;
        ip: string | null;
        details: Record<string, unknown>;
      }[]
    >;
  const post = (url: string, fields: Record<string, string | string[]> = {}) =>
    t.request({
      method: 'POST',
      url,
      headers: form(admin.cookie),
      payload: formBody({ _csrf: admin.csrf, ...fields }),
    });

  it('records create, edit, pause, resume, test mail and archive made in the pages, by whom', async () => {
    const desk = await createTeam(t, 'Audit desk');
    const fields = {
      name: 'Audited pulse',
      title_es: 'Encuesta',
      template: 'pulse',
      subject: 'teams',
      teams: [desk.slug],
      cadence: 'weekly',
      start: '2027-01-04T10:00',
      timeZone: 'UTC',
      windowFrom: '09:00',
      windowTo: '17:00',
      windowDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      openDays: '7',
      reportingThreshold: '3',
    };
    const created = await post('/campaigns', fields);
    expect(created.statusCode).toBe(303);
    const id = (created.headers.location as string).split('/')[2].split('?')[0];
    expect(
      (await post(`/campaigns/${id}`, { ...fields, openDays: '5', title_es: 'Encuesta de IT' }))
        .statusCode,
    ).toBe(303);
    expect((await post(`/campaigns/${id}/pause`)).statusCode).toBe(303);
    expect((await post(`/campaigns/${id}/resume`)).statusCode).toBe(303);
    expect((await post(`/campaigns/${id}/test`, { locale: 'fa' })).statusCode).toBe(303);
    expect((await post(`/campaigns/${id}/archive`, { confirm: 'yes' })).statusCode).toBe(303);

    const log = await entries(id);
    expect(log.map((e) => e.action)).toEqual([
      'campaign.created',
      'campaign.updated',
      'campaign.paused',
      'campaign.resumed',
      'campaign.test_sent',
      'campaign.archived',
    ]);
    for (const entry of log) {
      expect(entry.userId).toBe(admin.userId);
      expect(entry.details.name).toBe('Audited pulse');
    }
    const [, updated, paused, resumed, test, archived] = log;
    expect(updated.details.changed).toEqual({
      openDays: { from: 7, to: 5 },
      titles: { from: { es: 'Encuesta' }, to: { es: 'Encuesta de IT' } },
    });
    expect(paused.details.status).toEqual({ from: 'active', to: 'paused' });
    expect(resumed.details.status).toEqual({ from: 'paused', to: 'active' });
    expect(test.details).toMatchObject({ to: admin.email, locale: 'fa' });
    expect(archived.details.status).toEqual({ from: 'active', to: 'archived' });
    // The audit page lists them under their own prefix.
    const page = await t.request({
      method: 'GET',
      url: '/admin/audit?action=campaign.',
      headers: { cookie: admin.cookie },
    });
    expect(page.body).toContain('campaign.archived');
  });

  it('records changes made through the API with the token as actor', async () => {
    const desk = await createTeam(t, 'Audit API desk');
    const campaign = await createCampaign(t, { name: 'API audited', teamSlugs: [desk.slug] });
    await t.api({ method: 'POST', url: `/api/v1/campaigns/${campaign.id}/pause` });
    const log = await entries(campaign.id);
    expect(log.map((e) => e.action)).toEqual(['campaign.created', 'campaign.paused']);
    for (const entry of log) {
      expect(entry.userId).toBeNull();
      expect(entry.tokenId).toEqual(expect.any(String));
    }
  });

  it('asks before archiving, works without script, and refuses an archive not confirmed', async () => {
    const desk = await createTeam(t, 'Archive desk');
    const campaign = await createCampaign(t, { name: 'Keep me', teamSlugs: [desk.slug] });
    const show = await t.request({
      method: 'GET',
      url: `/campaigns/${campaign.id}`,
      headers: { cookie: admin.cookie },
    });
    // The campaign page links to the question; no form there archives at once.
    expect(show.body).toContain(`href="/campaigns/${campaign.id}/archive"`);
    expect(show.body).not.toContain(`action="/campaigns/${campaign.id}/archive"`);
    const ask = await t.request({
      method: 'GET',
      url: `/campaigns/${campaign.id}/archive`,
      headers: { cookie: admin.cookie },
    });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('cannot be undone');
    expect(ask.body).toMatch(
      /<input type="checkbox" id="archive-confirm" name="confirm" value="yes" required>/,
    );

    const unconfirmed: Record<string, string | string[]>[] = [
      {},
      { confirm: 'no' },
      { confirm: ['yes', 'yes'] },
    ];
    for (const fields of unconfirmed) {
      const refused = await post(`/campaigns/${campaign.id}/archive`, fields);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('Tick “Yes, archive it for good”');
    }
    const [row] = await t.dataSource.query('SELECT status FROM campaign WHERE id = $1', [
      campaign.id,
    ]);
    expect(row.status).toBe('active');
    expect((await entries(campaign.id)).map((e) => e.action)).toEqual(['campaign.created']);

    const done = await post(`/campaigns/${campaign.id}/archive`, { confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    const again = await post(`/campaigns/${campaign.id}/archive`, { confirm: 'yes' });
    expect(again.statusCode).toBe(409);
    expect((await entries(campaign.id)).map((e) => e.action)).toEqual([
      'campaign.created',
      'campaign.archived',
    ]);
  });
});
