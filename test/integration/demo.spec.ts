import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DemoService } from '../../src/modules/demo/demo.service';
import {
  DEMO_REVIEW_MONTHS,
  DEMO_REVIEWED_TEAMS,
} from '../../src/modules/demo/demo-reviews.service';
import { ReportsService } from '../../src/modules/reports/reports.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { openSurvey } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

describe('demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
  });
  afterAll(() => t.close());

  it('seeds a believable organisation once, on an empty database', async () => {
    const demo = t.get(DemoService);
    expect(await demo.seedIfEmpty()).toBe(true);
    expect(await demo.seedIfEmpty()).toBe(false);
    const [counts] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM service_team)::int AS teams,
             (SELECT count(*) FROM service_team WHERE parent_id IS NOT NULL)::int AS sub_teams,
             (SELECT count(*) FROM employee)::int AS employees,
             (SELECT count(DISTINCT locale) FROM employee)::int AS locales,
             (SELECT count(DISTINCT department) FROM employee)::int AS departments,
             (SELECT count(*) FROM response)::int AS responses,
             (SELECT count(DISTINCT team_id) FROM response)::int AS teams_with_responses,
             (SELECT max(released_on) - min(released_on) FROM response)::int AS days,
             (SELECT count(*) FROM response_segment WHERE dimension = 'department')::int AS department_cells,
             (SELECT count(*) FROM answer WHERE text IS NOT NULL)::int AS comments,
             (SELECT count(DISTINCT score) FROM answer a JOIN question q ON q.id = a.question_id WHERE q.type = 'nps')::int AS nps_values`);
    expect(counts.teams).toBe(8);
    expect(counts.sub_teams).toBeGreaterThanOrEqual(3);
    expect(counts.employees).toBe(300);
    expect(counts.locales).toBe(4);
    expect(counts.departments).toBeGreaterThanOrEqual(6);
    expect(counts.responses).toBeGreaterThan(1000);
    expect(counts.teams_with_responses).toBe(8);
    expect(counts.days).toBeGreaterThanOrEqual(50);
    // Breakdowns have something to show: departments named in releases (at least m people each).
    expect(counts.department_cells).toBeGreaterThan(0);
    expect(counts.comments).toBeGreaterThan(200);
    expect(counts.nps_values).toBeGreaterThanOrEqual(8);

    // A campaign with three past waves, whose report has something to show.
    const [campaign] = await t.dataSource.query('SELECT id FROM campaign');
    const waves = await t.dataSource.query(
      `SELECT status FROM wave WHERE campaign_id = $1 ORDER BY number`,
      [campaign.id],
    );
    expect(waves.map((w: { status: string }) => w.status)).toEqual(['closed', 'closed', 'closed']);
    const campaigns = t.get(CampaignsService);
    const report = await t
      .get(ReportsService)
      .campaignReport(await campaigns.reportScope(await campaigns.get(campaign.id)));
    for (const wave of report.waves) {
      expect(wave.participation.answered.withheld).toBe(false);
      expect(wave.groups.every((g) => g.nps && !g.nps.withheld)).toBe(true);
      expect(wave.heatmap.rows).toHaveLength(3);
    }
    // Employees have time zones and, some, a team of their own.
    const [people] = await t.dataSource.query(
      `SELECT count(time_zone)::int AS zoned, count(team_id)::int AS teamed FROM employee`,
    );
    expect(people.zoned).toBeGreaterThan(200);
    expect(people.teamed).toBeGreaterThan(20);
  });

  it('has one integration of each kind, with tickets and answers after them for the team pages', async () => {
    const integrations: { kind: string }[] = await t.dataSource.query(
      'SELECT kind FROM integration ORDER BY kind',
    );
    expect(integrations.map((i) => i.kind)).toEqual([
      'freshservice',
      'generic',
      'jira',
      'servicenow',
      'zendesk',
    ]);
    const [counts] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM ticket_event)::int AS tickets,
             (SELECT count(DISTINCT integration_id) FROM ticket_event)::int AS sources,
             (SELECT count(*) FROM ticket_event WHERE first_response_at IS NOT NULL)::int AS responded,
             (SELECT count(*) FROM response WHERE source = 'ticket')::int AS answers,
             (SELECT count(DISTINCT (team_id, released_on)) FROM response WHERE source = 'ticket')::int AS releases,
             (SELECT count(*) FROM follow_up)::int AS follow_ups`);
    expect(counts.tickets).toBeGreaterThan(800);
    expect(counts.sources).toBe(5);
    expect(counts.responded).toBeGreaterThan(800);
    expect(counts.answers).toBeGreaterThan(150);
    // Released per team and period, in groups of at least m (10) different people.
    expect(counts.releases).toBeGreaterThan(8);
    expect(counts.answers / counts.releases).toBeGreaterThanOrEqual(10);
    expect(counts.follow_ups).toBeGreaterThan(0);
    // The service desk's page has service standards and, for last month, iNPS after tickets.
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15))
      .toISOString()
      .slice(0, 10);
    const report = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/it-service-desk/tickets?period=month&at=${lastMonth}`,
      })
    ).json();
    expect(report.standards.opened).toBeGreaterThan(50);
    expect(report.standards.firstResponse.median).toBeGreaterThan(0);
    expect(report.standards.handling.p90).toBeGreaterThan(report.standards.handling.median);
    expect(report.standards.firstResponse.target).toBe(60);
    expect(report.sources[1].value).toMatchObject({ withheld: false });
    expect(report.busiestHours.cells.length).toBeGreaterThan(20);
  });

  it('has anonymous reviews of the main teams for the last closed months, shown on their team pages', async () => {
    const [counts] = await t.dataSource.query(`
      SELECT (SELECT count(*) FROM response WHERE source = 'review')::int AS answers,
             (SELECT count(DISTINCT (team_id, released_on)) FROM response WHERE source = 'review')::int AS releases,
             (SELECT count(*) FROM survey WHERE source = 'review')::int AS surveys`);
    expect(counts.surveys).toBe(DEMO_REVIEWED_TEAMS.length * DEMO_REVIEW_MONTHS);
    expect(counts.releases).toBe(DEMO_REVIEWED_TEAMS.length * DEMO_REVIEW_MONTHS);
    // Released in groups of at least m (10) different people, as the mixer releases them.
    expect(counts.answers / counts.releases).toBeGreaterThanOrEqual(10);
    const reports = t.get(ReportsService);
    const now = new Date();
    for (let back = 1; back <= DEMO_REVIEW_MONTHS; back++) {
      const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 15))
        .toISOString()
        .slice(0, 10);
      for (const slug of DEMO_REVIEWED_TEAMS) {
        const review = await reports.reviewReport(slug, 'month', at);
        expect(review.period.closed).toBe(true);
        expect(review.value.withheld).toBe(false);
        if (review.value.withheld) continue;
        expect(review.value.n).toBeGreaterThanOrEqual(review.k);
        // Both open questions of the built-in questionnaire have comments to show.
        expect(review.questions).toHaveLength(2);
        for (const question of review.questions)
          expect(question.comments).toMatchObject({ withheld: false });
      }
    }
    // A team without reviews shows none.
    const legal = await reports.reviewReport(
      'legal',
      'month',
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15))
        .toISOString()
        .slice(0, 10),
    );
    expect(legal.value.withheld).toBe(true);
  });

  it('prints live links in three languages, and opens a new survey when the last has closed', async () => {
    const demo = t.get(DemoService);
    const links = await demo.liveLinks(3);
    expect(links.map((l) => l.locale)).toEqual(['en', 'es', 'fa']);
    for (const link of links) {
      const token = link.url.split('/s/')[1];
      expect((await openSurvey(t, token)).page.statusCode).toBe(200);
    }
    await t.dataSource.query(`UPDATE survey SET closes_at = now() - interval '1 day'`);
    const later = await demo.liveLinks(3);
    expect(later).toHaveLength(3);
    expect((await openSurvey(t, later[0].url.split('/s/')[1])).page.statusCode).toBe(200);
  });

  it('reissues links of its own live survey only: a newer survey of real people keeps its mailed links', async () => {
    const demo = t.get(DemoService);
    const surveys = t.get(SurveysService);
    const [{ id: questionnaireId }] = await t.dataSource.query(
      'SELECT id FROM questionnaire ORDER BY created_at DESC LIMIT 1',
    );
    const people: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM employee WHERE active ORDER BY email DESC LIMIT 10',
    );
    const real = await surveys.createSurvey({
      name: 'A wave of real people',
      questionnaireId,
      teamSlug: 'it-service-desk',
      openDays: 7,
    });
    await surveys.send(real.id, { employeeIds: people.map((p) => p.id) });
    await t.dataSource.query(
      `UPDATE invitation SET token_hash = sha256(id::text::bytea), sent_at = now() WHERE survey_id = $1`,
      [real.id],
    );
    const hashes = async () =>
      (
        await t.dataSource.query(
          'SELECT id, token_hash FROM invitation WHERE survey_id = $1 ORDER BY id',
          [real.id],
        )
      ).map((r: { id: string; token_hash: Buffer }) => `${r.id}:${r.token_hash.toString('hex')}`);
    const before = await hashes();
    const links = await demo.liveLinks(3);
    expect(links).toHaveLength(3);
    expect(await hashes()).toEqual(before);
  });

  it('gives every team a profile worth showing in the service directory', async () => {
    const teams: {
      slug: string;
      purpose: Record<string, { handles: string }>;
      profile_locale: string;
      time_zone: string;
      opening_hours: { day: number; opens: string; closes: string }[];
      hours_exceptions: { closed: boolean }[];
      contact_channels: { kind: string }[];
    }[] = await t.dataSource.query(
      `SELECT slug, purpose, profile_locale, time_zone, opening_hours, hours_exceptions, contact_channels
         FROM service_team ORDER BY slug`,
    );
    expect(teams).toHaveLength(8);
    for (const team of teams) {
      expect(team.purpose[team.profile_locale]?.handles).toBeTruthy();
      expect(team.time_zone).not.toBe('UTC');
      expect(team.opening_hours.length).toBeGreaterThan(0);
      expect(team.contact_channels.length).toBeGreaterThanOrEqual(2);
      expect(team.contact_channels.length).toBeLessThanOrEqual(4);
    }
    const bySlug = Object.fromEntries(teams.map((team) => [team.slug, team]));
    // The main teams in every language; one only in its own, so the fallback shows.
    for (const slug of ['it-service-desk', 'hr', 'facilities', 'finance'])
      expect(Object.keys(bySlug[slug].purpose).sort()).toEqual(['en', 'es', 'fa', 'ja']);
    expect(Object.keys(bySlug['it-identity-access'].purpose)).toEqual(['es']);
    // Open around the clock; a lunch break; holidays.
    expect(bySlug['it-service-desk'].opening_hours).toHaveLength(7);
    expect(
      bySlug['it-service-desk'].opening_hours.every(
        (h) => h.opens === '00:00' && h.closes === '24:00',
      ),
    ).toBe(true);
    expect(bySlug.hr.opening_hours.filter((h) => h.day === 1)).toHaveLength(2);
    expect(teams.some((team) => team.hours_exceptions.some((e) => e.closed))).toBe(true);
  });

  it('prints no links on a database it did not seed', async () => {
    const other = await startTestApp({ DEMO: 'true' });
    try {
      expect(await other.get(DemoService).liveLinks(3)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('is not part of the app outside demo mode', async () => {
    const production = await startTestApp({ DEMO: 'false' });
    try {
      expect(() => production.get(DemoService)).toThrow();
      expect(() => t.get(DemoService)).not.toThrow();
    } finally {
      await production.close();
    }
  });
  it('gives teams a few actions: done ones with past dates (trend markers), published, in progress, internal, translated or not', async () => {
    const [a] = await t.dataSource.query(`
      SELECT count(*)::int AS actions,
             count(DISTINCT team_id)::int AS teams,
             count(*) FILTER (WHERE status = 'done' AND done_on < current_date - 30)::int AS done_past,
             count(*) FILTER (WHERE published AND status IN ('in_progress', 'done'))::int AS shown,
             count(*) FILTER (WHERE status = 'in_progress')::int AS in_progress,
             count(*) FILTER (WHERE NOT published)::int AS internal,
             count(*) FILTER (WHERE translations ?& array['es', 'ja', 'fa'])::int AS fully_translated,
             count(*) FILTER (WHERE published AND translations = '{}'::jsonb)::int AS untranslated
        FROM team_action`);
    expect(a.actions).toBeGreaterThanOrEqual(8);
    expect(a.teams).toBeGreaterThanOrEqual(6);
    expect(a.done_past).toBeGreaterThanOrEqual(3);
    expect(a.shown).toBeGreaterThanOrEqual(3);
    expect(a.in_progress).toBeGreaterThanOrEqual(1);
    expect(a.internal).toBeGreaterThanOrEqual(1);
    expect(a.fully_translated).toBeGreaterThanOrEqual(1);
    expect(a.untranslated).toBeGreaterThanOrEqual(1);
    // Seeded through the feature: each one audited.
    const [{ n }] = await t.dataSource.query(
      "SELECT count(*)::int AS n FROM audit_event WHERE action = 'action.created'",
    );
    expect(n).toBe(a.actions);
  });
});
