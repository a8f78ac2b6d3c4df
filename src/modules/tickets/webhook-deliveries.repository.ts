import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import type { DeliveryOutcome, SignatureVerdict } from './entities/webhook-delivery.entity';

/** A delivery to write down: what was answered and why; never a body. */
export interface DeliveryRecord {
  integrationId: string;
  outcome: DeliveryOutcome;
  httpStatus: number;
  reasonCode: string | null;
  reason: string | null;
  eventType: string | null;
  bodyBytes: number | null;
  signature: SignatureVerdict;
}

/** A line of the delivery log, as pages and the API show it. */
export interface DeliveryLine {
  id: string;
  receivedAt: Date;
  lastReceivedAt: Date;
  repeats: number;
  outcome: DeliveryOutcome;
  httpStatus: number;
  reasonCode: string | null;
  reason: string | null;
  eventType: string | null;
  ticket: string | null;
  bodyBytes: number | null;
  signature: SignatureVerdict;
}

/** A statement for another repository's transaction. */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

/** Identical deliveries (not accepted) within this long of a line's first are folded into it. */
const FOLD_WINDOW = "interval '10 minutes'";

/**
 * One more delivery that was not accepted: folded into the newest identical line of the last ten
 * minutes (same outcome, status, reason code and event type) when there is one and no other
 * delivery holds it right now (SKIP LOCKED: a flood never queues on one row; at worst it starts
 * a few lines), else a new line.
 */
const RECORD = `WITH folded AS (
     UPDATE webhook_delivery SET repeats = repeats + 1, last_received_at = now(), reason = $5,
            body_bytes = $7, signature = $8
      WHERE id = (
        SELECT id FROM webhook_delivery
         WHERE integration_id = $1 AND last_received_at > now() - ${FOLD_WINDOW}
           AND received_at > now() - ${FOLD_WINDOW}
           AND outcome = $2 AND http_status = $3
           AND reason_code IS NOT DISTINCT FROM $4 AND event_type IS NOT DISTINCT FROM $6
         ORDER BY last_received_at DESC LIMIT 1
         FOR UPDATE SKIP LOCKED)
     RETURNING 1)
   INSERT INTO webhook_delivery (integration_id, outcome, http_status, reason_code, reason,
                                 event_type, body_bytes, signature)
   SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE NOT EXISTS (SELECT 1 FROM folded)`;

/** The delivery log of integrations (table `webhook_delivery`). */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(line: DeliveryRecord): Promise<void> {
    await preparedQuery(this.dataSource, 'webhook_delivery_record', RECORD, [
      line.integrationId,
      line.outcome,
      line.httpStatus,
      line.reasonCode,
      line.reason === null ? null : [...line.reason].slice(0, 300).join(''),
      line.eventType === null ? null : [...line.eventType].slice(0, 64).join(''),
      line.bodyBytes,
      line.signature,
    ]);
  }

  /** The line of an accepted delivery, written in the transaction that stores its event. */
  acceptedStatement(line: {
    integrationId: string;
    httpStatus: number;
    eventType: string;
    ticket: string;
    bodyBytes: number | null;
  }): Statement {
    return {
      name: 'webhook_delivery_accepted',
      text: `INSERT INTO webhook_delivery (integration_id, outcome, http_status, event_type,
                                           external_ticket_id, body_bytes, signature)
             VALUES ($1, 'accepted', $2, $3, $4, $5, 'valid')`,
      values: [line.integrationId, line.httpStatus, line.eventType, line.ticket, line.bodyBytes],
    };
  }

  /** The newest lines of an integration, of one outcome or all. */
  list(
    integrationId: string,
    options: { outcome?: DeliveryOutcome; limit: number },
  ): Promise<DeliveryLine[]> {
    return this.dataSource.query(
      `SELECT id, received_at AS "receivedAt", last_received_at AS "lastReceivedAt", repeats,
              outcome, http_status AS "httpStatus", reason_code AS "reasonCode", reason,
              event_type AS "eventType", external_ticket_id AS ticket, body_bytes AS "bodyBytes",
              signature
         FROM webhook_delivery
        WHERE integration_id = $1 AND ($2::text IS NULL OR outcome = $2)
        ORDER BY last_received_at DESC, received_at DESC LIMIT $3`,
      [integrationId, options.outcome ?? null, options.limit],
    );
  }

  /** Deliveries per outcome whose line was last written in the last 24 hours. */
  lastDay(integrationId: string): Promise<{ outcome: DeliveryOutcome; deliveries: number }[]> {
    return this.dataSource.query(
      `SELECT outcome, sum(repeats)::int AS deliveries FROM webhook_delivery
        WHERE integration_id = $1 AND last_received_at > now() - interval '24 hours'
        GROUP BY outcome ORDER BY outcome`,
      [integrationId],
    );
  }

  /**
   * `retention.purge`: at most `limit` lines unchanged for `days` days (RETENTION_WEBHOOK_DAYS);
   * how many went.
   */
  async purgeBatch(days: number, limit: number): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `WITH old AS (SELECT id FROM webhook_delivery
                     WHERE last_received_at < now() - make_interval(days => $1) LIMIT $2),
       gone AS (DELETE FROM webhook_delivery d USING old WHERE d.id = old.id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
    return row.n;
  }

  /** Drops all but the newest `keep` lines of each integration. */
  async trim(keep: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM webhook_delivery d USING (
         SELECT id FROM (
           SELECT id, row_number() OVER (PARTITION BY integration_id
                                         ORDER BY last_received_at DESC, received_at DESC) AS n
             FROM webhook_delivery) ranked
          WHERE n > $1) old
        WHERE d.id = old.id`,
      [keep],
    );
  }
}
