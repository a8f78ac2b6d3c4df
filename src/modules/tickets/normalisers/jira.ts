import {
  complete,
  type Json,
  type NormaliseResult,
  obj,
  text,
  time,
  type TicketEventType,
  typeFromName,
} from './ticket-event';

/** The JSM "Customer Request Type" field, whatever its customfield id. */
function requestType(fields: Json): Json | undefined {
  for (const value of Object.values(fields)) {
    const found = obj(obj(value)?.requestType);
    if (found) return found;
  }
  return undefined;
}

/** When the JSM SLA "Time to first response" stopped, if the payload carries it. */
function firstResponse(fields: Json): Date | null {
  for (const value of Object.values(fields)) {
    const sla = obj(value);
    if (!sla || sla.name !== 'Time to first response') continue;
    const cycles = Array.isArray(sla.completedCycles) ? sla.completedCycles : [];
    const stop = obj(obj(cycles[0])?.stopTime);
    return time(stop?.iso8601) ?? time(stop?.epochMillis);
  }
  return null;
}

/** What an issue_updated event means, from the changelog and the new status. */
function updateType(root: Json, fields: Json): TicketEventType {
  const items = (
    Array.isArray(obj(root.changelog)?.items) ? (obj(root.changelog)?.items as unknown[]) : []
  ).map((item) => obj(item) ?? {});
  const status = obj(fields.status);
  const done = obj(status?.statusCategory)?.key === 'done';
  const statusChanged = items.some((i) => i.field === 'status');
  const resolutionCleared = items.some(
    (i) =>
      i.field === 'resolution' &&
      text(i.from ?? i.fromString) !== null &&
      text(i.to ?? i.toString) === null,
  );
  if (statusChanged && done)
    return text(status?.name)?.toLowerCase().includes('close') ? 'closed' : 'resolved';
  if (
    resolutionCleared ||
    (statusChanged &&
      !done &&
      fields.resolution === null &&
      items.some((i) => i.field === 'resolution'))
  )
    return 'reopened';
  return 'updated';
}

/**
 * Jira Service Management: a Jira webhook (`jira:issue_created`, `jira:issue_updated`) or an
 * Automation rule's "Send web request" with the body of README (which names its event in
 * `inpulseEvent`). A status change into the "done" category is a resolution ("closed" when the
 * status is named so); a resolution cleared is a reopen. The group is the first component, else
 * the project; the requester is the reporter (its e-mail when Jira shares it, else its account id).
 */
export function normaliseJira(payload: unknown): NormaliseResult {
  const root = obj(payload);
  if (!root) return { problem: 'The payload must be a JSON object.' };
  const webhookEvent = text(root.webhookEvent, 64);
  let type: TicketEventType | undefined = typeFromName(text(root.inpulseEvent, 64));
  const issue = obj(root.issue);
  const fields = obj(issue?.fields);
  if (type === undefined) {
    if (webhookEvent === 'jira:issue_created') type = 'created';
    else if (webhookEvent === 'jira:issue_updated' && fields) type = updateType(root, fields);
    else
      return {
        ignored: `Jira event "${webhookEvent ?? 'unnamed'}" is not used by inpulse.`,
        eventType: webhookEvent ?? 'unnamed',
      };
  }
  if (!issue || !fields) return { problem: 'The payload needs an "issue" with its "fields".' };

  const changelogId = text(obj(root.changelog)?.id);
  const issueId = text(issue.id);
  const component = obj(Array.isArray(fields.components) ? fields.components[0] : undefined);
  const project = obj(fields.project);
  const reporter = obj(fields.reporter);
  const assignee = obj(fields.assignee);
  const request = requestType(fields);
  const occurredAt = time(root.timestamp);
  const resolution = time(fields.resolutiondate);
  return complete(
    {
      eventId: changelogId && issueId ? `changelog:${issueId}:${changelogId}` : null,
      ticketId: text(issue.key) ?? issueId ?? '',
      type,
      occurredAt,
      requesterId: text(reporter?.accountId),
      assigneeId: text(assignee?.accountId),
      groupId: text(component?.id) ?? text(project?.id),
      groupName: text(component?.name) ?? text(project?.key),
      category: text(request?.name, 100) ?? text(obj(fields.issuetype)?.name, 100),
      priority: text(obj(fields.priority)?.name, 32),
      channel: request ? 'portal' : null,
      createdAt: time(fields.created),
      firstResponseAt: firstResponse(fields),
      resolvedAt: type === 'resolved' || type === 'closed' ? resolution : null,
      closedAt: type === 'closed' ? (occurredAt ?? resolution) : null,
    },
    reporter?.emailAddress,
    assignee?.emailAddress,
  );
}
