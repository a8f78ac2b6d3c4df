import { complete, type NormaliseResult, obj, text, time, typeFromName } from './ticket-event';

/**
 * Any source that can POST JSON, in inpulse's own documented shape (README):
 * `{ "type": "ticket.resolved", "occurredAt": "…", "ticket": { "id", "requester": {"email", "id"},
 * "assignee": {"email", "id"}, "group": {"id", "name"}, "category", "priority", "channel",
 * "createdAt", "firstResponseAt", "resolvedAt", "closedAt" } }`, signed as Standard Webhooks.
 */
export function normaliseGeneric(payload: unknown): NormaliseResult {
  const root = obj(payload);
  if (!root) return { problem: 'The payload must be a JSON object.' };
  const name = text(root.type, 64);
  if (name === null) return { problem: 'The payload needs a "type", e.g. "ticket.resolved".' };
  const type = typeFromName(name);
  if (!type) return { ignored: `Event type "${name}" is not used by inpulse.`, eventType: name };
  const ticket = obj(root.ticket);
  if (!ticket) return { problem: 'The payload needs a "ticket" object.' };
  const requester = obj(ticket.requester);
  const assignee = obj(ticket.assignee);
  const group = obj(ticket.group);
  return complete(
    {
      eventId: text(root.id),
      ticketId: text(ticket.id) ?? '',
      type,
      occurredAt: time(root.occurredAt),
      requesterId: text(requester?.id),
      assigneeId: text(assignee?.id),
      groupId: text(group?.id),
      groupName: text(group?.name),
      category: text(ticket.category, 100),
      priority: text(ticket.priority, 32),
      channel: text(ticket.channel, 32),
      createdAt: time(ticket.createdAt),
      firstResponseAt: time(ticket.firstResponseAt),
      resolvedAt: time(ticket.resolvedAt),
      closedAt: time(ticket.closedAt),
    },
    requester?.email,
    assignee?.email,
  );
}
