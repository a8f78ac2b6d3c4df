import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalise } from '.';
import type { IntegrationKind } from '../entities/integration.entity';

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/webhooks', path), 'utf8')) as Record<
    string,
    unknown
  >;

const eventOf = (kind: IntegrationKind, payload: unknown) => {
  const result = normalise(kind, payload);
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return result.event;
};

describe('normalising each system’s payload into one ticket event', () => {
  it('Jira Service Management: a transition into a "done" status is a resolution', () => {
    expect(eventOf('jira', fixture('jira/issue-resolved.json'))).toEqual({
      eventId: 'changelog:10482:10933',
      ticketId: 'ITSD-1482',
      type: 'resolved',
      occurredAt: new Date(1772446530123),
      requesterEmail: 'mia.hoffmann@example.com',
      requesterId: 'qm:8d6c0a1e-6f1b-4a0d-9c53-5d2a2c7b1e44:4f0e8c1e-9d7a-4a38-8d1f-0a8e2a1f5b6c',
      assigneeEmail: 'tomas.ortega@example.com',
      assigneeId: '712020:4b8f6a2e-0c1d-4f55-9a77-2f0c7e1d9a10',
      groupId: '10020',
      groupName: 'Service Desk',
      category: 'Get IT help',
      priority: 'Medium',
      channel: 'portal',
      createdAt: new Date('2026-03-02T07:48:02.511Z'),
      firstResponseAt: new Date('2026-03-02T08:21:40Z'),
      resolvedAt: new Date('2026-03-02T10:15:30.123Z'),
      closedAt: null,
    });
  });

  it('Jira: created, reopened (resolution cleared), an Automation rule, other events ignored', () => {
    expect(eventOf('jira', fixture('jira/issue-created.json')).type).toBe('created');
    const reopened = eventOf('jira', fixture('jira/issue-reopened.json'));
    expect(reopened).toMatchObject({ type: 'reopened', ticketId: 'ITSD-1482', resolvedAt: null });
    const automation = eventOf('jira', fixture('jira/automation-resolved.json'));
    expect(automation).toMatchObject({
      type: 'resolved',
      ticketId: 'HR-219',
      occurredAt: new Date('2026-03-02T10:15:31Z'),
      requesterEmail: 'jonas.berg@example.com',
      assigneeEmail: null,
      groupName: 'Payroll',
      category: 'Payroll question',
    });
    expect(normalise('jira', { webhookEvent: 'comment_created', comment: {} })).toEqual({
      ignored: expect.stringContaining('comment_created'),
      eventType: 'comment_created',
    });
  });

  it('Zendesk: a trigger’s template and an event subscription', () => {
    expect(eventOf('zendesk', fixture('zendesk/trigger-solved.json'))).toMatchObject({
      ticketId: '58231',
      type: 'resolved',
      requesterEmail: 'lena.novak@example.com',
      groupId: '360012883412',
      groupName: 'Facilities',
      category: 'Building & workplace',
      priority: 'normal',
      channel: 'web form',
      resolvedAt: new Date('2026-03-02T09:05:44Z'),
    });
    expect(eventOf('zendesk', fixture('zendesk/event-status-changed.json'))).toMatchObject({
      eventId: '6d0f9b2c-3f35-4a8e-9d0d-7b3c6c1f2e11',
      ticketId: '58240',
      type: 'resolved',
      requesterEmail: null,
      requesterId: '381726354912',
      groupId: '360012883412',
      category: 'INCIDENT',
      priority: 'high',
      channel: 'web_form',
    });
    const reopened = fixture('zendesk/event-status-changed.json');
    reopened.event = { current: 'OPEN', previous: 'SOLVED' };
    expect(eventOf('zendesk', reopened).type).toBe('reopened');
    expect(normalise('zendesk', { type: 'zen:event-type:user.created', detail: {} })).toEqual({
      ignored: expect.any(String),
      eventType: 'user.created',
    });
  });

  it('ServiceNow: state 6 is resolved, back from 6 or 7 is a reopen, 8 is ignored', () => {
    const incident = fixture('servicenow/incident-resolved.json');
    expect(eventOf('servicenow', incident)).toMatchObject({
      eventId: 'b3c1e9a21b7c5d10f2a5ca2a234bcb5e',
      ticketId: 'INC0010231',
      type: 'resolved',
      requesterEmail: 'abel.tuter@example.com',
      requesterId: 'abel.tuter',
      groupName: 'Service Desk',
      createdAt: new Date('2026-03-02T08:02:11Z'),
      firstResponseAt: new Date('2026-03-02T08:20:03Z'),
      resolvedAt: new Date('2026-03-02T10:15:30Z'),
      closedAt: null,
    });
    expect(eventOf('servicenow', { ...incident, state: '2', previous_state: '6' }).type).toBe(
      'reopened',
    );
    expect(eventOf('servicenow', { ...incident, state: '7', previous_state: '6' }).type).toBe(
      'closed',
    );
    expect(normalise('servicenow', { ...incident, state: '8' })).toEqual({
      ignored: expect.any(String),
      eventType: 'incident.canceled',
    });
  });

  it('Freshservice and the generic source', () => {
    expect(eventOf('freshservice', fixture('freshservice/ticket-resolved.json'))).toMatchObject({
      ticketId: 'SR-4471',
      type: 'resolved',
      requesterEmail: 'priya.raman@example.com',
      groupName: 'Identity & Access',
      category: 'Access',
      channel: 'portal',
      firstResponseAt: new Date('2026-03-01T13:51:40Z'),
    });
    expect(eventOf('generic', fixture('generic/ticket-resolved.json'))).toMatchObject({
      eventId: 'evt_01JNQ3W7B2M4X9D8K5R6T1V0ZA',
      ticketId: 'FIN-7731',
      type: 'resolved',
      requesterEmail: 'omar.haddad@example.com',
      groupId: 'accounts-payable',
      createdAt: new Date('2026-02-26T09:12:00Z'),
    });
    expect(normalise('generic', { type: 'ticket.commented', ticket: { id: 'x' } })).toEqual({
      ignored: expect.any(String),
      eventType: 'ticket.commented',
    });
  });

  it.each([
    ['a line break', 'mia@example.com\r\nBcc: all@example.com'],
    ['a second address', 'mia@example.com, boss@example.com'],
    ['a display name', 'Mia <mia@example.com>'],
    ['a NUL', 'mia@example.com\u0000'],
    ['no domain', 'mia@'],
    ['not text', 42],
  ])('refuses an e-mail field with %s', (_, value) => {
    const payload = fixture('generic/ticket-resolved.json');
    (payload.ticket as { requester: { email: unknown } }).requester.email = value;
    expect(normalise('generic', payload)).toEqual({ problem: expect.stringMatching(/e-mail/) });
  });

  it.each([
    ['the requester', 'requester', 'm\u0430ria@example.com', /requester.*Latin and Cyrillic/],
    ['the assignee', 'assignee', 'ap.clerk@ex\u0430mple.com', /assignee.*Latin and Cyrillic/],
  ])('refuses %s’s address mixing scripts, without repeating it', (_, who, value, message) => {
    const payload = fixture('generic/ticket-resolved.json');
    (payload.ticket as Record<string, { email: unknown }>)[who].email = value;
    const result = normalise('generic', payload);
    expect(result).toEqual({
      code: 'webhook.mixed_script',
      problem: expect.stringMatching(message),
    });
    expect(JSON.stringify(result)).not.toMatch(/example|ria@/);
  });

  it('names what is missing', () => {
    expect(normalise('generic', { type: 'ticket.resolved', ticket: {} })).toEqual({
      problem: expect.stringContaining('no ticket'),
    });
    expect(normalise('zendesk', { event: 'ticket.solved' })).toEqual({
      problem: expect.stringContaining('"ticket"'),
    });
    expect(normalise('freshservice', {})).toEqual({
      problem: expect.stringContaining('freshservice_webhook'),
    });
  });

  it('ignores times no ticket has (before 1970, after 3000, or not times at all)', () => {
    const payload = fixture('generic/ticket-resolved.json');
    const ticket = payload.ticket as Record<string, unknown>;
    ticket.createdAt = '-271821-04-20T00:00:00Z';
    ticket.firstResponseAt = 8.64e15;
    ticket.resolvedAt = 'yesterday';
    // A day that does not exist is not read as another (2026-02-30 is not 2 March).
    ticket.closedAt = '2026-02-30T10:00:00Z';
    expect(eventOf('generic', payload)).toMatchObject({
      createdAt: null,
      firstResponseAt: null,
      resolvedAt: null,
      closedAt: null,
    });
  });

  it('keeps short texts short and free of control characters; unfilled placeholders are empty', () => {
    const payload = fixture('generic/ticket-resolved.json');
    const ticket = payload.ticket as Record<string, unknown>;
    ticket.category = `Hard\u0007ware\n${'x'.repeat(300)}`;
    ticket.channel = '{{ticket.via}}';
    const event = eventOf('generic', payload);
    expect(event.category).toMatch(/^Hard ware x+$/);
    expect([...(event.category ?? '')]).toHaveLength(100);
    expect(event.channel).toBeNull();
  });
});
