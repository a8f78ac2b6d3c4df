import { randomUUID } from 'node:crypto';
import { REBUILD_ROLLUPS_SQL } from '../../src/database/sql/report-rollups.sql';
import { addBuckets, bucketStart, type Grain } from '../../src/modules/reports/periods';
import type { Submission } from '../../src/modules/responses/release-plan';
import { ResponsesService } from '../../src/modules/responses/responses.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import {
  RETENTION_AUDIT_ACTION,
  RetentionService,
} from '../../src/modules/retention/retention.service';
import type { SurveySource } from '../../src/modules/surveys/entities/survey.entity';
import { WavesService } from '../../src/modules/campaigns/waves.service';
import { createCampaign, createEmployees, createSurvey, createTeam, signIn } from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Raw answers become optional (RETENTION_RAW_ANSWERS_DAYS, docs/retention.md "Raw answers"):
 * the purge deletes the responses, answers and unread segment rows released before the freeze
 * line, and every report of a frozen period reads exactly what it read before — team pages (and
 * sub-teams), overview, comments with search and themes, drivers, after tickets, CSV — because
 * the rollups of frozen days are never recomputed and the comments keep their own text. Written
 * as the attack first: before the line, deleting old responses emptied their periods.
 *
 * Through the pooler (transaction mode) when the run has one: the purge keeps no session state.
 */
const DAYS = 400;
const BATCH = 7;

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('raw answers purged after RETENTION_RAW_ANSWERS_DAYS', () => {
  let t: TestApp;
  /** A second instance on the same database with the report cache on: its ETags. */
  let cached: TestApp;
  let admin: { cookie: string };
  const teams: Record<'parent' | 'child', { id: string; slug: string }> = {} as never;
  // A month well before the line (today − 400 days), and the last closed month.
  const frozenMonth = bucketStart(day(-480), 'month');
  const oldDay = frozenMonth.slice(0, 8) + '05';
  const otherOldDay = frozenMonth.slice(0, 8) + '20';
  const recentMonth = addBuckets(bucketStart(day(0), 'month'), 'month', -1);
  const recentDay = recentMonth.slice(0, 8) + '10';

  /**
   * A release written through the mixer's writer: `people` answers, each a different person; the
   * iNPS band (i % 3) crossed with a favourable rating and effort score, so that from 30 people on
   * every cell of the driver tables holds at least k.
   */
  async function release(
    team: { id: string; slug: string },
    source: SurveySource,
    releasedOn: string,
    people: number,
    comment: string,
    segments: Submission['segments'] = {},
    /** How many of them answer the text question (all by default). */
    texters = people,
  ): Promise<string> {
    const { survey, questionnaire, questions } = await createSurvey(t, { teamSlug: team.slug });
    const q = (type: string) => questions.find((x) => x.type === type)!.id;
    const submissions: Submission[] = Array.from({ length: people }, (_, i) => ({
      id: randomUUID(),
      person: randomUUID(),
      askedAll: false,
      segments,
      blocks: [
        {
          teamId: team.id,
          answers: [
            { question_id: q('nps'), score: [3, 7, 10][i % 3], option_key: null, text: null },
            {
              question_id: q('rating'),
              score: Math.floor(i / 3) % 2 ? 5 : 2,
              option_key: null,
              text: null,
            },
            {
              question_id: q('ces'),
              score: Math.floor(i / 6) % 2 ? 6 : 2,
              option_key: null,
              text: null,
            },
            {
              question_id: q('single'),
              score: null,
              option_key: i % 2 ? 'portal' : 'email',
              text: null,
            },
            { question_id: q('multi'), score: null, option_key: 'speed', text: null },
            ...(i % 3
              ? [{ question_id: q('multi'), score: null, option_key: 'clarity', text: null }]
              : []),
            ...(i < texters
              ? [
                  {
                    question_id: q('text'),
                    score: null,
                    option_key: null,
                    text: `${comment} ${i}: the printer queue was slow`,
                  },
                ]
              : []),
          ],
        },
      ],
    }));
    const written = await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source,
      releasedOn,
      submissions,
    });
    expect(written).toBe(people);
    return survey.id;
  }

  /**
   * A campaign about the parent team, its first wave opened, and one release of its survey on
   * `releasedOn` (people of two departments, their names as segments): the wave's report reads
   * report_wave_* (its breakdown by department, from response_segment, shows only for a campaign
   * about the people's own team, not exercised here).
   */
  async function campaignRelease(releasedOn: string, people: number): Promise<string> {
    await createEmployees(t, 12, { department: 'Sales' });
    const campaign = await createCampaign(t, {
      teamSlugs: [teams.parent.slug],
      reportingThreshold: 5,
    });
    const waves = t.get(WavesService);
    await waves.tick(new Date('2027-01-04T10:01:00Z'));
    const [wave]: { id: string }[] = await t.dataSource.query(
      'SELECT id FROM wave WHERE campaign_id = $1 ORDER BY opens_at LIMIT 1',
      [campaign.id],
    );
    await waves.open(wave.id);
    const [{ survey_id: surveyId }]: { survey_id: string }[] = await t.dataSource.query(
      'SELECT survey_id FROM wave WHERE id = $1',
      [wave.id],
    );
    const questions: { id: string; type: string }[] = await t.dataSource.query(
      'SELECT id, type FROM question WHERE questionnaire_id = $1',
      [campaign.questionnaireId],
    );
    const submissions: Submission[] = Array.from({ length: people }, (_, i) => ({
      id: randomUUID(),
      person: randomUUID(),
      askedAll: false,
      segments: { department: i % 2 ? 'Sales' : 'Support' },
      blocks: [
        {
          teamId: teams.parent.id,
          answers: questions.flatMap((q): Submission['blocks'][number]['answers'] =>
            q.type === 'text'
              ? [{ question_id: q.id, score: null, option_key: null, text: `campaign ${i}` }]
              : ['nps', 'enps'].includes(q.type)
                ? [{ question_id: q.id, score: [3, 8, 10][i % 3], option_key: null, text: null }]
                : q.type === 'rating'
                  ? [{ question_id: q.id, score: 1 + (i % 5), option_key: null, text: null }]
                  : [],
          ),
        },
      ],
    }));
    expect(
      await t.get(ResponsesService).writeRelease({
        surveyId,
        questionnaireId: campaign.questionnaireId,
        source: 'pulse',
        releasedOn,
        submissions,
      }),
    ).toBe(people);
    return campaign.id;
  }

  const count = async (sql: string, values: unknown[] = []): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM ${sql}`, values))[0].n;

  const line = async (): Promise<string | null> =>
    (
      await t.dataSource.query(
        `SELECT to_char(raw_before, 'YYYY-MM-DD') AS line FROM report_raw_retention`,
      )
    )[0].line;

  /** Arrays of strings (comment samples, shuffled on every read) compared as sets. */
  function normalised(value: unknown): unknown {
    if (Array.isArray(value)) {
      const items = value.map(normalised);
      return items.every((x) => typeof x === 'string') ? [...items].sort() : items;
    }
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v)]));
    return value;
  }

  /** A page for the signed-in admin. */
  async function page(url: string) {
    const res = await t.request({ method: 'GET', url, headers: { cookie: admin.cookie } });
    expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
    return res;
  }

  /** A page's visible text, line by line, without the comments (a random sample) and scripts. */
  function pageText(html: string): string[] {
    return html
      .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, '\n')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.includes('the printer queue was slow'));
  }

  /** Every report of one period, as the JSON API, the CSV export and the team page give it. */
  async function reports(grain: Grain, at: string) {
    const get = async (url: string) => {
      const res = await t.api({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      return res;
    };
    const period = `period=${grain}&at=${at}`;
    const out: Record<string, unknown> = {};
    for (const team of Object.values(teams)) {
      out[`team ${team.slug}`] = (await get(`/api/v1/reports/teams/${team.slug}?${period}`)).json();
      out[`tickets ${team.slug}`] = (
        await get(`/api/v1/reports/teams/${team.slug}/tickets?${period}`)
      ).json();
      out[`comments ${team.slug}`] = (
        await get(`/api/v1/teams/${team.slug}/comments?${period}`)
      ).json();
      out[`search ${team.slug}`] = (
        await get(`/api/v1/teams/${team.slug}/comments?${period}&q=printer`)
      ).json();
      out[`drivers ${team.slug}`] = (
        await get(`/api/v1/teams/${team.slug}/drivers?${period}`)
      ).json();
      out[`csv ${team.slug}`] = (await get(`/api/v1/reports/teams/${team.slug}/csv?${period}`)).body
        .split('\n')
        .sort();
      // The reviews report: the only reader of report_comment.question_id.
      out[`reviews ${team.slug}`] = (
        await get(`/api/v1/reports/teams/${team.slug}/reviews?${period}`)
      ).json();
      // The signed-in CSV export and the HTML team page (its text, without the comment sample,
      // which is shuffled on every read, and without the form tokens).
      out[`export ${team.slug}`] = (await page(`/teams/${team.slug}/export.csv?${period}`)).body
        .split('\n')
        .sort();
      out[`page ${team.slug}`] = pageText((await page(`/teams/${team.slug}?${period}`)).body);
    }
    out.overview = (await get(`/api/v1/reports/overview?${period}`)).json();
    return normalised(out) as Record<string, unknown>;
  }

  const PERIODS: [Grain, string][] = [
    ['week', bucketStart(oldDay, 'week')],
    ['month', frozenMonth],
    ['quarter', bucketStart(frozenMonth, 'quarter')],
    ['month', recentMonth],
  ];

  beforeAll(async () => {
    t = await startTestApp(
      {
        RETENTION_RAW_ANSWERS_DAYS: String(DAYS),
        RETENTION_BATCH_SIZE: String(BATCH),
        // Every read goes to the database: a cached page would hide a changed rollup.
        REPORT_CACHE: 'false',
      },
      { pooler: true },
    );
    teams.parent = await createTeam(t, 'Frozen desk');
    teams.child = await createTeam(t, 'Frozen child', teams.parent.slug);
    admin = await signIn(t, 'admin');
    cached = await startTestApp(
      { RETENTION_RAW_ANSWERS_DAYS: String(DAYS), REPORT_CACHE: 'true' },
      { database: t.db },
    );
  }, 120_000);
  afterAll(async () => {
    await cached?.close();
    await t.close();
  });

  /** The ETags the cached instance gives for every tagged report of a closed period. */
  async function etags(grain: Grain, at: string): Promise<Record<string, unknown>> {
    const period = `period=${grain}&at=${at}`;
    const urls = [`/api/v1/reports/overview?${period}`];
    for (const team of Object.values(teams))
      urls.push(
        `/api/v1/reports/teams/${team.slug}?${period}`,
        `/api/v1/reports/teams/${team.slug}/reviews?${period}`,
        `/api/v1/reports/teams/${team.slug}/csv?${period}`,
      );
    const out: Record<string, unknown> = {};
    for (const url of urls) {
      const res = await cached.api({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect({ url, etag: typeof res.headers.etag }).toEqual({ url, etag: 'string' });
      out[url] = res.headers.etag;
    }
    return out;
  }

  it('deletes the raw rows before the line and leaves every report of every period as it was', async () => {
    // Old releases: pulses with comments, driver pairs and a named department; answers after
    // tickets with a resolution band; a recent pulse after the line.
    await release(teams.parent, 'pulse', oldDay, 36, 'old pulse', { department: 'Sales' });
    await release(teams.child, 'pulse', otherOldDay, 10, 'old child', { department: 'Support' });
    await release(teams.parent, 'ticket', oldDay, 10, 'old ticket', { resolution_band: '<4h' });
    await release(teams.parent, 'review', oldDay, 10, 'old review');
    // The day before the line: frozen by the purge, in the same bucket as the line (see below).
    await release(teams.parent, 'pulse', day(-DAYS - 1), 10, 'straddle old');
    // A campaign wave released in the frozen month: its report reads report_wave_*.
    const campaignId = await campaignRelease(oldDay, 12);
    const campaignReport = async () => {
      const res = await t.api({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/report` });
      expect(res.statusCode).toBe(200);
      return normalised(res.json());
    };
    await release(teams.parent, 'pulse', recentDay, 10, 'recent pulse');
    // A release where fewer than the comment threshold (5) answered the text question: its
    // comments are withheld, so how many answers it held must not be readable anywhere HR reads.
    await release(teams.child, 'pulse', otherOldDay, 10, 'withheld', {}, 2);
    expect(await line()).toBeNull();

    const before: Record<string, unknown>[] = [];
    for (const [grain, at] of PERIODS) before.push(await reports(grain, at));
    // The frozen periods' ETags on an instance with the report cache on (the recent month's
    // too: nothing of it changes).
    const campaignBefore = await campaignReport();
    // The wave's figures (report_wave_*) of its 12 answers are shown.
    expect(JSON.stringify(campaignBefore)).toContain('"withheld":false,"n":12');
    const tagsBefore: Record<string, unknown>[] = [];
    for (const [grain, at] of PERIODS) tagsBefore.push(await etags(grain, at));
    // The frozen period shows what the test compares: comments, drivers, segments, tickets.
    const frozen = JSON.stringify(before[1]);
    for (const shown of [
      'old pulse 3',
      'old child 4',
      'old ticket 2',
      'old review 5',
      '"Support"',
      '<4h',
    ])
      expect(frozen).toContain(shown);
    expect(JSON.stringify(before[1][`drivers ${teams.parent.slug}`])).toContain('"status":"shown"');

    const oldResponses = await count('response WHERE released_on < $1', [day(-DAYS)]);
    const oldAnswers = await count(
      'answer a JOIN response r ON r.id = a.response_id WHERE r.released_on < $1',
      [day(-DAYS)],
    );
    const oldTicketSegments = await count(
      `response_segment WHERE released_on < $1 AND source <> 'pulse'`,
      [day(-DAYS)],
    );
    expect(oldResponses).toBe(36 + 10 + 10 + 10 + 10 + 10 + 12);
    expect(oldTicketSegments).toBeGreaterThan(0);
    const recentResponses = await count('response WHERE released_on >= $1', [day(-DAYS)]);

    const purged = await t.get(RetentionService).purge();
    expect(purged).toMatchObject({ response: oldResponses });
    expect(await line()).toBe(day(-DAYS));
    // The run's audit event: the responses (whole releases of at least m people), the period and
    // the line — no answer or segment count: answers minus shown answers would be the answers
    // to withheld questions (the 2 of 10 above, below the comment threshold).
    const [run] = await t
      .get(AuditService)
      .list({ action: RETENTION_AUDIT_ACTION, limit: 1, offset: 0 });
    expect(run.details).toMatchObject({
      deleted: purged,
      days: { rawAnswers: DAYS },
      rawBefore: day(-DAYS),
    });
    const deleted = (run.details as { deleted: Record<string, number> }).deleted;
    expect(Object.keys(deleted)).not.toContain('answer');
    expect(Object.keys(deleted)).not.toContain('response_segment');
    expect(Object.values(deleted)).not.toContain(oldAnswers);
    expect(Object.values(deleted)).not.toContain(oldTicketSegments);
    expect(JSON.stringify(run.details)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // The raw rows went all the same: answers with their responses, the unread segment rows.
    expect(
      await count(`response_segment WHERE released_on < $1 AND source <> 'pulse'`, [day(-DAYS)]),
    ).toBe(0);
    // The raw rows before the line are gone (answers with their responses), the rest stays.
    expect(await count('response WHERE released_on < $1', [day(-DAYS)])).toBe(0);
    expect(
      await count(
        'answer a WHERE NOT EXISTS (SELECT 1 FROM response r WHERE r.id = a.response_id)',
      ),
    ).toBe(0);
    expect(await count('response WHERE released_on >= $1', [day(-DAYS)])).toBe(recentResponses);

    // A refresh of the frozen days — what a migration that changes a rollup runs over every
    // day — leaves them as they are, and so does the rebuild of every rollup.
    await t.dataSource.query('SELECT report_refresh($1::uuid[], $2::date[])', [
      [teams.parent.id, teams.child.id, teams.parent.id],
      [oldDay, otherOldDay, otherOldDay],
    ]);
    await t.dataSource.query(REBUILD_ROLLUPS_SQL);

    // Every report of every period reads exactly what it read before.
    for (const [i, [grain, at]] of PERIODS.entries())
      expect({ grain, at, reports: await reports(grain, at) }).toEqual({
        grain,
        at,
        reports: before[i],
      });

    expect(await campaignReport()).toEqual(campaignBefore);

    // The same ETags: the purge bumps no change counter (report_change) of a frozen day, so a
    // cached copy or a client's conditional request stays valid.
    for (const [i, [grain, at]] of PERIODS.entries())
      expect({ grain, at, etags: await etags(grain, at) }).toEqual({
        grain,
        at,
        etags: tagsBefore[i],
      });

    // A second run finds nothing more; the line never moves back.
    const again = await t.get(RetentionService).purge();
    expect(again).toMatchObject({ response: 0 });
    expect(await line()).toBe(day(-DAYS));
  }, 300_000);

  it('dates a release older than the line on the line, and refuses answers written into a frozen day', async () => {
    const frozenLine = await line();
    expect(frozenLine).toBe(day(-DAYS));
    const lineMonth = bucketStart(frozenLine!, 'month');
    const shownBefore = await count(
      `report_day_question d JOIN question q ON q.id = d.question_id AND q.type = 'nps'
        WHERE d.team_id = $1 AND d.released_on = $2`,
      [teams.child.id, frozenLine],
    );
    expect(shownBefore).toBe(0);

    // A pulse survey that closed long ago, released only now: dated on the line, counted there.
    const surveyId = await release(teams.child, 'pulse', otherOldDay, 10, 'late pulse');
    const days: { day: string }[] = await t.dataSource.query(
      `SELECT DISTINCT to_char(released_on, 'YYYY-MM-DD') AS day FROM response WHERE survey_id = $1`,
      [surveyId],
    );
    expect(days).toEqual([{ day: frozenLine }]);
    const report = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${teams.child.slug}?period=month&at=${lineMonth}`,
      })
    ).json();
    expect(report.headline).toMatchObject({ withheld: false, n: 10 });
    expect(JSON.stringify(report.comments)).toContain('late pulse 1');

    // Written around the mixer into a frozen day: refused, never silently left out.
    const { survey, questions } = await createSurvey(t, { teamSlug: teams.child.slug });
    const nps = questions.find((q) => q.type === 'nps')!;
    await expect(
      t.dataSource.transaction(async (manager) => {
        const rows: { id: string }[] = await manager.query(
          `INSERT INTO response (survey_id, team_id, source, released_on)
           SELECT $1, $2, 'pulse', $3 FROM generate_series(1, 10) RETURNING id`,
          [survey.id, teams.child.id, otherOldDay],
        );
        await manager.query(
          `INSERT INTO answer (response_id, question_id, score) SELECT unnest($1::uuid[]), $2, 9`,
          [rows.map((r) => r.id), nps.id],
        );
      }),
    ).rejects.toThrow(/before the raw-answer line/);
    expect(await count('response WHERE survey_id = $1', [survey.id])).toBe(0);
  }, 120_000);

  it('sums a bucket that straddles the line: its frozen days and a release after the line', async () => {
    const frozenLine = (await line())!;
    const frozenDay = day(-DAYS - 1);
    // The smallest bucket holding both the frozen day and the line (none when the line is the
    // first day of a quarter: then the quarter of the line, and the sum is still checked).
    const grain =
      (['week', 'month', 'quarter'] as Grain[]).find(
        (g) => bucketStart(frozenDay, g) === bucketStart(frozenLine, g),
      ) ?? 'quarter';
    const url = `/api/v1/reports/teams/${teams.parent.slug}?period=${grain}&at=${bucketStart(frozenLine, grain)}`;
    const before = (await t.api({ method: 'GET', url })).json();
    expect(before.headline).toMatchObject({ withheld: false });
    await release(teams.parent, 'pulse', frozenLine, 10, 'straddle new');
    const after = (await t.api({ method: 'GET', url })).json();
    expect(after.headline).toMatchObject({ withheld: false, n: before.headline.n + 10 });
    const comments = JSON.stringify(after.comments);
    expect(comments).toContain('straddle new');
    if (bucketStart(frozenDay, grain) === bucketStart(frozenLine, grain))
      expect(comments).toContain('straddle old');
  }, 120_000);

  it('still takes deleted answers out of days after the line, comments included', async () => {
    const surveyId = await release(teams.child, 'pulse', recentDay, 10, 'doomed');
    const comments = (q?: string) =>
      t.api({
        method: 'GET',
        url: `/api/v1/teams/${teams.child.slug}/comments?period=month&at=${recentMonth}${q ? `&q=${q}` : ''}`,
      });
    const page = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${teams.child.slug}?period=month&at=${recentMonth}`,
      })
    ).json();
    expect(JSON.stringify(page.comments)).toContain('doomed 1');
    expect(
      await count('report_comment WHERE team_id = $1 AND released_on = $2', [
        teams.child.id,
        recentDay,
      ]),
    ).toBe(10);
    expect((await comments('doomed')).body).toContain('doomed');

    // The survey's answers deleted (as an upgrade deletes a survey that never reached m): no
    // foreign key takes the comments with them any more; the rollup refresh does.
    await t.dataSource.query('DELETE FROM response WHERE survey_id = $1', [surveyId]);
    expect(
      await count('report_comment WHERE team_id = $1 AND released_on = $2', [
        teams.child.id,
        recentDay,
      ]),
    ).toBe(0);
    const after = (
      await t.api({
        method: 'GET',
        url: `/api/v1/reports/teams/${teams.child.slug}?period=month&at=${recentMonth}`,
      })
    ).json();
    expect(after.headline).toEqual({ withheld: true });
    expect(JSON.stringify(after)).not.toContain('doomed');
    expect((await comments('doomed')).body).not.toContain('doomed');
  }, 120_000);

  it('empties every rollup, frozen days too, and clears the line when response is truncated (tests, bench:seed)', async () => {
    expect(await line()).not.toBeNull();
    expect(
      await count('report_day_question WHERE released_on < $1', [await line()]),
    ).toBeGreaterThan(0);
    await t.dataSource.query('TRUNCATE response CASCADE');
    expect(await line()).toBeNull();
    for (const table of [
      'report_day_question',
      'report_period_question',
      'report_comment',
      'report_day_driver',
    ])
      expect({ table, rows: await count(table) }).toEqual({ table, rows: 0 });
  });
});

describe('raw answers purge that fails part-way', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RETENTION_RAW_ANSWERS_DAYS: '400', REPORT_CACHE: 'false' });
  }, 120_000);
  afterAll(() => t.close());

  it('still vacuums the raw tables when a later batch fails after responses went', async () => {
    const team = await createTeam(t, 'Failing desk');
    const { survey, questionnaire, questions } = await createSurvey(t, { teamSlug: team.slug });
    const text = questions.find((q) => q.type === 'text')!.id;
    const releasedOn = new Date(Date.now() - 480 * 86_400_000).toISOString().slice(0, 10);
    await t.get(ResponsesService).writeRelease({
      surveyId: survey.id,
      questionnaireId: questionnaire.id,
      source: 'pulse',
      releasedOn,
      submissions: Array.from({ length: 10 }, (_, i) => ({
        id: randomUUID(),
        person: randomUUID(),
        askedAll: false,
        segments: {},
        blocks: [
          {
            teamId: team.id,
            answers: [{ question_id: text, score: null, option_key: null, text: `gone ${i}` }],
          },
        ],
      })),
    });
    // The segment batch fails (a trigger refuses the delete, as a statement refused would)
    // after the responses went. VACUUM itself still works.
    await t.dataSource.query(
      `CREATE FUNCTION refuse_segment_delete() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
    );
    await t.dataSource.query(
      `CREATE TRIGGER refuse_segment_delete BEFORE DELETE ON response_segment
         FOR EACH STATEMENT EXECUTE FUNCTION refuse_segment_delete()`,
    );
    /** How often `answer` was vacuumed by hand (VACUUM, not autovacuum). */
    const vacuums = async (): Promise<number> =>
      (
        await t.dataSource.query(
          `SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = 'answer'`,
        )
      )[0].n;
    const before = await vacuums();
    try {
      await expect(t.get(RetentionService).purge()).rejects.toThrow('refused');
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM response WHERE released_on < $1`,
        [new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10)],
      );
      expect(n).toBe(0);
      // Vacuumed all the same: the deleted responses held answers.
      expect(await vacuums()).toBe(before + 1);
      // The run's audit event says where it stopped, with the responses it deleted.
      const [run] = await t
        .get(AuditService)
        .list({ action: RETENTION_AUDIT_ACTION, limit: 1, offset: 0 });
      expect(run.details).toMatchObject({
        deleted: { response: 10 },
        failed: { table: 'response_segment', code: 'P0001' },
      });
    } finally {
      await t.dataSource.query('DROP TRIGGER refuse_segment_delete ON response_segment');
    }
  }, 120_000);
});
