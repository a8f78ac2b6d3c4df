import { DemoService } from '../../src/modules/demo/demo.service';
import { nps } from '../../src/modules/reports/anonymity';
import { signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

describe('team reports', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  const quarter = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    admin = await signIn(t, 'admin');
  });
  afterAll(() => t.close());

  const page = (url: string, cookie = admin.cookie) =>
    t.request({ method: 'GET', url, headers: { cookie } });

  it('shows the same numbers on the page, in the API and in the CSV, computed from the rows', async () => {
    const api = await t.api({
      method: 'GET',
      url: `/api/v1/reports/teams/it-service-desk?period=quarter&at=${quarter}`,
    });
    expect(api.statusCode).toBe(200);
    const report = api.json();
    // Recompute from the database: the headline must match. Responses are dated by their
    // release; a release counts where at least its survey's k answered the question.
    const [{ releases, ...raw }] = await t.dataSource.query(
      `WITH release AS (
         SELECT r.survey_id, r.released_on, count(*)::int AS n,
                count(*) FILTER (WHERE a.score >= 9)::int AS promoters,
                count(*) FILTER (WHERE a.score BETWEEN 7 AND 8)::int AS passives,
                count(*) FILTER (WHERE a.score <= 6)::int AS detractors
           FROM response r JOIN answer a ON a.response_id = r.id
           JOIN question q ON q.id = a.question_id AND q.type = 'nps'
           JOIN service_team t ON t.id = r.team_id JOIN survey s ON s.id = r.survey_id
          WHERE t.slug = 'it-service-desk' AND r.source = 'pulse'
            AND r.released_on >= $1 AND r.released_on < $2
          GROUP BY r.survey_id, r.released_on, s.reporting_threshold
         HAVING count(*) >= s.reporting_threshold)
       SELECT coalesce(sum(n), 0)::int AS n, coalesce(sum(promoters), 0)::int AS promoters,
              coalesce(sum(passives), 0)::int AS passives,
              coalesce(sum(detractors), 0)::int AS detractors, count(*)::int AS releases
         FROM release`,
      [report.period.start, report.period.end],
    );
    expect(releases).toBeGreaterThanOrEqual(1);
    expect(raw.n).toBeGreaterThanOrEqual(5);
    expect(report.headline).toEqual({ withheld: false, n: raw.n, ...nps(raw) });
    expect(report.trend).toHaveLength(12);
    expect(report.distribution.scores.reduce((s: number, d: { n: number }) => s + d.n, 0)).toBe(
      raw.n,
    );

    const html = await page(`/teams/it-service-desk?period=quarter&at=${quarter}`);
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain(`<span class="nps-value">${report.headline.nps}</span>`);
    expect(html.body).toContain('<canvas id="trend-chart"');
    expect(html.body).toContain('type="application/json" id="distribution-data"');

    const csv = await page(`/teams/it-service-desk/export.csv?period=quarter&at=${quarter}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).toContain(
      `headline iNPS,${report.period.label},${raw.n},${report.headline.nps},`,
    );
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'report.exported'`,
    );
    expect(n).toBe(1);
  });

  it('withholds every number below k, the count too, on page, API and CSV', async () => {
    // A week far in the past has no responses at all; a new team has none either.
    const api = await t.api({
      method: 'GET',
      url: '/api/v1/reports/teams/legal?period=week&at=2020-01-06',
    });
    const report = api.json();
    expect(report.headline).toEqual({ withheld: true });
    expect(report.distribution).toEqual({ withheld: true });
    expect(report.comments).toEqual({ withheld: true });
    expect(JSON.stringify(report)).not.toMatch(/"n":[0-4]\b/);
    const html = await page('/teams/legal?period=week&at=2020-01-06');
    expect(html.body).toContain('fewer than 5 responses');
    const csv = await page('/teams/legal/export.csv?period=week&at=2020-01-06');
    expect(csv.body).toContain('headline iNPS,week of 2020-01-06,fewer than k responses');
  });

  it('refuses a bad period with a clear 400', async () => {
    const bad = await t.api({ method: 'GET', url: '/api/v1/reports/teams/legal?period=day' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('period must be one of week, month, quarter');
    const badDate = await t.api({
      method: 'GET',
      url: '/api/v1/reports/teams/legal?at=2026-13-01',
    });
    expect(badDate.statusCode).toBe(400);
  });

  it('refuses a date that is not on the calendar with a 400 saying so, never reading it as another day', async () => {
    const urls = (at: string) => [
      `/api/v1/reports/overview?period=month&at=${at}`,
      `/api/v1/reports/teams/legal?period=month&at=${at}`,
      `/api/v1/reports/teams/legal/tickets?period=month&at=${at}`,
      `/api/v1/reports/teams/legal/csv?period=month&at=${at}`,
      `/?period=month&at=${at}`,
      `/teams/legal?period=month&at=${at}`,
      `/teams/legal/export.csv?period=month&at=${at}`,
    ];
    for (const [at, problem] of [
      ['2026-02-30', 'at "2026-02-30" does not exist: February 2026 has 28 days'],
      ['2025-02-29', 'February 2025 has 28 days'],
      ['2026-04-31', 'April 2026 has 30 days'],
      ['2026-13-01', 'there is no month 13'],
      ['2026-00-10', 'there is no month 0'],
      ['2026-01-00', 'there is no day 0'],
      ['2026-1-5', 'at must be a date in the form YYYY-MM-DD'],
      ['0000-01-01', 'at must be a day from 1900-01-01 to 2999-12-31'],
      ['9999-12-31', 'at must be a day from 1900-01-01 to 2999-12-31'],
    ]) {
      for (const url of urls(at)) {
        const res = url.startsWith('/api/') ? await t.api({ method: 'GET', url }) : await page(url);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
        const said = url.startsWith('/api/')
          ? (res.json() as { message: string }).message
          : res.body.replace(/&quot;/g, '"');
        expect({ url, said }).toEqual({ url, said: expect.stringContaining(problem) });
      }
    }
    // A real 29 February is a day like any other.
    const leap = await t.api({ method: 'GET', url: '/api/v1/reports/teams/legal?at=2024-02-29' });
    expect(leap.statusCode).toBe(200);
    expect(leap.json().period.start).toBe('2024-02-01');
  });

  it('rolls sub-teams up into their parent and shows them beside it', async () => {
    const it = (
      await t.api({ method: 'GET', url: `/api/v1/reports/teams/it?period=quarter&at=${quarter}` })
    ).json();
    const desk = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/it-service-desk?period=quarter&at=${quarter}`,
      })
    ).json();
    expect(it.subTeams.map((s: { slug: string }) => s.slug).sort()).toEqual([
      'it-field-services',
      'it-identity-access',
      'it-service-desk',
    ]);
    expect(it.headline.n).toBeGreaterThan(desk.headline.n);
    const shownDesk = it.subTeams.find((s: { slug: string }) => s.slug === 'it-service-desk');
    if (!shownDesk.value.withheld) expect(shownDesk.value.n).toBe(desk.headline.n);
  });

  it('lists every team the person may see with iNPS, trend and heatmap; sorting and period work without JavaScript', async () => {
    const lead = await signIn(t, 'lead', ['it']);
    const overview = await page(`/?period=quarter&at=${quarter}&sort=nps&dir=desc`, lead.cookie);
    expect(overview.statusCode).toBe(200);
    const names = [
      ...overview.body.matchAll(/<th scope="row" class="depth-\d"><a href="\/teams\/([a-z-]+)/g),
    ].map((m) => m[1]);
    expect(names.sort()).toEqual([
      'it',
      'it-field-services',
      'it-identity-access',
      'it-service-desk',
    ]);
    expect(overview.body).not.toContain('/teams/facilities');
    expect(overview.body).toContain('<svg class="sparkline"');
    expect(overview.body).toContain('class="table heatmap"');
    expect(overview.body).toContain('sort&#x3D;nps&amp;dir&#x3D;asc');

    const api = await t.api({
      method: 'GET',
      url: `/api/v1/reports/overview?period=quarter&at=${quarter}&sort=nps&dir=desc`,
    });
    expect(api.statusCode).toBe(200);
    const rows = api.json().rows as {
      slug: string;
      value: { withheld: boolean; nps?: number; n?: number };
    }[];
    expect(rows).toHaveLength(8);
    const shown = rows.filter((r) => !r.value.withheld).map((r) => r.value.nps as number);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    for (const r of rows) if (!r.value.withheld) expect(r.value.n).toBeGreaterThanOrEqual(5);
    const desk = rows.find((r) => r.slug === 'it-service-desk')!;
    const report = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/it-service-desk?period=quarter&at=${quarter}`,
      })
    ).json();
    if (!desk.value.withheld) expect(desk.value.nps).toBe(report.headline.nps);
    expect(
      (await t.api({ method: 'GET', url: '/api/v1/reports/overview?sort=mood' })).statusCode,
    ).toBe(400);
  });

  it('breaks results down by department, location and tenure, folding small groups into Other', async () => {
    const reportOf = async (slug: string) =>
      (
        await t.api({
          method: 'GET',
          url: `/api/v1/reports/teams/${slug}?period=quarter&at=${quarter}`,
        })
      ).json();
    type Breakdown = {
      segment: string;
      onSubTeams: boolean;
      groups: { label: string; value: { withheld: boolean; n?: number } }[];
    };
    // IT's sub-teams break their answers down, so IT does not (no breakdown can be subtracted
    // from another on the way down the tree).
    const it = await reportOf('it');
    expect(it.breakdowns.map((b: Breakdown) => b.segment)).toEqual([
      'department',
      'location',
      'tenure_band',
    ]);
    // Which segments a release may name depends on the joint partition of its respondents
    // (release-plan), so not every segment is named on a sub-team; where one is, IT shows none.
    const onSubTeams = (it.breakdowns as Breakdown[]).filter((b) => b.onSubTeams);
    expect(onSubTeams.map((b) => b.segment)).toEqual(
      expect.arrayContaining(['department', 'location']),
    );
    for (const breakdown of onSubTeams) expect(breakdown.groups).toEqual([]);
    const report = await reportOf('it-service-desk');
    expect(report.breakdowns.map((b: Breakdown) => b.segment)).toEqual([
      'department',
      'location',
      'tenure_band',
    ]);
    const department = (report.breakdowns as Breakdown[])[0];
    expect(department.onSubTeams).toBe(false);
    // Values its releases named, and "Other" for what they did not (and the small groups).
    expect(department.groups.filter((g) => g.label !== 'Other').length).toBeGreaterThan(0);
    expect(department.groups[department.groups.length - 1].label).toBe('Other');
    for (const breakdown of report.breakdowns as Breakdown[]) {
      const shown = breakdown.groups.filter((g) => !g.value.withheld);
      for (const g of shown) expect(g.value.n).toBeGreaterThanOrEqual(5);
      expect(breakdown.groups.filter((g) => g.label === 'Other').length).toBeLessThanOrEqual(1);
      // Shown groups add up to the whole: nothing is left to work out by subtraction.
      if (breakdown.groups.length > 0) {
        expect(breakdown.groups.every((g) => !g.value.withheld)).toBe(true);
        expect(shown.reduce((sum, g) => sum + (g.value.n ?? 0), 0)).toBe(report.headline.n);
      }
    }
  });
});
