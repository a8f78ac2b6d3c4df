import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type RateLimit, RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { IntegrationsService } from './integrations.service';
import { normalise, type TicketEventInput } from './normalisers';
import { parseWebhookJson } from './safe-json';
import { sealRequester } from './secrets';
import { type Headers, jiraTimestampProblem, verifyDelivery } from './signatures';
import { applyTicketEvent, teamFor } from './ticket-rules';
import { surveyJobId } from './survey-jobs';
import { TicketErrors } from './tickets.errors';
import { type DeliveryIntegration, IntegrationsRepository } from './integrations.repository';
import { TicketEventsRepository } from './ticket-events.repository';
import type { Statement } from './webhook-deliveries.repository';
import { type DeliveryTrace, WebhookDeliveriesService } from './webhook-deliveries.service';

export const SURVEY_QUEUE = 'ticket.survey';

/**
 * The route's rate limit: refused deliveries (unknown integration, bad or stale signature) per
 * address; past it, every refused delivery from there gets 429. Signed deliveries are never
 * limited: a ticketing system that sends a burst (a bulk edit) must not lose events, and each
 * costs one short transaction.
 */
const FAILURES_PER_IP: RateLimit = { name: 'webhook-fail-ip', limit: 30, windowSeconds: 600 };

export type DeliveryResult =
  | { status: 'accepted'; type: TicketEventInput['type']; ticket: string }
  | { status: 'duplicate' }
  | { status: 'ignored'; reason: string };

/** What the checks decided, with what the delivery log keeps of it. */
type Handled =
  | { status: 'accepted'; type: TicketEventInput['type']; ticket: string }
  | { status: 'duplicate'; type: TicketEventInput['type'] }
  | { status: 'ignored'; reason: string; eventType: string };

/** The body's size: the bytes read, else what Content-Length announced. */
function sizeOf(body: unknown, headers: Headers): number | null {
  if (Buffer.isBuffer(body)) return body.length;
  if (typeof body === 'string') return Buffer.byteLength(body);
  const length = Number(headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /webhooks/:integrationId`: verify the raw body, then parse and normalise it, then store
 * the ticket event and its survey job in one transaction, deduplicated on the sender's event id
 * and on the ticket. Everything slow happens later, in the survey job. Every delivery to a known
 * integration, whatever its fate, gets a line in its delivery log (WebhookDeliveriesService).
 */
@Injectable()
export class TicketWebhooksService {
  constructor(
    private readonly integrationRows: IntegrationsRepository,
    private readonly tickets: TicketEventsRepository,
    private readonly integrations: IntegrationsService,
    private readonly rateLimits: RateLimitService,
    private readonly jobs: JobsService,
    private readonly log: WebhookDeliveriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async receive(
    integrationId: string,
    headers: Headers,
    body: unknown,
    ip: string,
  ): Promise<DeliveryResult> {
    const integration = UUID.test(integrationId)
      ? await this.integrationRows.findForDelivery(integrationId)
      : undefined;
    if (!integration) {
      // Nothing is logged for an id that is no integration: a flood of them must cost no rows.
      await this.failed(ip);
      throw TicketErrors.unknownIntegration();
    }
    const trace: DeliveryTrace = {
      integration,
      bodyBytes: sizeOf(body, headers),
      signature: 'unchecked',
    };
    let result: Handled;
    try {
      result = await this.handle(integration, trace, headers, body, ip);
    } catch (error) {
      await this.log.refused(trace, error);
      throw error;
    }
    if (result.status === 'ignored') await this.log.ignored(trace, result.eventType, result.reason);
    else if (result.status === 'duplicate') await this.log.duplicate(trace, result.type);
    return result.status === 'accepted'
      ? { status: 'accepted', type: result.type, ticket: result.ticket }
      : result.status === 'duplicate'
        ? { status: 'duplicate' }
        : { status: 'ignored', reason: result.reason };
  }

  /** The checks, in order, noting on `trace` how far the delivery got; throws what is refused. */
  private async handle(
    integration: DeliveryIntegration,
    trace: DeliveryTrace,
    headers: Headers,
    body: unknown,
    ip: string,
  ): Promise<Handled> {
    if (!integration.active) {
      trace.note = {
        code: 'webhook.unknown_integration',
        reason: 'The integration is paused: its deliveries are refused until it is active again.',
      };
      await this.failed(ip);
      throw TicketErrors.unknownIntegration();
    }
    if (!Buffer.isBuffer(body))
      throw TicketErrors.badBody(
        'webhook.content_type',
        'A webhook body is JSON: send it with Content-Type: application/json.',
      );
    const raw = body;
    const now = Date.now();
    const verified = verifyDelivery(
      integration.kind,
      this.integrations.secretsFor(integration),
      headers,
      raw,
      now,
    );
    if (!verified.ok) {
      trace.signature = verified.code === 'webhook.signature_missing' ? 'missing' : 'invalid';
      await this.failed(ip);
      throw TicketErrors.unauthorized(verified.code, verified.message);
    }
    trace.signature = 'valid';

    // Only now, on bytes known to come from the integration, is the body parsed.
    const parsed = parseWebhookJson(raw);
    if ('problem' in parsed) throw TicketErrors.badBody(parsed.code, parsed.problem, parsed.kind);
    if (integration.kind === 'jira') {
      const late = jiraTimestampProblem(parsed.value, now);
      if (late && !late.ok) throw TicketErrors.unauthorized(late.code, late.message);
    }
    const normalised = normalise(integration.kind, parsed.value);
    if ('ignored' in normalised)
      return { status: 'ignored', reason: normalised.ignored, eventType: normalised.eventType };
    if ('problem' in normalised)
      throw TicketErrors.unprocessable(normalised.problem, normalised.code);
    const event = normalised.event;

    const eventId = (
      verified.eventId ??
      event.eventId ??
      `sha256:${createHash('sha256').update(raw).digest('hex')}`
    ).slice(0, 200);
    const stored = await this.store(
      integration,
      eventId,
      event,
      new Date(now),
      this.log.acceptedStatement(trace, event.type, event.ticketId),
    );
    return stored === 'duplicate'
      ? { status: 'duplicate', type: event.type }
      : { status: 'accepted', type: event.type, ticket: event.ticketId };
  }

  private async failed(ip: string): Promise<void> {
    const { allowed, retryAfterSeconds } = await this.rateLimits.hit(FAILURES_PER_IP, ip);
    if (!allowed) throw TicketErrors.tooManyFailures(retryAfterSeconds);
  }

  /** The event, the ticket and (when it is due) its survey job, in one transaction. */
  private store(
    integration: DeliveryIntegration,
    eventId: string,
    event: TicketEventInput,
    receivedAt: Date,
    logLine: Statement,
  ) {
    const secret = this.config.appSecret;
    return this.tickets.applyDelivery({
      integrationId: integration.id,
      eventId,
      ticketId: event.ticketId,
      details: {
        teamId: teamFor(integration.mappingRules, integration.defaultTeamId, {
          id: event.groupId,
          name: event.groupName,
        }),
        sourceGroup: event.groupName ?? event.groupId,
        requesterEmailSealed: sealRequester(secret, event.requesterEmail),
        requesterExternalIdSealed: sealRequester(secret, event.requesterId),
        requesterIsAssignee:
          (event.requesterEmail !== null && event.requesterEmail === event.assigneeEmail) ||
          (event.requesterId !== null && event.requesterId === event.assigneeId),
        category: event.category,
        priority: event.priority,
        channel: event.channel,
        ticketCreatedAt: event.createdAt,
        firstResponseAt:
          event.firstResponseAt ??
          (event.type === 'responded' ? (event.occurredAt ?? receivedAt) : null),
      },
      decide: (current) =>
        applyTicketEvent(current, event, receivedAt, integration.delayMinutes * 60_000),
      enqueue: async (db, ticketRowId, due) => {
        // One job per ticket, under its own id: a later resolution replaces it.
        const id = surveyJobId(ticketRowId);
        await this.jobs.deleteJobs(db, SURVEY_QUEUE, [id], { archive: false });
        await this.jobs.send(SURVEY_QUEUE, { ticketId: ticketRowId }, { id, startAfter: due, db });
      },
      alsoRun: logLine,
    });
  }
}
