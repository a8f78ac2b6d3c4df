import { Injectable } from '@nestjs/common';
import { TicketEventsRepository } from './ticket-events.repository';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

/** What `retention.purge` deletes of the tickets feature's tables, one batch per call. */
@Injectable()
export class TicketsRetentionService {
  constructor(
    private readonly events: TicketEventsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  /** Webhook receipts (a replay within them is recognised) older than `days` days. */
  purgeReceipts(days: number, limit: number): Promise<number> {
    return this.events.purgeReceiptsBatch(days, limit);
  }

  /** Delivery log lines unchanged for `days` days. */
  purgeDeliveryLog(days: number, limit: number): Promise<number> {
    return this.deliveries.purgeBatch(days, limit);
  }
}
