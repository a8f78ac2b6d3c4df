import { dayProblem } from '../../../common/http/calendar-date';
import { mixedScripts } from '../../../common/mixed-scripts';
import type { TicketErrorCode } from '../tickets.errors';

/** What every source's payload is normalised into. */
export const TICKET_EVENT_TYPES = [
  'created',
  'updated',
  /** The team's first reply: an update whose time is the first response. */
  'responded',
  'resolved',
  'closed',
  'reopened',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export interface TicketEventInput {
  /** The sender's id of this event when the payload carries one (else the headers', or a hash). */
  eventId: string | null;
  ticketId: string;
  type: TicketEventType;
  /** When the event happened at the source; places events that arrive out of order. */
  occurredAt: Date | null;
  requesterEmail: string | null;
  requesterId: string | null;
  assigneeEmail: string | null;
  assigneeId: string | null;
  groupId: string | null;
  groupName: string | null;
  category: string | null;
  priority: string | null;
  channel: string | null;
  createdAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

/**
 * A ticket event; or an event of a type inpulse does not use (acknowledged, then ignored: why,
 * and the event's type as the sender named it); or what is missing or wrong in the payload (422,
 * `webhook.unprocessable` unless a more precise code is given). No message repeats a value of the
 * payload other than an event type: they go to the delivery log.
 */
export type NormaliseResult =
  | { event: TicketEventInput }
  | { ignored: string; eventType: string }
  | { problem: string; code?: TicketErrorCode };

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

// eslint-disable-next-line no-control-regex -- folding control characters away is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/**
 * A short text field: trimmed, control characters folded to a space, cut at `max`; empty or an
 * unfilled placeholder ("{{…}}") is null.
 */
export function text(value: unknown, max = 200): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.replace(CONTROL, ' ').trim();
  if (trimmed === '' || /^\{\{.*\}\}$/.test(trimmed)) return null;
  return [...trimmed].slice(0, max).join('');
}

/** Times outside these years are not ticket times (and some PostgreSQL cannot store). */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(3000, 0, 1);

/**
 * A time: ISO 8601, Jira's "2026-03-02T10:15:30.000+0000", ServiceNow's "YYYY-MM-DD HH:MM:SS"
 * (UTC), or epoch milliseconds; null when it is none of these or not between 1970 and 3000.
 */
export function time(value: unknown): Date | null {
  const inRange = (ms: number) => (ms >= EARLIEST && ms < LATEST ? new Date(ms) : null);
  if (typeof value === 'number') return Number.isFinite(value) ? inRange(value) : null;
  const raw = text(value, 64);
  if (raw === null) return null;
  let iso = raw;
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(iso)) iso = `${iso.replace(' ', 'T')}Z`;
  iso = iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const day = /^(\d{4})-(\d{2})-(\d{2})T/.exec(iso);
  if (!day || dayProblem(+day[1], +day[2], +day[3])) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : inRange(ms);
}

/** Characters that would let an e-mail field inject a header or smuggle in a second address. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const EMAIL_FORBIDDEN = /[\u0000-\u001f\u007f\s,;<>()"\\:[\]]/;
const EMAIL_SHAPE = /^[^@]{1,64}@[^@]{1,253}\.[^@.]{2,}$/;

/**
 * An e-mail field: null when absent, lower-cased when valid, and a problem (422) when it holds
 * line breaks, other control characters or what could slip another address into a mail header,
 * or when a part of it mixes scripts (a look-alike of another address: `webhook.mixed_script`).
 */
export function email(
  value: unknown,
  field: string,
): { value: string | null } | { problem: string; code?: TicketErrorCode } {
  if (value === undefined || value === null) return { value: null };
  if (typeof value !== 'string') return { problem: `${field} must be text.` };
  const trimmed = value.trim();
  if (trimmed === '' || /^\{\{.*\}\}$/.test(trimmed)) return { value: null };
  if (EMAIL_FORBIDDEN.test(trimmed))
    return {
      problem: `${field} holds characters an e-mail address cannot have (line breaks, control characters, spaces, commas, angle brackets…).`,
    };
  if (trimmed.length > 320 || !EMAIL_SHAPE.test(trimmed))
    return { problem: `${field} is not an e-mail address.` };
  const scripts = mixedScripts(trimmed);
  if (scripts)
    return {
      code: 'webhook.mixed_script',
      problem: `${field} mixes ${scripts.join(' and ')} letters in one part: a look-alike of another address is refused.`,
    };
  return { value: trimmed.toLowerCase() };
}

/** Checks the e-mail fields and the ticket id, and completes the event; or the first problem. */
export function complete(
  event: Omit<TicketEventInput, 'requesterEmail' | 'assigneeEmail'>,
  requester: unknown,
  assignee: unknown,
): NormaliseResult {
  const requesterEmail = email(requester, 'The requester’s e-mail');
  if ('problem' in requesterEmail) return requesterEmail;
  const assigneeEmail = email(assignee, 'The assignee’s e-mail');
  if ('problem' in assigneeEmail) return assigneeEmail;
  if (!event.ticketId) return { problem: 'The payload names no ticket (its id is missing).' };
  return {
    event: { ...event, requesterEmail: requesterEmail.value, assigneeEmail: assigneeEmail.value },
  };
}

/** An event name (`ticket.resolved`, `solved`, `reopened`…) as a type; undefined if unknown. */
export function typeFromName(name: string | null): TicketEventType | undefined {
  if (name === null) return undefined;
  const last = name.toLowerCase().split(/[.:/]/).pop() ?? '';
  const types: Record<string, TicketEventType> = {
    created: 'created',
    updated: 'updated',
    responded: 'responded',
    first_response: 'responded',
    first_reply: 'responded',
    resolved: 'resolved',
    solved: 'resolved',
    closed: 'closed',
    reopened: 'reopened',
  };
  return types[last];
}
