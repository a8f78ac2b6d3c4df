import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { migrateWithLock } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestDatabase, migrateUpTo, urlFor } from '../setup/test-database';
import { until } from '../setup/until';

/**
 * Upgrading a database that holds answers the old way (segments, language and ticket attributes
 * on each response, the day each invitation was answered, plaintext pending answers, requesters
 * in clear and hashed, a throttle of keyed hashes): AnonymousRelease brings it to the release
 * model without losing an answer that a release of m people can hold, deletes unread those that
 * none can (before it, any survey could be answered by one person), and the scrub leaves none of
 * the old values in the tables' files. m is MIX_BATCH_SIZE's default, 10, here.
 */
describe('the AnonymousRelease migration', () => {
  it('keeps every answer, turns segments into aggregates of at least m, and scrubs the rest', async () => {
    const db = await createTestDatabase({ empty: true });
    const names = MIGRATIONS.map((m) => (m as unknown as { name: string }).name);
    const at = names.findIndex((name) => name.startsWith('AnonymousRelease'));
    expect(at).toBeGreaterThan(0);
    await migrateUpTo(db.url, at);
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    const admin = new Client({ connectionString: urlFor(db.name) });
    await admin.connect();
    try {
      const q = (sql: string, values?: unknown[]) => dataSource.query(sql, values);
      const [{ id: team }] = await q(
        `INSERT INTO service_team (slug, name) VALUES ('it', 'IT') RETURNING id`,
      );
      const [{ id: questionnaire }] = await q(
        `INSERT INTO questionnaire (name) VALUES ('q') RETURNING id`,
      );
      const [{ id: nps }] = await q(
        `INSERT INTO question (questionnaire_id, position, type, text) VALUES ($1, 0, 'nps', '{"en":"?"}') RETURNING id`,
        [questionnaire],
      );
      const [{ id: why }] = await q(
        `INSERT INTO question (questionnaire_id, position, type, text) VALUES ($1, 1, 'text', '{"en":"?"}') RETURNING id`,
        [questionnaire],
      );
      const [{ id: survey }] = await q(
        `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
         VALUES ('pulse', $1, $2, 5, '2026-10-05T16:00:00Z') RETURNING id`,
        [questionnaire, team],
      );
      // 25 answers over three days: 12 in Sales, 10 in Legal, 3 in Ops, each person's day on
      // their invitation; and 3 more still pending (plaintext, the old way).
      const departments = [
        ...Array(12).fill('Sales'),
        ...Array(10).fill('Legal'),
        ...Array(3).fill('Ops'),
      ];
      const scores: number[] = [];
      for (let i = 0; i < 28; i++) {
        const department = departments[i % 25];
        const day = `2026-10-0${1 + (i % 3)}`;
        const [{ id: person }] = await q(
          `INSERT INTO employee (email, name, department, location, locale) VALUES ($1, $1, $2, 'Madrid', 'es') RETURNING id`,
          [`p${i}@example.com`, department],
        );
        await q(
          `INSERT INTO invitation (survey_id, employee_id, expires_at, sent_at, answered_on, department, location)
           VALUES ($1, $2, now(), now(), $3, $4, 'Madrid')`,
          [survey, person, day, department],
        );
        const score = i % 11;
        scores.push(score);
        if (i < 25) {
          const [{ id: response }] = await q(
            `INSERT INTO response (survey_id, team_id, source, responded_on, locale, department, location, tenure_band)
             VALUES ($1, $2, 'pulse', $3, 'es', $4, 'Madrid', '1-2y') RETURNING id`,
            [survey, team, day, department],
          );
          await q(
            `INSERT INTO answer (response_id, question_id, score) VALUES ($1, $2, $3), ($1, $4, NULL)`,
            [response, nps, score, why],
          );
          await q(`UPDATE answer SET text = $2 WHERE response_id = $1 AND question_id = $3`, [
            response,
            `comment ${i}`,
            why,
          ]);
        } else
          await q(
            `INSERT INTO pending_response (survey_id, team_id, source, responded_on, locale, department, location, answers)
             VALUES ($1, $2, 'pulse', $3, 'es', $4, 'Madrid', $5::jsonb)`,
            [
              survey,
              team,
              day,
              department,
              JSON.stringify([{ question_id: nps, score, option_key: null, text: null }]),
            ],
          );
      }
      // A ticket with its requester in clear (the survey still pending) and the throttle's hash.
      const [{ id: integration }] = await q(
        `INSERT INTO integration (kind, name, secret_sealed, default_team_id, mapping_rules, excluded_categories)
         VALUES ('generic', 'g', '\\x00', $1, '[]', '[]') RETURNING id`,
        [team],
      );
      await q(
        `INSERT INTO ticket_event (integration_id, external_ticket_id, team_id, requester_hash, requester_email,
                                   last_event_at, survey_state, received_at, updated_at)
         VALUES ($1, 'T-1', $2, '\\xabcd', 'asker@example.com', now(), 'pending', now(), now())`,
        [integration, team],
      );
      await q(
        `INSERT INTO ticket_survey_throttle (team_id, requester_hash, last_surveyed_at) VALUES ($1, '\\xabcd', now())`,
        [team],
      );

      expect(await migrateWithLock(dataSource)).toEqual(names.slice(at));

      // Every answer counts once, the pending ones too.
      const after: { score: number }[] = await q(
        `SELECT a.score FROM answer a WHERE a.question_id = $1 ORDER BY a.score`,
        [nps],
      );
      expect(after.map((a) => a.score)).toEqual([...scores].sort((a, b) => a - b));
      // One release for the survey's team, dated by the day it closed (as the mixer dates it),
      // not by its last answer.
      const days: { day: string }[] = await q(
        `SELECT DISTINCT to_char(released_on, 'YYYY-MM-DD') AS day FROM response`,
      );
      expect(days).toEqual([{ day: '2026-10-05' }]);
      // Segments as aggregates: Sales (12, and the 3 that were pending) named; Legal (10) folds in
      // with Ops (3), which alone would be a group of 3.
      const cells: { dimension: string; value: string; n: number }[] = await q(
        `SELECT dimension, value, n FROM response_segment WHERE question_id = $1 ORDER BY 1, 2`,
        [nps],
      );
      expect(cells.filter((c) => c.dimension === 'department')).toEqual([
        { dimension: 'department', value: 'Sales', n: 15 },
      ]);
      expect(cells.filter((c) => c.dimension === 'location')).toEqual([
        { dimension: 'location', value: 'Madrid', n: 28 },
      ]);
      // The reports count them: the month of the release holds all 28.
      const [{ n }] = await q(
        `SELECT sum(n)::int AS n FROM report_period_question WHERE grain = 'month' AND question_id = $1`,
        [nps],
      );
      expect(n).toBe(28);
      // Invitations: answered or not, not when.
      const [{ answered }] = await q(
        `SELECT count(*) FILTER (WHERE answered)::int AS answered FROM invitation`,
      );
      expect(answered).toBe(28);
      // No trace of the old transactions: every response and answered invitation was rewritten.
      const [{ versions }] = await q(
        `SELECT count(DISTINCT x)::int AS versions FROM (
           SELECT xmin::text AS x FROM response UNION ALL SELECT xmin::text FROM answer) s`,
      );
      expect(versions).toBe(1);
      // The requester is forgotten, the throttle gone.
      const [ticket] = await q(
        `SELECT requester_email_sealed, requester_external_id_sealed FROM ticket_event`,
      );
      expect(ticket).toEqual({ requester_email_sealed: null, requester_external_id_sealed: null });
      expect((await q(`SELECT to_regclass('ticket_survey_throttle') AS t`))[0].t).toBeNull();

      // Scrubbed: the files of these tables hold none of the old values (dead row versions and
      // dropped columns included).
      await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
      const leaks: string[] = [];
      for (const [table, secrets] of [
        ['response', ['Sales', 'Legal', 'Madrid', '1-2y']],
        ['ticket_event', ['asker@example.com']],
        ['invitation', []],
      ] as [string, string[]][]) {
        const { rows } = await admin.query(
          `SELECT get_raw_page($1::text, b) AS page
             FROM generate_series(0, (pg_relation_size($1::regclass) / 8192)::int - 1) AS b`,
          [table],
        );
        for (const { page } of rows as { page: Buffer }[])
          for (const secret of secrets)
            if (page.includes(Buffer.from(secret))) leaks.push(`${table}: ${secret}`);
        const { rows: dead } = await admin.query(
          `SELECT count(*)::int AS n
             FROM generate_series(0, (pg_relation_size($1::regclass) / 8192)::int - 1) AS b,
                  LATERAL heap_page_items(get_raw_page($1::text, b)) p
            WHERE p.t_xmax <> '0' AND p.t_data IS NOT NULL`,
          [table],
        );
        expect({ table, dead: dead[0].n }).toEqual({ table, dead: 0 });
      }
      expect([...new Set(leaks)]).toEqual([]);
    } finally {
      await admin.end();
      await dataSource.destroy();
      await db.drop();
    }
  });

  /**
   * The attack, on a database upgraded before this rule: a survey one person answered (among 12
   * invited) became a release of one — their invitation, answered, names the author of its comment,
   * and its day was the day they answered — and each week of answers after tickets a release of
   * the few who answered in it.
   */
  it('keeps no release below m: tiny surveys and ticket weeks are deleted unread or pooled to m people', async () => {
    const M = 10;
    const db = await createTestDatabase({ empty: true });
    const names = MIGRATIONS.map((m) => (m as unknown as { name: string }).name);
    const at = names.findIndex((name) => name.startsWith('AnonymousRelease'));
    await migrateUpTo(db.url, at);
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    const admin = new Client({ connectionString: urlFor(db.name) });
    await admin.connect();
    try {
      const q = (sql: string, values?: unknown[]) => dataSource.query(sql, values);
      const team = async (slug: string): Promise<string> =>
        (await q(`INSERT INTO service_team (slug, name) VALUES ($1, $1) RETURNING id`, [slug]))[0]
          .id;
      const [hr, it, legal] = [await team('hr'), await team('it'), await team('legal')];
      const [{ id: questionnaire }] = await q(
        `INSERT INTO questionnaire (name) VALUES ('q') RETURNING id`,
      );
      const [{ id: nps }] = await q(
        `INSERT INTO question (questionnaire_id, position, type, text) VALUES ($1, 0, 'nps', '{"en":"?"}') RETURNING id`,
        [questionnaire],
      );
      const [{ id: why }] = await q(
        `INSERT INTO question (questionnaire_id, position, type, text) VALUES ($1, 1, 'text', '{"en":"?"}') RETURNING id`,
        [questionnaire],
      );
      const [{ id: enps }] = await q(
        `INSERT INTO question (questionnaire_id, position, type, text) VALUES ($1, 2, 'enps', '{"en":"?"}') RETURNING id`,
        [questionnaire],
      );
      const people = new Map<string, string>();
      const person = async (name: string) => {
        if (!people.has(name))
          people.set(
            name,
            (
              await q(
                `INSERT INTO employee (email, name, department, location, locale)
                 VALUES ($1, $1, 'Ops', 'Madrid', 'en') RETURNING id`,
                [`${name}@example.com`],
              )
            )[0].id,
          );
        return people.get(name) as string;
      };
      const survey = async (teamId: string, source: string, closesAt: string, createdAt: string) =>
        (
          await q(
            `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at, source, created_at)
             VALUES ('s', $1, $2, 5, $3, $4, $5) RETURNING id`,
            [questionnaire, teamId, closesAt, source, createdAt],
          )
        )[0].id as string;
      /** `who` answered `surveyId` on `day` (their invitation says so), dated `respondedOn`. */
      const answer = async (
        surveyId: string,
        teamId: string,
        source: string,
        who: string,
        day: string,
        respondedOn: string,
        comment: string | null = null,
      ) => {
        await q(
          `INSERT INTO invitation (survey_id, employee_id, expires_at, sent_at, answered_on, department, location)
           VALUES ($1, $2, now(), now(), $3, 'Ops', 'Madrid')`,
          [surveyId, await person(who), day],
        );
        const [{ id: response }] = await q(
          `INSERT INTO response (survey_id, team_id, source, responded_on, locale, department, location, tenure_band, resolution_band)
           VALUES ($1, $2, $3, $4, 'en', 'Ops', 'Madrid', '1-2y', '<4h') RETURNING id`,
          [surveyId, teamId, source, respondedOn],
        );
        await q(`INSERT INTO answer (response_id, question_id, score) VALUES ($1, $2, 7)`, [
          response,
          nps,
        ]);
        if (comment)
          await q(`INSERT INTO answer (response_id, question_id, text) VALUES ($1, $2, $3)`, [
            response,
            why,
            comment,
          ]);
      };
      const invite = async (surveyId: string, who: string) =>
        q(
          `INSERT INTO invitation (survey_id, employee_id, expires_at, sent_at) VALUES ($1, $2, now(), now())`,
          [surveyId, await person(who)],
        );

      // Pulses about HR. 12 invited, only Pat answered (on 2 October), with a comment.
      const tiny = await survey(hr, 'pulse', '2026-10-09T17:00:00Z', '2026-09-25');
      await answer(tiny, hr, 'pulse', 'pat', '2026-10-02', '2026-10-02', 'my manager bullies me');
      for (let i = 1; i < 12; i++) await invite(tiny, `tiny${i}`);
      // Ten answered over a week: one release, dated by the day the survey closed.
      const enough = await survey(hr, 'pulse', '2026-11-06T16:00:00Z', '2026-10-30');
      for (let i = 0; i < M; i++)
        await answer(
          enough,
          hr,
          'pulse',
          `e${i}`,
          `2026-11-0${2 + (i % 4)}`,
          `2026-11-0${2 + (i % 4)}`,
        );
      // Still open at the upgrade: ten so far make a release, dated by its close day; four do not.
      const open = await survey(hr, 'pulse', '2027-01-15T12:00:00Z', '2026-12-01');
      for (let i = 0; i < M; i++)
        await answer(open, hr, 'pulse', `o${i}`, '2026-12-02', '2026-12-02');
      const openSmall = await survey(hr, 'pulse', '2027-01-15T12:00:00Z', '2026-12-01');
      for (let i = 0; i < 4; i++)
        await answer(openSmall, hr, 'pulse', `s${i}`, '2026-12-02', '2026-12-02', 'too few of us');

      // eNPS, asked to some only: all ten of the open survey were asked it, three of the other.
      await q(`UPDATE invitation SET asks_enps = true WHERE survey_id = $1`, [open]);
      await q(
        `UPDATE invitation SET asks_enps = true
          WHERE id IN (SELECT id FROM invitation WHERE survey_id = $1 LIMIT 3)`,
        [enough],
      );
      await q(
        `INSERT INTO answer (response_id, question_id, score)
         SELECT id, $2, 8 FROM response WHERE survey_id = ANY($1::uuid[])`,
        [[open, enough], enps],
      );

      // Answers after tickets about IT, dated by their period (a week within a month), as they
      // were: October's monthly survey, then November's. The same people come back in November.
      const october = await survey(it, 'ticket', '2026-11-15T00:00:00Z', '2026-10-01');
      const november = await survey(it, 'ticket', '2026-12-15T00:00:00Z', '2026-11-01');
      const weeks: [string, string, string, number[]][] = [
        [october, '2026-10-05', '2026-10-06', [1, 2, 3, 4]],
        [october, '2026-10-12', '2026-10-13', [5, 6, 7]],
        [october, '2026-10-19', '2026-10-20', [8, 9, 10, 11]], // 11 people: a release
        [october, '2026-10-26', '2026-10-27', [12, 13]],
        [november, '2026-11-02', '2026-11-03', [1, 2, 12, 13]],
        [november, '2026-11-09', '2026-11-10', [3, 4, 5, 14]], // 10 responses, but 8 people
        [november, '2026-11-16', '2026-11-17', [6, 7]], // 10 people: a release
        [november, '2026-11-23', '2026-11-24', [8, 9, 10]], // 3 left: they join the last one
      ];
      for (const [surveyId, period, day, who] of weeks)
        for (const i of who)
          await answer(surveyId, it, 'ticket', `t${i}`, day, period, `it ${period} ${i}`);
      // Legal: four people in two weeks, never m.
      const legalSurvey = await survey(legal, 'ticket', '2026-12-15T00:00:00Z', '2026-11-01');
      for (const [period, day, who] of [
        ['2026-11-02', '2026-11-03', ['l1', 'l2']],
        ['2026-11-09', '2026-11-10', ['l3', 'l4']],
      ] as [string, string, string[]][])
        for (const w of who)
          await answer(legalSurvey, legal, 'ticket', w, day, period, 'legal matter of mine');
      const [{ answered: answeredBefore }] = await q(
        `SELECT count(*)::int AS answered FROM invitation WHERE answered_on IS NOT NULL`,
      );

      // A reader whose snapshot predates the upgrade (a report, a dump) is still open when the
      // scrub rewrites the tables: a rewrite keeps what that snapshot may see, so the scrub must
      // wait for it to end and rewrite again. It ends once the scrub has rewritten a table.
      const reader = new Client({ connectionString: db.url });
      await reader.connect();
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT 1'); // a snapshot, and no lock the upgrade would wait for
      const readerDone = (async () => {
        await until(
          'the upgrade to count or vacuum',
          async () => {
            const { rows } = await admin.query(
              `SELECT 1 FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND (query LIKE '%reltuples%' OR query LIKE 'VACUUM%')`,
            );
            return rows.length > 0;
          },
          undefined,
          120_000,
          20,
        );
        await reader.query('COMMIT');
        await reader.end();
      })();

      await migrateWithLock(dataSource);
      await readerDone;

      // What the releases are now: survey, team, day, size.
      const releases: { survey: string; team: string; day: string; n: number }[] = await q(
        `SELECT survey_id AS survey, team_id AS team, to_char(released_on, 'YYYY-MM-DD') AS day,
                count(*)::int AS n
           FROM response GROUP BY 1, 2, 3 ORDER BY 3, 1`,
      );
      expect(releases).toEqual([
        { survey: october, team: it, day: '2026-10-19', n: 11 },
        { survey: enough, team: hr, day: '2026-11-06', n: M },
        { survey: november, team: it, day: '2026-11-23', n: 15 },
        { survey: open, team: hr, day: '2027-01-15', n: M },
      ]);
      // No release below m survives.
      expect(releases.filter((r) => r.n < M)).toEqual([]);
      // Pulses are dated by the day their survey closed; ticket pools by their last period.
      const [{ misdated }] = await q(
        `SELECT count(*)::int AS misdated FROM response r JOIN survey s ON s.id = r.survey_id
          WHERE r.source = 'pulse' AND r.released_on <> (s.closes_at AT TIME ZONE 'UTC')::date`,
      );
      expect(misdated).toBe(0);
      // eNPS counts only where at least m of a release's people were asked it.
      const enpsAnswers: { survey: string; n: number }[] = await q(
        `SELECT r.survey_id AS survey, count(*)::int AS n FROM answer a JOIN response r ON r.id = a.response_id
          WHERE a.question_id = $1 GROUP BY 1`,
        [enps],
      );
      expect(enpsAnswers).toEqual([{ survey: open, n: M }]);
      // The comments of what could not be released are gone, with their answers.
      const [{ comments }] = await q(
        `SELECT count(*)::int AS comments FROM answer
          WHERE text IN ('my manager bullies me', 'too few of us', 'legal matter of mine')`,
      );
      expect(comments).toBe(0);
      const [{ orphans }] = await q(
        `SELECT count(*)::int AS orphans FROM answer a
          WHERE NOT EXISTS (SELECT 1 FROM response r WHERE r.id = a.response_id)`,
      );
      expect(orphans).toBe(0);
      // Deleted unread, as the mixer leaves a survey below m: the invitations still say answered.
      const [{ answered }] = await q(
        `SELECT count(*)::int AS answered FROM invitation WHERE answered`,
      );
      expect(answered).toBe(answeredBefore);
      // The rollups count the releases and nothing else.
      const months: { source: string; team: string; month: string; n: number }[] = await q(
        `SELECT source, team_id AS team, to_char(bucket_start, 'YYYY-MM') AS month, sum(n)::int AS n
           FROM report_period_question WHERE grain = 'month' AND question_id = $1
          GROUP BY 1, 2, 3 ORDER BY 3, 1`,
        [nps],
      );
      expect(months).toEqual([
        { source: 'ticket', team: it, month: '2026-10', n: 11 },
        { source: 'pulse', team: hr, month: '2026-11', n: M },
        { source: 'ticket', team: it, month: '2026-11', n: 15 },
        { source: 'pulse', team: hr, month: '2027-01', n: M },
      ]);
      // Segments are aggregates of whole releases.
      const [{ small }] = await q(
        `SELECT count(*)::int AS small FROM response_segment c
          WHERE NOT EXISTS (SELECT 1 FROM response r WHERE r.survey_id = c.survey_id
                               AND r.team_id = c.team_id AND r.released_on = c.released_on)`,
      );
      expect(small).toBe(0);

      // Scrubbed: the deleted answers are not in the heap of answer or response, dead or alive.
      await admin.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
      for (const table of ['answer', 'response']) {
        const { rows } = await admin.query(
          `SELECT get_raw_page($1::text, b) AS page
             FROM generate_series(0, (pg_relation_size($1::regclass) / 8192)::int - 1) AS b`,
          [table],
        );
        for (const secret of ['my manager bullies me', 'too few of us', 'legal matter of mine'])
          expect({
            table,
            secret,
            found: (rows as { page: Buffer }[]).some(({ page }) =>
              page.includes(Buffer.from(secret)),
            ),
          }).toEqual({ table, secret, found: false });
        const { rows: dead } = await admin.query(
          `SELECT count(*)::int AS n
             FROM generate_series(0, (pg_relation_size($1::regclass) / 8192)::int - 1) AS b,
                  LATERAL heap_page_items(get_raw_page($1::text, b)) p
            WHERE p.t_xmax <> '0' AND p.t_data IS NOT NULL`,
          [table],
        );
        expect({ table, dead: dead[0].n }).toEqual({ table, dead: 0 });
      }
    } finally {
      await admin.end();
      await dataSource.destroy();
      await db.drop();
    }
  });
});
