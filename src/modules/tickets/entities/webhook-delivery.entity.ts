import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { Integration } from './integration.entity';

export const DELIVERY_OUTCOMES = ['accepted', 'duplicate', 'ignored', 'refused', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** What became of a delivery's signature: checked and matching, not, absent, or never checked. */
export const SIGNATURE_VERDICTS = ['valid', 'invalid', 'missing', 'unchecked'] as const;
export type SignatureVerdict = (typeof SIGNATURE_VERDICTS)[number];

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * One line of an integration's delivery log, which HR reads on its page: what inpulse answered
 * to a delivery, when, and why. Never a body, a header or an address, signed or not: only its
 * size, the event type the sender named, and for an accepted delivery the ticket id (which
 * `ticket_event` holds anyway). Identical deliveries that are not accepted (same outcome, status,
 * reason and event type) within ten minutes are one line with a count, so a flood of refusals
 * adds no rows; only known integrations have a log. Lines go after 30 days, and beyond the
 * newest 10,000 of an integration (the daily `tickets.purge`).
 */
@Entity('webhook_delivery')
@Check('ck_webhook_delivery_outcome', `"outcome" IN (${list(DELIVERY_OUTCOMES)})`)
@Check('ck_webhook_delivery_signature', `"signature" IN (${list(SIGNATURE_VERDICTS)})`)
@Index('ix_webhook_delivery_integration_last', ['integrationId', 'lastReceivedAt'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'integration_id', type: 'uuid' })
  integrationId!: string;

  @ManyToOne(() => Integration, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'integration_id',
    foreignKeyConstraintName: 'fk_webhook_delivery_integration',
  })
  integration?: Relation<Integration>;

  /** The first delivery of the line. */
  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  /** The last one (the same as the first unless identical deliveries were folded into it). */
  @Column({ name: 'last_received_at', type: 'timestamptz', default: () => 'now()' })
  lastReceivedAt!: Date;

  /** How many identical deliveries the line stands for. */
  @Column({ type: 'integer', default: 1 })
  repeats!: number;

  @Column({ type: 'varchar', length: 16 })
  outcome!: DeliveryOutcome;

  /** The HTTP status inpulse answered. */
  @Column({ name: 'http_status', type: 'smallint' })
  httpStatus!: number;

  /** The `error` code of the answer (`webhook.signature_invalid`…); null when accepted. */
  @Column({ name: 'reason_code', type: 'varchar', length: 64, nullable: true })
  reasonCode!: string | null;

  /** What the answer said, in words (never a value of the body but an event type). */
  @Column({ type: 'varchar', length: 300, nullable: true })
  reason!: string | null;

  /** The event type the sender named (ignored), or the one it was normalised to (accepted). */
  @Column({ name: 'event_type', type: 'varchar', length: 64, nullable: true })
  eventType!: string | null;

  /** The sender's ticket id, for an accepted delivery only. */
  @Column({ name: 'external_ticket_id', type: 'varchar', length: 200, nullable: true })
  externalTicketId!: string | null;

  /** The body's size in bytes (its Content-Length when it was refused before being read). */
  @Column({ name: 'body_bytes', type: 'integer', nullable: true })
  bodyBytes!: number | null;

  @Column({ type: 'varchar', length: 16 })
  signature!: SignatureVerdict;
}
