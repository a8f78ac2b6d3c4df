import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
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
import { type DeliveryIntegration, TicketsRepository } from './tickets.repository';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /webhooks/:integrationId`: verify the raw body, then parse and normalise it, then store
 * the ticket event and its survey job in one transaction, deduplicated on the sender's event id
 * and on the ticket. Everything slow happens later, in the survey job.
 */
@Injectable()
export class TicketWebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly tickets: TicketsRepository,
    private readonly integrations: IntegrationsService,
    private readonly rateLimits: RateLimitService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async receive(
    integrationId: string,
    headers: Headers,
    body: unknown,
    ip: string,
  ): Promise<DeliveryResult> {
    const integration = UUID.test(integrationId)
      ? await this.tickets.findForDelivery(integrationId)
      : undefined;
    if (!integration) {
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
      await this.failed(ip);
      throw TicketErrors.unauthorized(verified.code, verified.message);
    }

    // Only now, on bytes known to come from the integration, is the body parsed.
    const parsed = parseWebhookJson(raw);
    if ('problem' in parsed) throw TicketErrors.badBody(parsed.code, parsed.problem);
    if (integration.kind === 'jira') {
      const late = jiraTimestampProblem(parsed.value, now);
      if (late && !late.ok) throw TicketErrors.unauthorized(late.code, late.message);
    }
    const normalised = normalise(integration.kind, parsed.value);
    if ('ignored' in normalised) return { status: 'ignored', reason: normalised.ignored };
    if ('problem' in normalised) throw TicketErrors.unprocessable(normalised.problem);
    const event = normalised.event;

    const eventId = (
      verified.eventId ??
      event.eventId ??
      `sha256:${createHash('sha256').update(raw).digest('hex')}`
    ).slice(0, 200);
    const result = await this.store(integration, eventId, event, new Date(now));
    if (this.config.tickets.killAfterWebhookCommit) {
      // Tests only: the transaction has committed and no reply has gone. The sender will retry.
      this.logger.warn('INPULSE_TEST_KILL_AFTER_WEBHOOK_COMMIT: ending the process');
      process.kill(process.pid, 'SIGKILL');
    }
    return result === 'duplicate'
      ? { status: 'duplicate' }
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
    });
  }
}
