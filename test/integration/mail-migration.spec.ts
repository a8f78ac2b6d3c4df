import { createDataSource } from '../../src/database/data-source';
import { migrateWithLock } from '../../src/database/migrate';
import { MIGRATIONS } from '../../src/database/migrations';
import { createTestDatabase, migrateUpTo } from '../setup/test-database';

/**
 * Upgrading a database whose invitations the old delivery job had not mailed yet: the
 * MailPipeline migration gives each of them its mail row, which the sweep then sends.
 */
describe('the MailPipeline migration', () => {
  it('queues the mail of every invitation still waiting for it, and only those', async () => {
    // A database as it was just before MailPipeline.
    const db = await createTestDatabase({ empty: true });
    const names = MIGRATIONS.map((m) => (m as unknown as { name: string }).name);
    const at = names.findIndex((name) => name.startsWith('MailPipeline'));
    expect(at).toBeGreaterThan(0);
    await migrateUpTo(db.url, at);
    const dataSource = createDataSource(db.url, { poolSize: 2 });
    await dataSource.initialize();
    try {
      const [{ id: team }] = await dataSource.query(
        `INSERT INTO service_team (slug, name) VALUES ('it', 'IT') RETURNING id`,
      );
      const [{ id: questionnaire }] = await dataSource.query(
        `INSERT INTO questionnaire (name) VALUES ('q') RETURNING id`,
      );
      const survey = async (closesIn: string) =>
        (
          await dataSource.query(
            `INSERT INTO survey (name, questionnaire_id, team_id, reporting_threshold, closes_at)
             VALUES ('s', $1, $2, 5, now() + $3::interval) RETURNING id`,
            [questionnaire, team, closesIn],
          )
        )[0].id as string;
      const open = await survey('7 days');
      const closed = await survey('-1 day');
      const person = async (email: string, active = true) =>
        (
          await dataSource.query(
            `INSERT INTO employee (email, name, locale, active) VALUES ($1, $1, 'ja', $2) RETURNING id`,
            [email, active],
          )
        )[0].id as string;
      const invite = (surveyId: string, employeeId: string, state: 'sent' | 'answered' | '' = '') =>
        dataSource.query(
          `INSERT INTO invitation (survey_id, employee_id, expires_at, sent_at, answered_on)
           VALUES ($1, $2, now() + interval '7 days',
                   CASE WHEN $3 = 'sent' THEN now() END, CASE WHEN $3 = 'answered' THEN current_date END)`,
          [surveyId, employeeId, state],
        );
      await invite(open, await person('waiting@example.com'));
      await invite(open, await person('sent@example.com'), 'sent');
      await invite(open, await person('answered@example.com'), 'answered');
      await invite(open, await person('gone@example.com', false));
      await invite(closed, await person('late@example.com'));

      expect(await migrateWithLock(dataSource)).toEqual(names.slice(at));
      const rows = await dataSource.query(
        `SELECT to_address, locale, kind, sequence, status, due_at <= now() AS due FROM mail_message`,
      );
      expect(rows).toEqual([
        {
          to_address: 'waiting@example.com',
          locale: 'ja',
          kind: 'invitation',
          sequence: 0,
          status: 'queued',
          due: true,
        },
      ]);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});
