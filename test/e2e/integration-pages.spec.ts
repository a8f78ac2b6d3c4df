import { createTeam, followRedirect, formBody, signIn } from '../factories';
import { deliver, type TestIntegration } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

const STACK_TRACE = /at .+\.(ts|js):\d+/;

/** A page's text as a browser shows it (Handlebars escapes quotes, =, / …). */
const shown = (html: string) =>
  html.replace(
    /&(quot|#x27|#x3D|#x2F|#x60|amp);/g,
    (_, e: string) =>
      ({ quot: '"', '#x27': "'", '#x3D': '=', '#x2F': '/', '#x60': '`', amp: '&' })[e] ?? e,
  );

/** HR's integration pages, as a browser uses them: forms with the session's CSRF token. */
describe('integration pages', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let teamSlug: string;
  let otherSlug: string;

  beforeAll(async () => {
    t = await startTestApp();
    teamSlug = (await createTeam(t, 'Service Desk')).slug;
    otherSlug = (await createTeam(t, 'Field Services')).slug;
    admin = await signIn(t, 'admin');
  });
  afterAll(() => t.close());

  const post = (url: string, fields: Record<string, string>, session = admin) =>
    t.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      payload: formBody({ _csrf: session.csrf, ...fields }),
    });
  const integrations = async () =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM integration'))[0].n as number;

  it('creates an integration and shows its secret once, with the set-up of its system', async () => {
    const res = await post('/admin/integrations', {
      kind: 'generic',
      name: 'Intake form',
      defaultTeam: teamSlug,
    });
    expect(res.statusCode).toBe(303);
    // The secret is not in the URL; its one-time cookie shows nothing to another person.
    expect(res.headers.location).toMatch(/^\/admin\/integrations\/[0-9a-f-]{36}$/);
    const otherAdmin = await signIn(t, 'admin');
    const elsewhere = await followRedirect(t, res, otherAdmin.cookie);
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).not.toContain('id="signing-secret"');
    const created = await followRedirect(t, res, admin.cookie);
    expect(created.headers['cache-control']).toBe('no-store');
    const secret = shown(created.body).match(
      /<code class="secret" id="signing-secret">(whsec_[^<]+)<\/code>/,
    )?.[1];
    expect(secret).toBeDefined();
    expect(created.body).toContain('Standard Webhooks');
    const id = created.body.match(/\/webhooks\/([0-9a-f-]{36})/)![1];
    // The secret works, and is never shown again.
    const integration: TestIntegration = { id, kind: 'generic', secret: secret as string };
    const delivered = await deliver(t, integration, {
      type: 'ticket.created',
      ticket: { id: 'PAGE-1', group: { name: 'Dispatch' } },
    });
    expect(delivered.statusCode).toBe(202);
    const page = await t.request({
      method: 'GET',
      url: `/admin/integrations/${id}`,
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(shown(page.body)).not.toContain(secret);
    expect(page.body).toContain('PAGE-1');
    expect(page.body).toContain('Dispatch → Service Desk');

    // Settings: mapping rules one per line, exclusions, numbers.
    const saved = await post(`/admin/integrations/${id}`, {
      name: 'Intake form',
      active: 'on',
      defaultTeam: teamSlug,
      mappingRules: `Dispatch => ${otherSlug}\n`,
      delayMinutes: '30',
      linkExpiryDays: '7',
      throttleDays: '60',
      samplingPercent: '50',
      excludedCategories: 'Grievance\nLegal matter',
      excludeRequesterIsAssignee: 'on',
    });
    expect(saved.statusCode).toBe(303);
    const [row] = await t.dataSource.query(
      `SELECT delay_minutes, link_expiry_days, throttle_days, sampling_percent, excluded_categories,
              mapping_rules FROM integration WHERE id = $1`,
      [id],
    );
    expect(row).toMatchObject({
      delay_minutes: 30,
      link_expiry_days: 7,
      throttle_days: 60,
      sampling_percent: 50,
      excluded_categories: ['Grievance', 'Legal matter'],
      mapping_rules: [{ match: 'Dispatch', teamId: expect.any(String) }],
    });
    // The next ticket of that group goes to the mapped team.
    await deliver(t, integration, {
      type: 'ticket.created',
      ticket: { id: 'PAGE-2', group: { name: 'dispatch' } },
    });
    const again = await t.request({
      method: 'GET',
      url: `/admin/integrations/${id}`,
      headers: { cookie: admin.cookie },
    });
    expect(again.body).toContain('dispatch → Field Services');

    // Rotation shows the new secret once; the old one still works during the overlap.
    const rotation = await post(`/admin/integrations/${id}/rotate`, { overlapHours: '2' });
    const rotated = await followRedirect(t, rotation, admin.cookie);
    expect(rotated.statusCode).toBe(200);
    const newSecret = shown(rotated.body).match(/id="signing-secret">(whsec_[^<]+)</)?.[1];
    expect(newSecret).toBeDefined();
    expect(newSecret).not.toBe(secret);
    expect(rotated.body).toContain('previous secret is still accepted until');
    expect(
      (await deliver(t, integration, { type: 'ticket.created', ticket: { id: 'PAGE-3' } }))
        .statusCode,
    ).toBe(202);
  });

  it.each([
    [{ kind: 'trello', name: 'X', defaultTeam: 'a' }, /system must be one of/],
    [
      { kind: 'generic', name: '', defaultTeam: 'nope' },
      /name must have 1 to 200 characters.*no team "nope"/,
    ],
    [
      { kind: 'zendesk', name: 'Zendesk', defaultTeam: 'x' },
      /signing secret is required for Zendesk/,
    ],
    [
      { kind: 'zendesk', name: 'Zendesk', defaultTeam: 'x', signingSecret: 'short' },
      /16 to 200 characters/,
    ],
  ])('refuses %o with the form again and a message', async (fields, message) => {
    const before = await integrations();
    const res = await post('/admin/integrations', fields as Record<string, string>);
    expect(res.statusCode).toBe(400);
    expect(shown(res.body)).toMatch(message);
    expect(res.body).toContain('<form method="post" action="/admin/integrations"');
    expect(res.body).not.toMatch(STACK_TRACE);
    expect(await integrations()).toBe(before);
  });

  it('refuses bad settings with a message and changes nothing', async () => {
    const created = await post('/admin/integrations', {
      kind: 'jira',
      name: 'Jira',
      defaultTeam: teamSlug,
    });
    expect(created.statusCode).toBe(303);
    const id = (created.headers.location as string).split('/')[3];
    const before = await t.dataSource.query('SELECT * FROM integration WHERE id = $1', [id]);
    for (const [fields, message] of [
      [{ mappingRules: 'no arrow here' }, /Mapping rule 1 must read/],
      [{ mappingRules: 'Desk => no-such-team' }, /no team "no-such-team"/],
      [{ delayMinutes: 'soon' }, /Delay must be a whole number/],
      // In the form's words, not the API's field names.
      [
        { samplingPercent: '150' },
        /share of resolved tickets surveyed \(%\) must be a whole number from 0 to 100/,
      ],
      [{ linkExpiryDays: '0' }, /days a survey link is valid must be a whole number from 1 to 60/],
    ] as const) {
      const res = await post(`/admin/integrations/${id}`, {
        name: 'Jira',
        defaultTeam: teamSlug,
        ...(fields as Record<string, string>),
      });
      expect({ status: res.statusCode, message: message.test(shown(res.body)) }).toEqual({
        status: 400,
        message: true,
      });
    }
    expect(await t.dataSource.query('SELECT * FROM integration WHERE id = $1', [id])).toEqual(
      before,
    );
    // Unknown integration: 404; a form without the session's CSRF token: 403.
    const missing = await t.request({
      method: 'GET',
      url: '/admin/integrations/00000000-0000-4000-8000-000000000000',
      headers: { cookie: admin.cookie },
    });
    expect(missing.statusCode).toBe(404);
    const forged = await t.request({
      method: 'POST',
      url: `/admin/integrations/${id}/rotate`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
      payload: formBody({ _csrf: 'nope' }),
    });
    expect(forged.statusCode).toBe(403);
  });

  it('is for HR only', async () => {
    const lead = await signIn(t, 'lead', [teamSlug]);
    const res = await t.request({
      method: 'GET',
      url: '/admin/integrations',
      headers: { cookie: lead.cookie },
    });
    expect(res.statusCode).toBe(403);
    const api = await t.request({ method: 'GET', url: '/api/v1/integrations' });
    expect(api.statusCode).toBe(401);
  });
});
