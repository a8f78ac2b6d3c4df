import { DirectoryService } from '../../src/modules/directory/directory.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam, signIn } from '../factories';
import { createIntegration, deliver, type Json } from '../factories/webhooks';
import { startSmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { untilValue } from '../setup/until';

function resolved(ticket: string, email: string): Json {
  const at = Date.now() - 60_000;
  return {
    type: 'ticket.resolved',
    occurredAt: new Date(at).toISOString(),
    ticket: {
      id: ticket,
      requester: { email },
      createdAt: new Date(at - 3_600_000).toISOString(),
      resolvedAt: new Date(at).toISOString(),
    },
  };
}

/** Polls until `check` holds (the workers are real pg-boss workers on their own schedule). */
const until = <T>(what: string, read: () => Promise<T>, check: (value: T) => boolean) =>
  untilValue(what, read, check, 120_000, 250);

/**
 * Real pg-boss workers: a survey whose job always fails is retried, then ends as a dead letter
 * that HR sees, while other surveys flow. The poison: the database refuses the decision about one
 * ticket (a trigger the test adds, standing for a row that can never be written). The people of
 * decided tickets are invited by the `ticket.invite` batch (every ten minutes: the test runs it);
 * mail itself has its own retries and dead letters, in the mail pipeline.
 */
describe('a survey job that always fails', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await startTestApp({
      SMTP_URL: smtp.url,
      JOB_WORKERS: 'true',
      TICKET_INVITE_MAX_WAIT_HOURS: '0',
      TICKET_SURVEY_RETRY_LIMIT: '1',
      TICKET_SURVEY_RETRY_DELAY_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('ends in dead letters, visible to HR, while the others are sent', async () => {
    const team = await createTeam(t, 'Field Services');
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
    });
    for (const email of ['poison@example.com', 'fine.one@example.com', 'fine.two@example.com'])
      await t.get(DirectoryService).create({ email, name: email.split('@')[0] });
    // The decision to survey marks the ticket sent (the requester is sealed: the ticket is what
    // the database can tell apart).
    await t.dataSource.query(`
      CREATE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.external_ticket_id = 'DL-POISON' AND NEW.survey_state = 'sent' THEN
          RAISE EXCEPTION 'this decision cannot be written';
        END IF;
        RETURN NEW;
      END $$`);
    await t.dataSource.query(`
      CREATE TRIGGER test_refuse_poison BEFORE UPDATE ON ticket_event
        FOR EACH ROW EXECUTE FUNCTION test_refuse_poison()`);
    const inviteDecided = () => t.get(TicketSurveysService).inviteDecided();

    await deliver(t, integration, resolved('DL-POISON', 'poison@example.com'));
    await deliver(t, integration, resolved('DL-FINE-1', 'fine.one@example.com'));
    const state = (ticket: string) =>
      t.dataSource
        .query(
          'SELECT survey_state, survey_attempts, survey_error FROM ticket_event WHERE external_ticket_id = $1',
          [ticket],
        )
        .then(
          (rows: { survey_state: string; survey_attempts: number; survey_error: string }[]) =>
            rows[0],
        );

    expect(
      (
        await until(
          'the first fine survey',
          () => state('DL-FINE-1'),
          (s) => s.survey_state === 'sent',
        )
      ).survey_state,
    ).toBe('sent');
    const dead = await until(
      'the dead letter',
      () => state('DL-POISON'),
      (s) => s.survey_state === 'dead',
    );
    // Tried once and retried once (TICKET_SURVEY_RETRY_LIMIT=1), the reason kept.
    expect(dead).toEqual({
      survey_state: 'dead',
      survey_attempts: 2,
      survey_error: expect.stringContaining('this decision cannot be written'),
    });
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ticket.survey.dead'`,
    );
    expect(n).toBe(1);
    // Nothing of the failed ticket was handed over, so nobody is invited for it.
    const [{ poisonInvited }] = await t.dataSource.query(
      `SELECT count(*)::int AS "poisonInvited" FROM invitation i JOIN employee e ON e.id = i.employee_id
        WHERE e.email = 'poison@example.com'`,
    );
    expect(poisonInvited).toBe(0);
    // The requester is kept, sealed, for a retry.
    const [kept] = await t.dataSource.query(
      `SELECT requester_email_sealed IS NOT NULL AS kept FROM ticket_event
        WHERE external_ticket_id = 'DL-POISON'`,
    );
    expect(kept).toEqual({ kept: true });

    // Surveys keep flowing after it.
    await deliver(t, integration, resolved('DL-FINE-2', 'fine.two@example.com'));
    await until(
      'the second fine survey',
      () => state('DL-FINE-2'),
      (s) => s.survey_state === 'sent',
    );
    // The batch invites them; their mails go out through the mail pipeline's own workers.
    await inviteDecided();
    await until(
      'the mails',
      async () => smtp.mails.length,
      (n) => n >= 2,
    );
    expect(smtp.mails.map((m) => m.to && JSON.stringify(m.to)).join(' ')).not.toContain('poison');
    expect(smtp.mails.filter((m) => JSON.stringify(m.to).includes('fine.'))).toHaveLength(2);

    // HR sees it on the integration's page and in the API, and can try again.
    const admin = await signIn(t, 'admin');
    const page = await t.request({
      method: 'GET',
      url: `/admin/integrations/${integration.id}`,
      headers: { cookie: admin.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Failed surveys (dead letters)');
    expect(page.body).toMatch(/DL-POISON<\/td><td>Field Services<\/td><td>2<\/td>/);
    const api = await t.api({
      method: 'GET',
      url: `/api/v1/integrations/${integration.id}/tickets`,
    });
    expect(api.json().dead).toEqual([
      expect.objectContaining({ externalTicketId: 'DL-POISON', surveyAttempts: 2 }),
    ]);
    const list = await t.request({
      method: 'GET',
      url: '/admin/integrations',
      headers: { cookie: admin.cookie },
    });
    expect(list.body).toMatch(/<strong>1<\/strong>/);
    const retry = await t.api({
      method: 'POST',
      url: `/api/v1/integrations/${integration.id}/tickets/DL-POISON/retry`,
    });
    expect(retry.json()).toEqual({ status: 'queued' });
    // Once the cause is gone, the retried survey goes.
    await t.dataSource.query('DROP TRIGGER test_refuse_poison ON ticket_event');
    await until(
      'the retried survey',
      () => state('DL-POISON'),
      (s) => s.survey_state === 'sent',
    );
    // The decision forgot the requester it had kept for the retry, and removed the ticket's
    // jobs, its dead letter included.
    const [poison] = await t.dataSource.query(
      `SELECT id, requester_email_sealed, requester_external_id_sealed FROM ticket_event
        WHERE external_ticket_id = 'DL-POISON'`,
    );
    expect(poison).toEqual({
      id: expect.any(String),
      requester_email_sealed: null,
      requester_external_id_sealed: null,
    });
    const [{ jobs }] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM pgboss.job WHERE data ->> 'ticketId' = $1)::int
            + (SELECT count(*) FROM pgboss.archive WHERE data ->> 'ticketId' = $1)::int AS jobs`,
      [poison.id],
    );
    expect(jobs).toBe(0);
    await inviteDecided();
    await until(
      'the retried survey’s mail',
      async () => smtp.mails.filter((m) => JSON.stringify(m.to).includes('poison')).length,
      (n) => n === 1,
    );
  }, 180_000);
});
