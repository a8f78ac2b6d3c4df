import { Client } from 'pg';
import { createDataSource } from '../../src/database/data-source';
import { migrateWithLock } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestDatabase, migrateUpTo, urlFor } from '../setup/test-database';

/**
 * Upgrading a database that holds answers the old way (segments, language and ticket attributes
 * on each response, the day each invitation was answered, plaintext pending answers, requesters
 * in clear and hashed, a throttle of keyed hashes): AnonymousRelease brings it to the release
 * model without losing an answer, and the scrub leaves none of the old values in the tables'
 * files.
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
         VALUES ('pulse', $1, $2, 5, now() - interval '1 day') RETURNING id`,
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
      // One release for the survey's team, dated by its last day.
      const days: { day: string }[] = await q(
        `SELECT DISTINCT to_char(released_on, 'YYYY-MM-DD') AS day FROM response`,
      );
      expect(days).toEqual([{ day: '2026-10-03' }]);
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
});
