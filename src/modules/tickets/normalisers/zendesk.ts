import {
  complete,
  type NormaliseResult,
  obj,
  text,
  time,
  type TicketEventType,
  typeFromName,
} from './ticket-event';

const STATUS_TYPES: Record<string, TicketEventType> = {
  new: 'created',
  open: 'updated',
  pending: 'updated',
  hold: 'updated',
  solved: 'resolved',
  closed: 'closed',
};

/**
 * A Zendesk event-subscription webhook (`zen:event-type:ticket.status_changed` and the other
 * ticket events): status SOLVED is a resolution, CLOSED a closure, back from SOLVED or CLOSED a
 * reopen. It names people by id only (employees' `external_id` must then be their Zendesk id).
 */
function eventSubscription(root: Record<string, unknown>, kind: string): NormaliseResult {
  const detail = obj(root.detail);
  if (!detail) return { problem: 'The Zendesk event has no "detail".' };
  const current = text(obj(root.event)?.current, 32)?.toLowerCase() ?? null;
  const previous = text(obj(root.event)?.previous, 32)?.toLowerCase() ?? null;
  let type: TicketEventType;
  if (kind === 'ticket.created') type = 'created';
  else if (kind !== 'ticket.status_changed') type = 'updated';
  else if (current && STATUS_TYPES[current] && STATUS_TYPES[current] !== 'updated')
    type = STATUS_TYPES[current];
  else if (previous === 'solved' || previous === 'closed') type = 'reopened';
  else type = 'updated';
  const occurredAt = time(root.time) ?? time(detail.updated_at);
  return complete(
    {
      eventId: text(root.id),
      ticketId: text(detail.id) ?? '',
      type,
      occurredAt,
      requesterId: text(detail.requester_id),
      assigneeId: text(detail.assignee_id),
      groupId: text(detail.group_id),
      groupName: null,
      category: text(detail.type, 100),
      priority: text(detail.priority, 32)?.toLowerCase() ?? null,
      channel: text(obj(detail.via)?.channel, 32),
      createdAt: time(detail.created_at),
      firstResponseAt: null,
      resolvedAt: type === 'resolved' ? occurredAt : null,
      closedAt: type === 'closed' ? occurredAt : null,
    },
    undefined,
    undefined,
  );
}

/**
 * Zendesk: an event-subscription webhook, or a webhook called by a trigger whose JSON body is
 * README's template of ticket placeholders (`{ "event": "ticket.solved", "ticket": {…} }`). The
 * type comes from `event` when the trigger names it, else from the status.
 */
export function normaliseZendesk(payload: unknown): NormaliseResult {
  const root = obj(payload);
  if (!root) return { problem: 'The payload must be a JSON object.' };
  const eventType = text(root.type, 100);
  if (eventType?.startsWith('zen:event-type:')) {
    const kind = eventType.slice('zen:event-type:'.length);
    if (!kind.startsWith('ticket.'))
      return { ignored: `Zendesk event "${kind}" is not used.`, eventType: kind };
    return eventSubscription(root, kind);
  }
  const ticket = obj(root.ticket);
  if (!ticket) return { problem: 'The payload needs a "ticket" object (see README).' };
  const named = text(root.event, 64);
  const status = text(ticket.status, 32)?.toLowerCase() ?? null;
  const type = named !== null ? typeFromName(named) : status ? STATUS_TYPES[status] : undefined;
  if (!type)
    return {
      ignored: `Zendesk event "${named ?? status ?? 'unnamed'}" is not used.`,
      eventType: named ?? status ?? 'unnamed',
    };
  const updatedAt = time(ticket.updated_at);
  const requester = obj(ticket.requester);
  const assignee = obj(ticket.assignee);
  const group = obj(ticket.group);
  return complete(
    {
      eventId: null,
      ticketId: text(ticket.id) ?? '',
      type,
      occurredAt: updatedAt,
      requesterId: text(requester?.id),
      assigneeId: text(assignee?.id),
      groupId: text(group?.id),
      groupName: text(group?.name),
      category: text(ticket.form, 100) ?? text(ticket.type, 100),
      priority: text(ticket.priority, 32)?.toLowerCase() ?? null,
      channel: text(ticket.via, 32)?.toLowerCase() ?? null,
      createdAt: time(ticket.created_at),
      firstResponseAt: type === 'responded' ? updatedAt : null,
      resolvedAt: type === 'resolved' ? updatedAt : null,
      closedAt: type === 'closed' ? updatedAt : null,
    },
    requester?.email,
    assignee?.email,
  );
}
