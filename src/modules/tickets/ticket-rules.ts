import type { SurveyState } from './entities/ticket-event.entity';
import type { TicketEventInput } from './normalisers';

/** What the rules know of a ticket. */
export interface TicketFacts {
  resolvedAt: Date | null;
  closedAt: Date | null;
  lastReopenedAt: Date | null;
  reopenCount: number;
  lastEventAt: Date;
  surveyState: SurveyState | null;
  surveyDueAt: Date | null;
}

export interface TicketChange extends TicketFacts {
  /** When it was resolved as things stand, or null when it is open (see resolutionOf). */
  resolution: Date | null;
  /** The event is the newest seen: its descriptive fields (team, category…) replace the stored. */
  newest: boolean;
  /** A survey job is to run at this time (the resolution + the integration's delay). */
  schedule?: Date;
}

const later = (a: Date | null, b: Date | null): Date | null =>
  a === null ? b : b === null ? a : a.getTime() >= b.getTime() ? a : b;

const after = (a: Date | null, b: Date | null): boolean =>
  a !== null && (b === null || a.getTime() > b.getTime());

/**
 * When the ticket was resolved, as things stand: its latest resolution if no reopen came after
 * it, else its latest closure if none came after that (closing an open ticket resolves it),
 * else null (open). Every fact is the latest of its kind, so the answer is the same whatever
 * order the events arrived in.
 */
export function resolutionOf(
  facts: Pick<TicketFacts, 'resolvedAt' | 'closedAt' | 'lastReopenedAt'>,
): Date | null {
  if (after(facts.resolvedAt, facts.lastReopenedAt)) return facts.resolvedAt;
  if (after(facts.closedAt, facts.lastReopenedAt)) return facts.closedAt;
  return null;
}

/** States after which a ticket never gets a survey again. */
function settled(state: SurveyState | null): boolean {
  return state !== null && state !== 'pending' && state !== 'cancelled';
}

/**
 * How one event changes a ticket, whatever order events arrive in: each is placed by when it
 * happened at the source (`occurredAt`, else when it arrived), and the ticket keeps its latest
 * resolution, closure and reopen (see resolutionOf). A ticket gets at most one survey:
 * - while it is resolved, its survey is pending, due at the resolution + `delayMs` (a resolution
 *   then a closure keep one pending survey, due at the same time);
 * - a reopen after the resolution cancels a pending survey; a later resolution makes it pending
 *   again, due after that resolution;
 * - once the survey was sent, skipped or has failed for good, nothing schedules another.
 */
export function applyTicketEvent(
  current: TicketFacts | undefined,
  event: TicketEventInput,
  receivedAt: Date,
  delayMs: number,
): TicketChange {
  const at = event.occurredAt ?? receivedAt;
  const base: TicketFacts = current ?? {
    resolvedAt: null,
    closedAt: null,
    lastReopenedAt: null,
    reopenCount: 0,
    lastEventAt: at,
    surveyState: null,
    surveyDueAt: null,
  };
  const next: TicketChange = {
    ...base,
    newest: !current || at.getTime() >= current.lastEventAt.getTime(),
    lastEventAt: later(base.lastEventAt, at) as Date,
    resolution: null,
    schedule: undefined,
  };

  switch (event.type) {
    case 'resolved':
      next.resolvedAt = later(base.resolvedAt, event.resolvedAt ?? at);
      next.closedAt = later(base.closedAt, event.closedAt);
      break;
    case 'closed':
      next.resolvedAt = later(base.resolvedAt, event.resolvedAt);
      next.closedAt = later(base.closedAt, event.closedAt ?? at);
      break;
    case 'reopened':
      next.lastReopenedAt = later(base.lastReopenedAt, at);
      next.reopenCount = base.reopenCount + 1;
      break;
    default:
      break;
  }
  next.resolution = resolutionOf(next);

  if (!settled(base.surveyState)) {
    if (next.resolution) {
      const due = new Date(next.resolution.getTime() + delayMs);
      if (base.surveyState !== 'pending' || base.surveyDueAt?.getTime() !== due.getTime()) {
        next.surveyState = 'pending';
        next.surveyDueAt = due;
        next.schedule = due;
      }
    } else if (base.surveyState === 'pending') {
      next.surveyState = 'cancelled';
    }
  }
  return next;
}

export const RESOLUTION_BANDS = ['<4h', '4-24h', '1-3d', '3d+'] as const;

/** The coarse resolution-time band an answer carries. */
export function resolutionBand(createdAt: Date | null, resolvedAt: Date | null): string | null {
  if (!createdAt || !resolvedAt) return null;
  const hours = (resolvedAt.getTime() - createdAt.getTime()) / 3_600_000;
  if (hours < 0) return null;
  if (hours < 4) return '<4h';
  if (hours < 24) return '4-24h';
  if (hours < 72) return '1-3d';
  return '3d+';
}

/** The team of a ticket: the first rule whose `match` is its group's id or name (any case). */
export function teamFor(
  rules: { match: string; teamId: string }[],
  defaultTeamId: string,
  group: { id: string | null; name: string | null },
): string {
  const candidates = [group.id, group.name]
    .filter((v): v is string => v !== null)
    .map((v) => v.toLowerCase());
  return (
    rules.find((r) => candidates.includes(r.match.trim().toLowerCase()))?.teamId ?? defaultTeamId
  );
}
