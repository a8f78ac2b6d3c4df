import { DirectoryService } from '../../src/modules/directory/directory.service';
import { FatigueService } from '../../src/modules/fatigue/fatigue.service';
import { SurveysService } from '../../src/modules/surveys/surveys.service';
import { IntegrationsService } from '../../src/modules/tickets/integrations.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createEmployees, createSurvey, createTeam } from '../factories';
import {
  createIntegration,
  deliver,
  type Json,
  type TestIntegration,
  sendQueuedMail,
  ticketRowId,
} from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

const MINUTE = 60_000;

function resolved(
  ticket: string,
  extra: { email?: string; at?: number; ticket?: Json } = {},
): Json {
  const at = extra.at ?? Date.now() - MINUTE;
  return {
    type: 'ticket.resolved',
    occurredAt: new Date(at).toISOString(),
    ticket: {
      id: ticket,
      requester: { email: extra.email ?? 'ines@example.com' },
      assignee: { email: 'agent@example.com' },
      group: { name: 'Payroll' },
      category: 'Payslip question',
      createdAt: new Date(at - 3 * 3_600_000).toISOString(),
      resolvedAt: new Date(at).toISOString(),
      ...(extra.ticket ?? {}),
    },
  };
}

/**
 * The survey job's decisions, on the real database: who is surveyed, who is not and why, and
 * that the decision is recorded once.
 */
describe('the ticket survey job', () => {
  let t: TestApp;
  let integration: TestIntegration;
  let hrSlug: string;
  let payrollSlug: string;
  let payrollId: string;

  const run = async (ticket: string, on = integration) =>
    t.get(TicketSurveysService).run((await ticketRowId(t, on.id, ticket)) as string);
  /** The batch that invites the people of decided tickets (a job every ten minutes). */
  const inviteDecided = () => t.get(TicketSurveysService).inviteDecided();
  /** The jobs about a ticket, waiting, done or archived. */
  const jobsAbout = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT (SELECT count(*) FROM pgboss.job WHERE data ->> 'ticketId' = $1)::int
              + (SELECT count(*) FROM pgboss.archive WHERE data ->> 'ticketId' = $1)::int AS n`,
        [id],
      )
    )[0].n as number;
  /** Invitations to ticket surveys of the person. */
  const ticketInvitations = async (email: string) =>
    (
      await t.dataSource.query(
        `SELECT i.id FROM invitation i JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket'
           JOIN employee e ON e.id = i.employee_id WHERE e.email = $1`,
        [email],
      )
    ).length;
  /** Mails that reached the outbox (no SMTP_URL), once the pipeline has sent what it holds. */
  const outbox = async (to: string) => {
    await sendQueuedMail(t);
    return (
      await t.dataSource.query('SELECT subject FROM outbox_message WHERE to_address = $1', [to])
    ).length;
  };

  beforeAll(async () => {
    // The invitation batch takes whatever was decided (its wait for m people: ticket-survey-batch).
    t = await startTestApp({ TICKET_INVITE_MAX_WAIT_HOURS: '0' });
    const hr = await createTeam(t, 'People & HR');
    const payroll = await createTeam(t, 'Payroll', hr.slug);
    hrSlug = hr.slug;
    payrollSlug = payroll.slug;
    payrollId = payroll.id;
    integration = await createIntegration(t, 'generic', {
      defaultTeam: hrSlug,
      mappingRules: [{ match: 'payroll', team: payrollSlug }],
      delayMinutes: 0,
      excludedCategories: ['Grievance', 'Legal matter'],
    });
    for (const email of [
      'ines@example.com',
      'agent@example.com',
      'ola@example.com',
      'pau@example.com',
    ]) {
      await t.get(DirectoryService).create({ email, name: email.split('@')[0] });
    }
    await t
      .get(DirectoryService)
      .create({ email: 'gone@example.com', name: 'Gone', active: false });
  });
  afterAll(() => t.close());

  it('surveys a known employee about the team the group maps to, once', async () => {
    await deliver(t, integration, resolved('J-1'));
    const id = (await ticketRowId(t, integration.id, 'J-1')) as string;
    // Until the decision the requester is kept sealed: nothing in the row reads as the address.
    const [waiting] = await t.dataSource.query(
      'SELECT requester_email_sealed AS sealed FROM ticket_event WHERE id = $1',
      [id],
    );
    expect(Buffer.isBuffer(waiting.sealed)).toBe(true);
    expect(waiting.sealed.toString('latin1')).not.toContain('ines');
    expect(await jobsAbout(id)).toBe(1);
    expect(await run('J-1')).toBe('sent');
    expect(await run('J-1')).toBe('nothing-to-do');
    // The decision writes no invitation and queues no mail: the next invitation batch does.
    expect(await ticketInvitations('ines@example.com')).toBe(0);
    expect(await outbox('ines@example.com')).toBe(0);
    expect(await inviteDecided()).toBe(1);
    expect(await inviteDecided()).toBe(0);
    expect(await outbox('ines@example.com')).toBe(1);
    const [row] = await t.dataSource.query(
      `SELECT t.survey_state, t.requester_email_sealed, t.requester_external_id_sealed, st.slug
         FROM ticket_event t JOIN service_team st ON st.id = t.team_id
        WHERE t.external_ticket_id = 'J-1'`,
    );
    // Sent, mapped to Payroll, and the requester forgotten altogether.
    expect(row).toEqual({
      survey_state: 'sent',
      requester_email_sealed: null,
      requester_external_id_sealed: null,
      slug: payrollSlug,
    });
    // The decision removed the ticket's jobs, waiting or done.
    expect(await jobsAbout(id)).toBe(0);
    // The invitation is on Payroll's ticket survey of the month, with the resolution band only.
    const [invitation] = await t.dataSource.query(
      `SELECT s.source, s.name, i.resolution_band, i.sent_at IS NOT NULL AS sent, i.answered
         FROM invitation i JOIN survey s ON s.id = i.survey_id JOIN employee e ON e.id = i.employee_id
        WHERE e.email = 'ines@example.com'`,
    );
    expect(invitation).toEqual({
      source: 'ticket',
      name: expect.stringContaining(new Date().toISOString().slice(0, 7)),
      resolution_band: '<4h',
      sent: true,
      answered: false,
    });
    const columns: { column_name: string }[] = await t.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'invitation'`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(expect.arrayContaining(['resolution_band']));
    for (const ticketAttribute of ['category', 'priority', 'channel'])
      expect(columns.map((c) => c.column_name)).not.toContain(ticketAttribute);
  });

  it('does not survey the same requester about the same team within the throttle', async () => {
    // The same team in the same month, within the 30 days of the throttle.
    await deliver(t, integration, resolved('J-2'));
    expect(await run('J-2')).toBe('skipped:throttled');
    // The next month's survey of the team, still within the 30 days of the throttle.
    const lastMonth = new Date();
    lastMonth.setUTCDate(1);
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    await t.dataSource.query('UPDATE ticket_survey SET period = $2 WHERE team_id = $1', [
      payrollId,
      lastMonth.toISOString().slice(0, 7),
    ]);
    await deliver(t, integration, resolved('J-2b'));
    expect(await run('J-2b')).toBe('skipped:throttled');
    // Another team is another matter (here: the default team, HR).
    await deliver(t, integration, resolved('J-3', { ticket: { group: { name: 'Benefits' } } }));
    expect(await run('J-3')).toBe('sent');
    expect(await inviteDecided()).toBe(1);
    expect(await outbox('ines@example.com')).toBe(2);
  });

  it.each([
    [
      'excluded-category',
      resolved('X-1', { email: 'ola@example.com', ticket: { category: 'grievance' } }),
    ],
    ['requester-is-assignee', resolved('X-2', { email: 'agent@example.com' })],
    ['not-an-employee', resolved('X-3', { email: 'stranger@example.com' })],
    ['not-an-employee', resolved('X-4', { email: 'gone@example.com' })],
    ['no-requester', resolved('X-5', { ticket: { requester: {} } })],
    ['too-late', resolved('X-6', { email: 'ola@example.com', at: Date.now() - 9 * 86_400_000 })],
  ])('skips: %s', async (reason, payload) => {
    const ticket = (payload.ticket as { id: string }).id;
    expect((await deliver(t, integration, payload)).statusCode).toBe(202);
    expect(await run(ticket)).toBe(`skipped:${reason}`);
    const [row] = await t.dataSource.query(
      `SELECT survey_state, requester_email_sealed, requester_external_id_sealed
         FROM ticket_event WHERE external_ticket_id = $1`,
      [ticket],
    );
    expect(row).toEqual({
      survey_state: `skipped:${reason}`,
      requester_email_sealed: null,
      requester_external_id_sealed: null,
    });
    // A skip hands nobody over to the invitation batch.
    expect(await inviteDecided()).toBe(0);
  });

  it('samples tickets in by the integration’s percentage (0% surveys nobody)', async () => {
    const none = await createIntegration(t, 'generic', {
      defaultTeam: hrSlug,
      delayMinutes: 0,
      samplingPercent: 0,
    });
    await deliver(t, none, resolved('S-1', { email: 'pau@example.com' }));
    expect(await run('S-1', none)).toBe('skipped:not-sampled');
  });

  it('waits while the survey is not due, and sends nothing for a reopened ticket', async () => {
    const later = await createIntegration(t, 'generic', { defaultTeam: hrSlug, delayMinutes: 60 });
    await deliver(t, later, resolved('D-1', { email: 'pau@example.com' }));
    expect(await run('D-1', later)).toBe('not-due');
    await deliver(t, later, {
      type: 'ticket.reopened',
      occurredAt: new Date().toISOString(),
      ticket: { id: 'D-1' },
    });
    expect(await run('D-1', later)).toBe('nothing-to-do');
    expect(await inviteDecided()).toBe(0);
    expect(await outbox('pau@example.com')).toBe(0);
  });

  it('one invitation per person, team and month, even with no throttle', async () => {
    const noThrottle = await createIntegration(t, 'generic', {
      defaultTeam: hrSlug,
      delayMinutes: 0,
      throttleDays: 0,
      mappingRules: [{ match: 'payroll', team: payrollSlug }],
    });
    await t.get(DirectoryService).create({ email: 'quinn@example.com', name: 'Quinn' });
    await deliver(t, noThrottle, resolved('M-1', { email: 'quinn@example.com' }));
    await deliver(t, noThrottle, resolved('M-2', { email: 'quinn@example.com' }));
    expect(await run('M-1', noThrottle)).toBe('sent');
    expect(await inviteDecided()).toBe(1);
    expect(await run('M-2', noThrottle)).toBe('skipped:surveyed-this-month');
    // Two decisions waiting for the same batch (the decision cannot read what waits, sealed):
    // the batch still makes one invitation, and one mail.
    await t.get(DirectoryService).create({ email: 'ruth@example.com', name: 'Ruth' });
    await deliver(t, noThrottle, resolved('M-3', { email: 'ruth@example.com' }));
    await deliver(t, noThrottle, resolved('M-4', { email: 'ruth@example.com' }));
    expect(await run('M-3', noThrottle)).toBe('sent');
    expect(await run('M-4', noThrottle)).toBe('sent');
    expect(await inviteDecided()).toBe(1);
    expect(await ticketInvitations('ruth@example.com')).toBe(1);
    expect(await outbox('ruth@example.com')).toBe(1);
  });

  it('keeps to the organisation’s fatigue budget, and counts who it kept out', async () => {
    const [person] = [
      await t.get(DirectoryService).create({ email: 'rae@example.com', name: 'Rae' }),
    ];
    const { survey } = await createSurvey(t, { teamSlug: hrSlug });
    // A pulse survey goes to at least m people at once.
    const others = await createEmployees(t, t.config.mixBatchSize - 1);
    await t
      .get(SurveysService)
      .send(survey.id, { employeeIds: [person.id, ...others.map((o) => o.id)] });
    const fatigue = t.get(FatigueService);
    await fatigue.setDays('30', undefined);
    try {
      await deliver(t, integration, resolved('F-1', { email: 'rae@example.com' }));
      expect(await run('F-1')).toBe('skipped:fatigue-budget');
      const [{ skipped }] = await t.dataSource.query(
        `SELECT coalesce(sum(skipped), 0)::int AS skipped FROM fatigue_skip f
           JOIN survey s ON s.id = f.source_id WHERE s.source = 'ticket'`,
      );
      expect(skipped).toBe(1);
    } finally {
      await fatigue.setDays('0', undefined);
    }
  });

  it('HR can pause an integration: its deliveries then get 404', async () => {
    const paused = await createIntegration(t, 'generic', { defaultTeam: hrSlug });
    await t.get(IntegrationsService).update(undefined, paused.id, { active: false });
    expect((await deliver(t, paused, resolved('P-1'))).statusCode).toBe(404);
  });
});
