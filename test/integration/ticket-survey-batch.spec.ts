import { randomUUID } from 'node:crypto';
import { TicketSurveyJobIds1796451354315 } from '../../src/database/migrations/1796451354315-TicketSurveyJobIds';
import { DirectoryService } from '../../src/modules/directory/directory.service';
import { surveyJobId } from '../../src/modules/tickets/survey-jobs';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam } from '../factories';
import { createIntegration, deliver, type Json, ticketRowId } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';
import { until } from '../setup/until';

function event(type: string, ticket: string, email: string): Json {
  const at = Date.now() - 60_000;
  return {
    type,
    occurredAt: new Date(at).toISOString(),
    ticket: {
      id: ticket,
      requester: { email },
      createdAt: new Date(at - 3_600_000).toISOString(),
      ...(type === 'ticket.resolved' ? { resolvedAt: new Date(at).toISOString() } : {}),
    },
  };
}

/**
 * Survey jobs: one per ticket under an id made from the ticket (so a decision deletes it by id,
 * whatever the size of the queue), and decided by batches when many are due at once (a bulk
 * close), each on its own.
 */
describe('ticket survey jobs', () => {
  let t: TestApp;
  let integration: Awaited<ReturnType<typeof createIntegration>>;
  const jobsOf = async (ticketRow: string) =>
    t.dataSource.query(
      `SELECT id, state FROM pgboss.job WHERE name = 'ticket.survey' AND data ->> 'ticketId' = $1`,
      [ticketRow],
    ) as Promise<{ id: string; state: string }[]>;

  beforeAll(async () => {
    t = await startTestApp();
    const team = await createTeam(t, 'Workplace');
    integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
    });
    await t.get(DirectoryService).create({ email: 'noor@example.com', name: 'Noor' });
  });
  afterAll(() => t.close());

  it('one job per ticket, under its id; a reopen and a new resolution replace it; the decision deletes it, archived copy included', async () => {
    await deliver(t, integration, event('ticket.resolved', 'B-1', 'noor@example.com'));
    const row = (await ticketRowId(t, integration.id, 'B-1')) as string;
    expect(await jobsOf(row)).toEqual([{ id: surveyJobId(row), state: 'created' }]);
    await deliver(t, integration, event('ticket.reopened', 'B-1', 'noor@example.com'));
    await deliver(t, integration, event('ticket.resolved', 'B-1', 'noor@example.com'));
    expect(await jobsOf(row)).toEqual([{ id: surveyJobId(row), state: 'created' }]);
    // pg-boss archives what ran long ago: a copy there is a trace too.
    await t.dataSource.query(
      `INSERT INTO pgboss.archive SELECT *, now() FROM pgboss.job WHERE name = 'ticket.survey' AND id = $1`,
      [surveyJobId(row)],
    );
    expect(await t.get(TicketSurveysService).run(row)).toBe('sent');
    const [{ n }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE data ->> 'ticketId' = $1)::int
            + (SELECT count(*) FROM pgboss.archive WHERE data ->> 'ticketId' = $1)::int AS n`,
      [row],
    );
    expect(n).toBe(0);
    // One person alone waits for others of the team (m), at most a day.
    expect(await t.get(TicketSurveysService).inviteDecided()).toBe(0);
    const tomorrow = new Date(Date.now() + 24 * 3_600_000 + 60_000);
    expect(await t.get(TicketSurveysService).inviteDecided(tomorrow)).toBe(1);
  });

  it('invites a team’s decided tickets together: once m different people wait, not before', async () => {
    const m = t.config.mixBatchSize;
    const team = await createTeam(t, 'Facilities');
    const facilities = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
    });
    const people = Array.from({ length: m }, (_, i) => `wait${i}@example.com`);
    for (const email of people) await t.get(DirectoryService).create({ email, name: email });
    const jobs = t.get(TicketSurveysService);
    for (let i = 0; i < m; i++) {
      await deliver(t, facilities, event('ticket.resolved', `W-${i}`, people[i]));
      expect(await jobs.run((await ticketRowId(t, facilities.id, `W-${i}`)) as string)).toBe(
        'sent',
      );
      // m − 1 decided: nobody is invited yet, and nothing was deleted.
      if (i < m - 1) expect(await jobs.inviteDecided()).toBe(0);
    }
    const [{ waiting }] = await t.dataSource.query(
      'SELECT count(*)::int AS waiting FROM pending_ticket_invitation',
    );
    expect(waiting).toBe(m);
    expect(await jobs.inviteDecided()).toBe(m);
    const invited = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT i.created_at)::int AS times, count(DISTINCT i.xmin::text)::int AS txs
         FROM invitation i JOIN survey s ON s.id = i.survey_id AND s.team_id = $1`,
      [team.id],
    );
    // One batch: one transaction and one time for all m.
    expect(invited[0]).toEqual({ n: m, times: 1, txs: 1 });
  });

  it('a bulk close: hundreds of due surveys are decided by the workers in batches, a failing one retried alone', async () => {
    const workers = await startTestApp(
      {
        JOB_WORKERS: 'true',
        TICKET_SURVEY_RETRY_LIMIT: '1',
        TICKET_SURVEY_RETRY_DELAY_SECONDS: '1',
      },
      { database: t.db },
    );
    try {
      const count = 300;
      const people = Array.from({ length: count }, (_, i) => `bulk${i}@example.com`);
      await t.dataSource.query(
        `INSERT INTO employee (email, name, locale) SELECT unnest($1::text[]), 'Bulk', 'en'`,
        [people],
      );
      await t.dataSource.query(`
        CREATE FUNCTION test_refuse_bulk_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.external_ticket_id = 'BULK-7' AND NEW.survey_state = 'sent' THEN
            RAISE EXCEPTION 'this decision cannot be written';
          END IF;
          RETURN NEW;
        END $$`);
      await t.dataSource.query(`
        CREATE TRIGGER test_refuse_bulk_poison BEFORE UPDATE ON ticket_event
          FOR EACH ROW EXECUTE FUNCTION test_refuse_bulk_poison()`);
      for (let i = 0; i < count; i++)
        await deliver(t, integration, event('ticket.resolved', `BULK-${i}`, people[i]));
      const states = async () =>
        Object.fromEntries(
          (
            await t.dataSource.query(
              `SELECT survey_state AS state, count(*)::int AS n FROM ticket_event
                WHERE external_ticket_id LIKE 'BULK-%' GROUP BY survey_state`,
            )
          ).map((r: { state: string; n: number }) => [r.state, r.n]),
        ) as Record<string, number>;
      await until('every bulk survey decided', async () => {
        const s = await states();
        return s.sent === count - 1 && s.dead === 1;
      });
      const [poison] = await t.dataSource.query(
        `SELECT survey_attempts FROM ticket_event WHERE external_ticket_id = 'BULK-7'`,
      );
      expect(poison.survey_attempts).toBe(2); // tried, retried once, then dead
      expect(await t.get(TicketSurveysService).inviteDecided()).toBe(count - 1);
    } finally {
      await workers.close();
    }
  }, 180_000);

  it('the migration gives waiting jobs of the old kind their ticket’s id and drops what is done', async () => {
    const ticket = randomUUID();
    const other = randomUUID();
    const insert = (id: string, ticketId: string, state: string, startAfter: string) =>
      t.dataSource.query(
        `INSERT INTO pgboss.job (id, name, data, state, start_after)
         VALUES ($1, 'ticket.survey', jsonb_build_object('ticketId', $2::text), $3, now() + $4::interval)`,
        [id, ticketId, state, startAfter],
      );
    await insert(randomUUID(), ticket, 'completed', '-1 day');
    await insert(randomUUID(), ticket, 'created', '1 minute');
    await insert(randomUUID(), ticket, 'created', '2 minutes');
    await insert(randomUUID(), other, 'retry', '0 minutes');
    const runner = t.dataSource.createQueryRunner();
    try {
      await new TicketSurveyJobIds1796451354315().up(runner);
    } finally {
      await runner.release();
    }
    const rows: { id: string; ticket: string; state: string; late: boolean }[] =
      await t.dataSource.query(
        `SELECT id, data ->> 'ticketId' AS ticket, state, start_after > now() + interval '90 seconds' AS late
           FROM pgboss.job WHERE name = 'ticket.survey' AND data ->> 'ticketId' = ANY($1::text[])
          ORDER BY ticket`,
        [[ticket, other]],
      );
    expect(rows.sort((a, b) => a.ticket.localeCompare(b.ticket))).toEqual(
      [
        { id: surveyJobId(ticket), ticket, state: 'created', late: true },
        { id: surveyJobId(other), ticket: other, state: 'retry', late: false },
      ].sort((a, b) => a.ticket.localeCompare(b.ticket)),
    );
  });
});
