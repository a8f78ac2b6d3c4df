import { DirectoryService } from '../../src/modules/directory/directory.service';
import { TicketSurveysService } from '../../src/modules/tickets/ticket-surveys.service';
import { createTeam } from '../factories';
import { createIntegration, deliver, ticketRowId } from '../factories/webhooks';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The attack (threat b, a database reader): the `ticket.invite` batch used to invite "everyone
 * decided since" every ten minutes. A ticket keeps when it was decided (its times, its row
 * version), an invitation the time of its batch: whenever a batch held one ticket of a team, the
 * ticket was tied to its requester again, although the requester was erased. A team's decided
 * tickets are now invited together once m different people wait (or after
 * TICKET_INVITE_MAX_WAIT_HOURS, a documented residual for teams with few tickets).
 */
const DAY = 86_400_000;

describe('decided tickets and their invitations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MIX_BATCH_SIZE: '5',
      REPORTING_THRESHOLD: '3',
      COMMENT_THRESHOLD: '3',
    });
  });
  afterAll(() => t.close());

  it('cannot be tied one to one by the time of the invitation batch', async () => {
    const team = await createTeam(t, 'Payroll');
    const integration = await createIntegration(t, 'generic', {
      defaultTeam: team.slug,
      delayMinutes: 0,
      throttleDays: 30,
    });
    const directory = t.get(DirectoryService);
    const people: { id: string; email: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const e = await directory.create({
        email: `req${i}.${Math.random().toString(36).slice(2, 8)}@example.com`,
        name: `Requester ${i}`,
        department: 'Ops',
        location: 'Madrid',
        hireDate: new Date(Date.now() - 800 * DAY).toISOString().slice(0, 10),
        locale: 'en',
      });
      people.push({ id: e.id, email: e.email });
    }
    const categories = ['Sick leave', 'Payslip', 'Garnishment', 'Tax', 'Visa', 'Pension'];
    const jobs = t.get(TicketSurveysService);
    const truth = new Map<string, string>(); // ticket -> requester (what was erased)
    // Tickets are decided as they come; the 10-minute batch runs between them. The last two are
    // decided within one window.
    for (let i = 0; i < 6; i++) {
      const at = Date.now() - 60_000;
      const res = await deliver(t, integration, {
        type: 'ticket.resolved',
        occurredAt: new Date(at).toISOString(),
        ticket: {
          id: `PAY-${i}`,
          requester: { email: people[i].email },
          assignee: { email: 'agent@example.com' },
          group: { name: 'Payroll' },
          category: categories[i],
          createdAt: new Date(at - (1 + i * 9) * 3_600_000).toISOString(),
          resolvedAt: new Date(at).toISOString(),
        },
      });
      expect(res.statusCode).toBe(202);
      expect(await jobs.run((await ticketRowId(t, integration.id, `PAY-${i}`)) as string)).toBe(
        'sent',
      );
      truth.set(`PAY-${i}`, people[i].id);
      if (i !== 4) await jobs.inviteDecided();
      await new Promise((r) => setTimeout(r, 20));
    }

    // ---- Attack 1: a SQL reader, after the fact. ----
    const q = (sql: string, v?: unknown[]) => t.dataSource.query(sql, v);
    const tickets: { external_ticket_id: string; category: string; decided: Date; xmin: string }[] =
      await q(
        `SELECT external_ticket_id, category, updated_at AS decided, xmin::text AS xmin FROM ticket_event
        WHERE team_id = $1 AND survey_state = 'sent'`,
        [team.id],
      );
    const invitations: {
      employee_id: string;
      created_at: Date;
      resolution_band: string;
      xmin: string;
    }[] = await q(
      `SELECT i.employee_id, i.created_at, i.resolution_band, i.xmin::text AS xmin FROM invitation i
         JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket' AND s.team_id = $1`,
      [team.id],
    );
    const batches = [...new Set(invitations.map((i) => i.created_at.getTime()))].sort(
      (a, b) => a - b,
    );
    const ties: string[] = [];
    for (const inv of invitations) {
      const b = batches.indexOf(inv.created_at.getTime());
      const from = b === 0 ? 0 : batches[b - 1];
      const candidates = tickets.filter(
        (x) => x.decided.getTime() > from && x.decided.getTime() <= inv.created_at.getTime(),
      );
      if (candidates.length < 5)
        ties.push(`${inv.employee_id} among ${candidates.map((c) => c.external_ticket_id)}`);
    }
    // Nobody is invited before five people of the team wait (m = 5); then all six go in one
    // batch: no batch holds fewer than m people, no ticket is tied to its requester.
    expect(invitations).toHaveLength(6);
    expect(batches).toHaveLength(1);
    expect(ties).toEqual([]);
  });
});
