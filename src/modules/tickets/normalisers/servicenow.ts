import {
  complete,
  type NormaliseResult,
  obj,
  text,
  time,
  type TicketEventType,
} from './ticket-event';

/** Incident states: 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled. */
const RESOLVED = '6';
const CLOSED = '7';
const CANCELED = '8';

/**
 * ServiceNow: a business rule (after insert / update on `incident`) posting README's JSON
 * through RESTMessageV2. State and previous state give the type (from Resolved or Closed back to
 * an open state is a reopen); reference fields come as objects { sys_id, name / email }; times
 * as "YYYY-MM-DD HH:MM:SS" in UTC (GlideDateTime's getValue()).
 */
export function normaliseServiceNow(payload: unknown): NormaliseResult {
  const root = obj(payload);
  if (!root) return { problem: 'The payload must be a JSON object.' };
  const state = text(root.state, 8);
  const previous = text(root.previous_state, 8);
  if (state === CANCELED)
    return { ignored: 'A canceled incident is not surveyed.', eventType: 'incident.canceled' };
  let type: TicketEventType = 'updated';
  if (state === RESOLVED) type = 'resolved';
  else if (state === CLOSED) type = 'closed';
  else if (previous === RESOLVED || previous === CLOSED) type = 'reopened';
  else if (previous === null && state === '1') type = 'created';
  const caller = obj(root.caller_id);
  const assignedTo = obj(root.assigned_to);
  const group = obj(root.assignment_group);
  return complete(
    {
      eventId: text(root.event_id),
      ticketId: text(root.number) ?? text(root.sys_id) ?? '',
      type,
      occurredAt: time(root.sys_updated_on),
      requesterId: text(caller?.user_name) ?? text(caller?.sys_id),
      assigneeId: text(assignedTo?.user_name) ?? text(assignedTo?.sys_id),
      groupId: text(group?.sys_id),
      groupName: text(group?.name),
      category: text(root.category, 100),
      priority: text(root.priority, 32),
      channel: text(root.contact_type, 32),
      createdAt: time(root.opened_at),
      firstResponseAt: time(root.first_response_at),
      resolvedAt: time(root.resolved_at),
      closedAt: time(root.closed_at),
    },
    caller?.email,
    assignedTo?.email,
  );
}
