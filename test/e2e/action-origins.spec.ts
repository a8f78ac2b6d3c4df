import { DemoService } from '../../src/modules/demo/demo.service';
import { signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * "What we heard" starts from what the team page shows, in words: on the demo organisation,
 * whose teams have results, comments, follow-ups and done actions.
 */
describe('starting an action from what was heard (demo data)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  const at = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true' });
    await t.get(DemoService).seedIfEmpty();
    admin = await signIn(t, 'admin');
  });
  afterAll(() => t.close());

  const page = (url: string) =>
    t.request({ method: 'GET', url, headers: { cookie: admin.cookie } });
  const heardOf = (body: string) =>
    body
      .match(/<textarea id="heard"[^>]*>([^<]*)<\/textarea>/)![1]
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');

  it('prefills a question’s result and the iNPS with the figures the report shows, and no more', async () => {
    const report = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/it-service-desk?period=quarter&at=${at}`,
      })
    ).json();
    const shown = report.questions.find(
      (q: { result: { withheld: boolean } }) => !q.result.withheld,
    );
    expect(shown).toBeDefined();
    const team = await page('/teams/it-service-desk?period=quarter&at=' + at);
    const link = `/teams/it-service-desk/actions/new?origin=question&amp;questionId=${shown.id}&amp;period=quarter&amp;at=${report.period.start}`;
    expect(team.body).toContain(link);

    const form = await page(link.replace(/&amp;/g, '&'));
    expect(form.statusCode).toBe(200);
    const heard = heardOf(form.body);
    expect(heard).toContain(`Question “${shown.text}” in ${report.period.label}`);
    expect(heard).toContain(`${shown.result.n} answers`);
    if (shown.result.csat !== null) expect(heard).toContain(`CSAT ${shown.result.csat}%`);
    if (shown.result.mean !== null) expect(heard).toContain(`mean ${shown.result.mean}`);
    // Only page figures: no score distribution, no option counts, no comment.
    for (const comment of report.comments.texts ?? []) expect(heard).not.toContain(comment);

    const nps = heardOf(
      (
        await page(
          `/teams/it-service-desk/actions/new?origin=question&questionId=nps&period=quarter&at=${at}`,
        )
      ).body,
    );
    const signed =
      report.headline.nps < 0 ? `−${Math.abs(report.headline.nps)}` : `+${report.headline.nps}`;
    expect(nps).toBe(
      `iNPS from pulse surveys: ${report.headline.nps === 0 ? '0' : signed} in ${report.period.label} (${report.headline.n} responses)`,
    );

    // A period without answers: withheld, as on the page.
    const empty = heardOf(
      (
        await page(
          `/teams/it-service-desk/actions/new?origin=question&questionId=${shown.id}&period=week&at=2020-01-06`,
        )
      ).body,
    );
    expect(empty).not.toMatch(/\d+ answers/);
  });

  it('prefills only the period for comments, and warns not to quote them', async () => {
    const team = await page('/teams/it-service-desk?period=quarter&at=' + at);
    expect(team.body).toContain('origin=comments&amp;period=quarter');
    const form = await page(
      `/teams/it-service-desk/actions/new?origin=comments&period=quarter&at=${at}`,
    );
    expect(heardOf(form.body)).toMatch(/^Comments of \d{4} Q\d: $/);
    expect(form.body).toContain('Summarise, do not quote');
  });

  it('links each follow-up to a new action of its team, dated, without its author’s words', async () => {
    const followUps = await page('/follow-ups');
    const links = [
      ...followUps.body.matchAll(
        /href="(\/teams\/([a-z0-9-]+)\/actions\/new\?origin=follow_up&amp;followUpId=([0-9a-f-]{36}))"/g,
      ),
    ];
    expect(links.length).toBeGreaterThan(0);
    const [, href, slug, id] = links[0];
    const [row] = await t.dataSource.query(
      `SELECT f.message, f.employee_name AS name, to_char(f.requested_on, 'YYYY-MM-DD') AS "requestedOn", t.slug
         FROM follow_up f JOIN service_team t ON t.id = f.team_id WHERE f.id = $1`,
      [id],
    );
    expect(row.slug).toBe(slug);
    const form = await page(href.replace(/&amp;/g, '&'));
    expect(form.statusCode).toBe(200);
    const heard = heardOf(form.body);
    expect(heard).toBe(`A follow-up request of ${row.requestedOn}: `);
    if (row.message) expect(form.body).not.toContain(row.message);
    expect(form.body).not.toContain(row.name);
  });

  it('marks the demo’s done actions on the trend chart', async () => {
    const team = await page('/teams/it-service-desk?period=month');
    const trend = JSON.parse(team.body.match(/id="trend-data"[^>]*>([^<]*)<\/script>/)![1]) as {
      markers: { label: string; doneOn: string }[];
    };
    expect(trend.markers.length).toBeGreaterThanOrEqual(1);
    expect(team.body).toContain('class="action-marker"');
  });
});
