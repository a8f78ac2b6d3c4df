import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError, STATUS_OF_KIND } from '../../common/errors/domain-error';
import { type EarlyRefusal, RawBodyRefusals } from '../../common/http/raw-body';
import type { DeliveryOutcome, SignatureVerdict } from './entities/webhook-delivery.entity';
import { type DeliveryIntegration, IntegrationsRepository } from './integrations.repository';
import {
  type DeliveryLine,
  type DeliveryRecord,
  type Statement,
  WebhookDeliveriesRepository,
} from './webhook-deliveries.repository';

/**
 * Delivery log lines are kept at most this many per integration (and RETENTION_WEBHOOK_DAYS
 * days at most: the daily `retention.purge`).
 */
export const DELIVERY_LOG_MAX_LINES = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is known of a delivery as it goes through the checks (never its body). */
export interface DeliveryTrace {
  integration: Pick<DeliveryIntegration, 'id' | 'kind'>;
  bodyBytes: number | null;
  signature: SignatureVerdict;
  /** Why it was refused, when the answer (with this code) does not say it all. */
  note?: { code: string; reason: string };
}

/**
 * The delivery log of each known integration (`webhook_delivery`), which HR reads on the
 * integration's page and through the API: every delivery, with what inpulse answered and why,
 * its size and when — never its body, its headers or its sender's address. Writing a line never
 * changes the answer: a failure to write is logged and forgotten.
 */
@Injectable()
export class WebhookDeliveriesService implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly integrations: IntegrationsRepository,
    private readonly refusals: RawBodyRefusals,
  ) {}

  onModuleInit(): void {
    this.refusals.listen((request, refusal) => this.refusedEarly(request, refusal));
  }

  /** The line of an accepted delivery, to commit with its event (see TicketEventsRepository.applyDelivery). */
  acceptedStatement(trace: DeliveryTrace, eventType: string, ticket: string): Statement {
    return this.deliveries.acceptedStatement({
      integrationId: trace.integration.id,
      httpStatus: 202,
      eventType,
      ticket,
      bodyBytes: trace.bodyBytes,
    });
  }

  duplicate(trace: DeliveryTrace, eventType: string): Promise<void> {
    return this.write(trace, 'duplicate', 200, null, null, eventType);
  }

  /** An event type inpulse does not use: in the delivery log, and as a line of the app log. */
  async ignored(trace: DeliveryTrace, eventType: string, reason: string): Promise<void> {
    this.logger.log({
      msg: 'webhook delivery ignored',
      integrationId: trace.integration.id,
      kind: trace.integration.kind,
      eventType,
      reason,
    });
    await this.write(trace, 'ignored', 200, null, reason, eventType);
  }

  /** A delivery answered with an error: a 4xx says why; anything else is ours (500). */
  refused(trace: DeliveryTrace, error: unknown): Promise<void> {
    if (error instanceof DomainError)
      return this.write(
        trace,
        'refused',
        STATUS_OF_KIND[error.kind],
        error.code,
        trace.note?.code === error.code ? trace.note.reason : error.message,
        null,
      );
    return this.write(
      trace,
      'failed',
      500,
      'internal',
      'inpulse could not store the delivery; the sender is expected to retry it.',
      null,
    );
  }

  list(integrationId: string, options: { outcome?: DeliveryOutcome; limit?: number } = {}) {
    return this.deliveries.list(integrationId, {
      outcome: options.outcome,
      limit: options.limit ?? 50,
    });
  }

  /** The log of an integration as its page shows it: the newest lines and the last day's counts. */
  async overview(
    integrationId: string,
    outcome?: DeliveryOutcome,
  ): Promise<{
    lines: DeliveryLine[];
    lastDay: { outcome: DeliveryOutcome; deliveries: number }[];
  }> {
    const [lines, lastDay] = await Promise.all([
      this.list(integrationId, { outcome }),
      this.deliveries.lastDay(integrationId),
    ]);
    return { lines, lastDay };
  }

  /** Part of the daily `tickets.purge`: the newest lines of each integration only. */
  purge(): Promise<void> {
    return this.deliveries.trim(DELIVERY_LOG_MAX_LINES);
  }

  /** What Fastify refused before the webhook handler (a body over the cap…), for a known id. */
  private async refusedEarly(request: FastifyRequest, refusal: EarlyRefusal): Promise<void> {
    try {
      const id = (request.params as { integrationId?: unknown } | undefined)?.integrationId;
      if (typeof id !== 'string' || !UUID.test(id)) return;
      const integration = await this.integrations.findForDelivery(id);
      if (!integration) return;
      const length = Number(request.headers['content-length']);
      await this.write(
        {
          integration,
          bodyBytes: Number.isSafeInteger(length) && length >= 0 ? length : null,
          signature: 'unchecked',
        },
        'refused',
        refusal.statusCode,
        refusal.error,
        refusal.message,
        null,
      );
    } catch (error) {
      this.logger.warn(`delivery log: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async write(
    trace: DeliveryTrace,
    outcome: DeliveryOutcome,
    httpStatus: number,
    reasonCode: string | null,
    reason: string | null,
    eventType: string | null,
  ): Promise<void> {
    const line: DeliveryRecord = {
      integrationId: trace.integration.id,
      outcome,
      httpStatus,
      reasonCode,
      reason,
      eventType,
      bodyBytes: trace.bodyBytes,
      signature: trace.signature,
    };
    try {
      await this.deliveries.record(line);
    } catch (error) {
      this.logger.warn(
        `delivery log of integration ${trace.integration.id}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
