import type { IntegrationKind } from '../entities/integration.entity';
import { normaliseFreshservice } from './freshservice';
import { normaliseGeneric } from './generic';
import { normaliseJira } from './jira';
import { normaliseServiceNow } from './servicenow';
import type { NormaliseResult } from './ticket-event';
import { normaliseZendesk } from './zendesk';

export type { NormaliseResult, TicketEventInput, TicketEventType } from './ticket-event';

const NORMALISERS: Record<IntegrationKind, (payload: unknown) => NormaliseResult> = {
  generic: normaliseGeneric,
  jira: normaliseJira,
  zendesk: normaliseZendesk,
  servicenow: normaliseServiceNow,
  freshservice: normaliseFreshservice,
};

/** One source's payload as a ticket event; an event to ignore; or what is wrong in it (422). */
export function normalise(kind: IntegrationKind, payload: unknown): NormaliseResult {
  return NORMALISERS[kind](payload);
}
