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
  open: 'updated',
  pending: 'updated',
  resolved: 'resolved',
  closed: 'closed',
};

/**
 * Freshservice: a Workflow Automator "Trigger Webhook" (POST, JSON, README's body) that wraps
 * the ticket's placeholders in `freshservice_webhook`. The type comes from an explicit `event`
 * set per workflow, else from the status.
 */
export function normaliseFreshservice(payload: unknown): NormaliseResult {
  const root = obj(payload);
  const hook = obj(root?.freshservice_webhook) ?? obj(root?.freshdesk_webhook);
  if (!root || !hook)
    return { problem: 'The payload needs a "freshservice_webhook" object (see README).' };
  const named = text(hook.event, 64);
  const status = text(hook.ticket_status, 32)?.toLowerCase() ?? null;
  const type =
    named !== null ? typeFromName(named) : status ? (STATUS_TYPES[status] ?? 'updated') : undefined;
  if (!type)
    return {
      ignored: `Freshservice event "${named ?? 'unnamed'}" is not used.`,
      eventType: named ?? 'unnamed',
    };
  const updatedAt = time(hook.ticket_updated_at);
  return complete(
    {
      eventId: text(hook.event_id),
      ticketId: text(hook.ticket_id) ?? '',
      type,
      occurredAt: updatedAt,
      requesterId: text(hook.ticket_requester_id),
      assigneeId: text(hook.ticket_agent_id),
      groupId: text(hook.ticket_group_id),
      groupName: text(hook.ticket_group_name),
      category: text(hook.ticket_category, 100) ?? text(hook.ticket_type, 100),
      priority: text(hook.ticket_priority, 32)?.toLowerCase() ?? null,
      channel: text(hook.ticket_source, 32)?.toLowerCase() ?? null,
      createdAt: time(hook.ticket_created_at),
      firstResponseAt:
        time(hook.ticket_first_responded_at) ?? (type === 'responded' ? updatedAt : null),
      resolvedAt: time(hook.ticket_resolved_at) ?? (type === 'resolved' ? updatedAt : null),
      closedAt: time(hook.ticket_closed_at) ?? (type === 'closed' ? updatedAt : null),
    },
    hook.ticket_requester_email,
    hook.ticket_agent_email,
  );
}
