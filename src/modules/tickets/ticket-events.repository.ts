import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { preparedTransaction } from '../../database/prepared-query';
import type { TicketChange, TicketFacts } from './ticket-rules';
import type { Statement } from './webhook-deliveries.repository';

/** pg-boss runs its INSERT through this, inside our transaction. */
export interface SqlExecutor {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A ticket handled before this instance recorded it (the demo's history): no requester. */
export interface PastTicket {
  integration_id: string;
  external_ticket_id: string;
  team_id: string;
  source_group: string;
  category: string;
  priority: string;
  channel: string;
  created_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  survey_state: string | null;
}

/** The descriptive columns of a ticket that a delivery writes. */
export interface TicketDetails {
  teamId: string;
  sourceGroup: string | null;
  /** Sealed (see secrets.sealRequester). */
  requesterEmailSealed: Buffer | null;
  requesterExternalIdSealed: Buffer | null;
  requesterIsAssignee: boolean;
  category: string | null;
  priority: string | null;
  channel: string | null;
  ticketCreatedAt: Date | null;
  firstResponseAt: Date | null;
}

const FACTS = `t.id, t.resolved_at AS "resolvedAt", t.closed_at AS "closedAt",
  t.last_reopened_at AS "lastReopenedAt", t.reopen_count AS "reopenCount",
  t.last_event_at AS "lastEventAt", t.survey_state AS "surveyState", t.survey_due_at AS "surveyDueAt"`;

/** A ticket seen for the first time (nothing when another delivery inserted it meanwhile). */
const INSERT_TICKET = `INSERT INTO ticket_event (integration_id, external_ticket_id, team_id, source_group,
     requester_email_sealed, requester_external_id_sealed, requester_is_assignee,
     category, priority, channel, ticket_created_at, first_response_at,
     resolved_at, closed_at, last_reopened_at, reopen_count, last_event_at,
     survey_state, survey_due_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
   ON CONFLICT (integration_id, external_ticket_id) DO NOTHING RETURNING id`;

function insertValues(integrationId: string, ticketId: string, d: TicketDetails, c: TicketChange) {
  return [
    integrationId,
    ticketId,
    d.teamId,
    d.sourceGroup,
    d.requesterEmailSealed,
    d.requesterExternalIdSealed,
    d.requesterIsAssignee,
    d.category,
    d.priority,
    d.channel,
    d.ticketCreatedAt,
    d.firstResponseAt,
    c.resolvedAt,
    c.closedAt,
    c.lastReopenedAt,
    c.reopenCount,
    c.lastEventAt,
    c.surveyState,
    c.surveyDueAt,
  ];
}

/**
 * A ticket seen before: the newest event's details replace the stored ones; an older event only
 * fills gaps. The requester is taken only while no survey has been decided (it is forgotten
 * afterwards).
 */
const UPDATE_TICKET = `UPDATE ticket_event SET
     resolved_at = $2, closed_at = $3, last_reopened_at = $4, reopen_count = $5,
     last_event_at = $6, survey_state = $7, survey_due_at = $8,
     team_id = CASE WHEN $9 THEN $10 ELSE team_id END,
     source_group = CASE WHEN $9 THEN coalesce($11, source_group) ELSE coalesce(source_group, $11) END,
     requester_email_sealed = CASE WHEN survey_state IS NULL OR survey_state IN ('pending', 'cancelled')
                            THEN coalesce($12, requester_email_sealed) ELSE requester_email_sealed END,
     requester_external_id_sealed = CASE WHEN survey_state IS NULL OR survey_state IN ('pending', 'cancelled')
                                  THEN coalesce($13, requester_external_id_sealed) ELSE requester_external_id_sealed END,
     requester_is_assignee = CASE WHEN $9 THEN $14 ELSE requester_is_assignee END,
     category = CASE WHEN $9 THEN coalesce($15, category) ELSE coalesce(category, $15) END,
     priority = CASE WHEN $9 THEN coalesce($16, priority) ELSE coalesce(priority, $16) END,
     channel = CASE WHEN $9 THEN coalesce($17, channel) ELSE coalesce(channel, $17) END,
     ticket_created_at = least(ticket_created_at, $18),
     first_response_at = least(first_response_at, $19),
     updated_at = now()
   WHERE id = $1`;

function updateValues(id: string, d: TicketDetails, c: TicketChange) {
  return [
    id,
    c.resolvedAt,
    c.closedAt,
    c.lastReopenedAt,
    c.reopenCount,
    c.lastEventAt,
    c.surveyState,
    c.surveyDueAt,
    c.newest,
    d.teamId,
    d.sourceGroup,
    d.requesterEmailSealed,
    d.requesterExternalIdSealed,
    d.requesterIsAssignee,
    d.category,
    d.priority,
    d.channel,
    d.ticketCreatedAt,
    d.firstResponseAt,
  ];
}

/** Ticket events as deliveries write them: receipts, tickets, and their retention. */
@Injectable()
export class TicketEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Applies one delivery in ONE transaction: the receipt of the sender's event id (a replay
   * stops there and nothing is written), the ticket (one row per ticket of the source, locked
   * while the rules decide), and, when the rules say so, the survey job: pg-boss inserts it
   * through this transaction, so the event and its job commit or vanish together. The hot path
   * of webhooks: its statements run prepared, and the receipt and the lock are one statement.
   * `alsoRun` (the delivery log's line) commits with the event, or not at all.
   */
  applyDelivery(input: {
    integrationId: string;
    eventId: string;
    ticketId: string;
    details: TicketDetails;
    decide: (current: TicketFacts | undefined) => TicketChange;
    enqueue: (db: SqlExecutor, ticketRowId: string, due: Date) => Promise<void>;
    alsoRun?: Statement;
  }): Promise<'duplicate' | TicketChange> {
    return preparedTransaction<'duplicate' | TicketChange>(this.dataSource, async (client) => {
      const run = async <T>(name: string, text: string, values: unknown[]) =>
        (await client.query({ name, text, values })).rows as T[];
      const [first] = await run<{ fresh: boolean } & Partial<TicketFacts & { id: string }>>(
        'tickets_receipt_and_lock',
        `WITH receipt AS (
           INSERT INTO ticket_event_receipt (integration_id, event_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM receipt) AS fresh, t.*
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (
             SELECT ${FACTS} FROM ticket_event t
              WHERE t.integration_id = $1 AND t.external_ticket_id = $3 FOR UPDATE) t ON true`,
        [input.integrationId, input.eventId, input.ticketId],
      );
      if (!first.fresh) return { value: 'duplicate' as const, rollback: true };
      const lock = () =>
        run<TicketFacts & { id: string }>(
          'tickets_lock',
          `SELECT ${FACTS} FROM ticket_event t
            WHERE t.integration_id = $1 AND t.external_ticket_id = $2 FOR UPDATE`,
          [input.integrationId, input.ticketId],
        ).then((rows) => rows[0]);
      let current = first.id ? (first as TicketFacts & { id: string }) : undefined;
      let change = input.decide(current);
      let id = current?.id;
      if (!current) {
        const [inserted] = await run<{ id: string }>(
          'tickets_insert',
          INSERT_TICKET,
          insertValues(input.integrationId, input.ticketId, input.details, change),
        );
        id = inserted?.id;
        if (id === undefined) {
          // Another delivery about the same new ticket got there first: decide again on its row.
          current = await lock();
          change = input.decide(current);
          id = current?.id;
        }
      }
      if (current)
        await run('tickets_update', UPDATE_TICKET, updateValues(current.id, input.details, change));
      if (change.schedule) {
        // pg-boss's own INSERT, through this transaction (prepared under a name of its text).
        const db: SqlExecutor = {
          executeSql: async (text, values) => ({
            rows: await run(
              `tickets_job_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`,
              text,
              values,
            ),
          }),
        };
        await input.enqueue(db, id as string, change.schedule);
      }
      if (input.alsoRun) await run(input.alsoRun.name, input.alsoRun.text, input.alsoRun.values);
      return { value: change };
    });
  }

  /**
   * `retention.purge`: at most `limit` receipts older than `days` days (RETENTION_WEBHOOK_DAYS:
   * no sender replays that late); how many went.
   */
  async purgeReceiptsBatch(days: number, limit: number): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `WITH old AS (SELECT integration_id, event_id FROM ticket_event_receipt
                     WHERE received_at < now() - make_interval(days => $1) LIMIT $2),
       gone AS (DELETE FROM ticket_event_receipt r USING old
                 WHERE r.integration_id = old.integration_id AND r.event_id = old.event_id
                 RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
    return row.n;
  }

  /** The requester of surveys that failed `days` days ago and were not tried again. */
  async purge(days: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ticket_event SET requester_email_sealed = NULL, requester_external_id_sealed = NULL
        WHERE survey_state = 'dead' AND updated_at < now() - make_interval(days => $1)
          AND (requester_email_sealed IS NOT NULL OR requester_external_id_sealed IS NOT NULL)`,
      [days],
    );
  }

  /** Past tickets, in one set-based insert (in the order they were opened). */
  async insertPastTickets(tickets: PastTicket[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ticket_event (integration_id, external_ticket_id, team_id, source_group,
         category, priority, channel, ticket_created_at, first_response_at, resolved_at, closed_at,
         last_event_at, survey_state, survey_due_at, received_at, updated_at)
       SELECT t.integration_id, t.external_ticket_id, t.team_id, t.source_group,
              t.category, t.priority, t.channel, t.created_at,
              t.first_response_at, t.resolved_at, t.closed_at,
              greatest(t.created_at, t.first_response_at, t.resolved_at, t.closed_at), t.survey_state,
              t.resolved_at + interval '1 hour', t.created_at, greatest(t.created_at, t.resolved_at)
         FROM jsonb_to_recordset($1::jsonb) AS t(integration_id uuid, external_ticket_id text, team_id uuid,
              source_group text, category text, priority text, channel text,
              created_at timestamptz, first_response_at timestamptz, resolved_at timestamptz,
              closed_at timestamptz, survey_state text)
        ORDER BY t.created_at`,
      [JSON.stringify(tickets)],
    );
  }
}
