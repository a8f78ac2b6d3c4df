import { createTeam, formBody, signIn } from '../factories';
import { createIntegration, deliver, type TestIntegration } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

const MINUTE = 60_000;

/** The first Monday of the month before this one, 00:00 UTC. */
function mondayLastMonth(): number {
  const now = new Date();
  const first = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const weekday = (new Date(first).getUTCDay() + 6) % 7;
  return first + ((7 - weekday) % 7) * 86_400_000;
}

describe('service standards and follow-ups on the team pages', () => {
  let t: TestApp;
  let integration: TestIntegration;
  let slug: string;
  let otherSlug: string;
  const monday = mondayLastMonth();
  const month = new Date(monday).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp();
    const team = await createTeam(t, 'Service Desk');
    const other = await createTeam(t, 'Legal');
    slug = team.slug;
    otherSlug = other.slug;
    integration = await createIntegration(t, 'generic', { defaultTeam: slug });
    // Three tickets: first responses after 30, 90 and 10 minutes; handled in 2 h, 26 h, 5 h.
    const tickets = [
      { id: 'SS-1', created: monday + 9 * 60 * MINUTE, first: 30, handled: 120 },
      { id: 'SS-2', created: monday + (24 + 10) * 60 * MINUTE, first: 90, handled: 26 * 60 },
      { id: 'SS-3', created: monday + (9 * 60 + 30) * MINUTE, first: 10, handled: 5 * 60 },
    ];
    for (const ticket of tickets) {
      const resolved = new Date(ticket.created + ticket.handled * MINUTE).toISOString();
      const res = await deliver(t, integration, {
        type: 'ticket.resolved',
        occurredAt: resolved,
        ticket: {
          id: ticket.id,
          requester: { email: 'someone@example.com' },
          createdAt: new Date(ticket.created).toISOString(),
          firstResponseAt: new Date(ticket.created + ticket.first * MINUTE).toISOString(),
          resolvedAt: resolved,
        },
      });
      expect(res.statusCode).toBe(202);
    }
    // An open ticket of the same week: it counts for volume and first response, not handling.
    await deliver(t, integration, {
      type: 'ticket.created',
      occurredAt: new Date(monday + 9 * 60 * MINUTE + 5 * MINUTE).toISOString(),
      ticket: {
        id: 'SS-4',
        createdAt: new Date(monday + 9 * 60 * MINUTE + 5 * MINUTE).toISOString(),
      },
    });
  });
  afterAll(() => t.close());

  it('computes median and p90 first response and handling time, and the busiest hours', async () => {
    const api = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/${slug}/tickets?period=month&at=${month}`,
    });
    expect(api.statusCode).toBe(200);
    const report = api.json();
    expect(report.standards).toEqual({
      opened: 4,
      responded: 3,
      resolved: 3,
      // percentile_cont: the median of 10, 30, 90 is 30; its p90 is 30 + 0.8 × 60 = 78.
      firstResponse: { median: 30, p90: 78, target: null },
      // Of 120, 300, 1560: 300, and 300 + 0.8 × 1260 = 1308.
      handling: { median: 300, p90: 1308, target: null },
    });
    expect(report.busiestHours).toEqual({
      timeZone: 'UTC',
      max: 3,
      cells: [
        { weekday: 1, hour: 9, tickets: 3 },
        { weekday: 2, hour: 10, tickets: 1 },
      ],
    });
    // No one answered: the ticket iNPS is withheld, the period has closed.
    expect(report.period.closed).toBe(true);
    expect(report.sources[1]).toEqual({
      source: 'ticket',
      label: 'After tickets',
      value: { withheld: true },
      change: null,
    });

    const admin = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: `/teams/${slug}?period=month&at=${month}`,
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Service standards');
    expect(page.body).toMatch(
      /First response<\/th><td data-label="Median">30 min<\/td><td data-label="90% within">1 hr 18 min<\/td>/,
    );
    expect(page.body).toMatch(
      /Handling time<\/th><td data-label="Median">5 hr<\/td><td data-label="90% within">21 hr 48 min<\/td>/,
    );
    expect(page.body).toContain('title="Mon 9:00 — 3 tickets"');
    expect(page.body).toContain('class="busy-5" title="Mon 9:00');
    expect(page.body).toContain('After tickets');
  });

  it('shows follow-ups to the leads of their team and to HR, and to no one else', async () => {
    const [{ id: teamId }] = await t.dataSource.query(
      'SELECT id FROM service_team WHERE slug = $1',
      [slug],
    );
    await t.dataSource.query(
      `INSERT INTO follow_up (team_id, employee_name, employee_email, message, requested_on)
       VALUES ($1, 'Rosa Parra', 'rosa@example.com', 'Call me <b>please</b>', current_date)`,
      [teamId],
    );
    const lead = await signIn(t, 'lead', [slug]);
    const otherLead = await signIn(t, 'lead', [otherSlug]);
    const viewer = await signIn(t, 'viewer', [slug]);
    const get = (cookie: string) =>
      t.request({ method: 'GET', url: '/follow-ups', headers: { cookie } });
    const mine = await get(lead.cookie);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('rosa@example.com');
    expect(mine.body).toContain('Call me &lt;b&gt;please&lt;/b&gt;');
    expect(mine.body).toContain('<a href="/follow-ups">Follow-ups</a>');
    expect((await get(otherLead.cookie)).body).not.toContain('rosa@example.com');
    expect((await get(viewer.cookie)).statusCode).toBe(403);

    // The other lead cannot close it; its lead can.
    const [{ id }] = await t.dataSource.query('SELECT id FROM follow_up');
    const done = (cookie: string, csrf: string) =>
      t.request({
        method: 'POST',
        url: `/follow-ups/${id}/done`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        payload: formBody({ _csrf: csrf }),
      });
    expect((await done(otherLead.cookie, otherLead.csrf)).statusCode).toBe(404);
    expect((await done(lead.cookie, lead.csrf)).statusCode).toBe(303);
    const [row] = await t.dataSource.query('SELECT done_on IS NOT NULL AS done FROM follow_up');
    expect(row.done).toBe(true);
    const api = await t.api({ method: 'GET', url: '/api/v1/follow-ups' });
    expect(api.json().items).toEqual([
      expect.objectContaining({ employeeEmail: 'rosa@example.com', doneOn: expect.any(String) }),
    ]);
  });
});
