import { RESOLUTION_SQL, SERVICE_STANDARDS_SQL } from './service-standards.sql';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { createHash } from 'node:crypto';
import { preparedQuery, preparedTransaction } from '../../database/prepared-query';
import { Integration, type IntegrationKind, type MappingRule } from './entities/integration.entity';
import type { SurveyState } from './entities/ticket-event.entity';
import type { TicketChange, TicketFacts } from './ticket-rules';
import type { Statement } from './webhook-deliveries.repository';

/** pg-boss runs its INSERT through this, inside our transaction. */
export interface SqlExecutor {
  executeSql(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** What a delivery needs of its integration: one indexed read on the hot path. */
export interface DeliveryIntegration {
  id: string;
  kind: IntegrationKind;
  /** A paused integration's deliveries are refused (404), and logged. */
  active: boolean;
  secretSealed: Buffer;
  /** The previous secret while its overlap lasts, else null. */
  previousSecretSealed: Buffer | null;
  defaultTeamId: string;
  mappingRules: MappingRule[];
  delayMinutes: number;
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

export interface TicketForSurvey {
  id: string;
  integrationId: string;
  externalTicketId: string;
  teamId: string;
  teamName: string;
  requesterEmailSealed: Buffer | null;
  requesterExternalIdSealed: Buffer | null;
  requesterIsAssignee: boolean;
  category: string | null;
  priority: string | null;
  channel: string | null;
  ticketCreatedAt: Date | null;
  resolution: Date | null;
  surveyState: SurveyState | null;
  surveyDueAt: Date | null;
  delayMinutes: number;
  linkExpiryDays: number;
  throttleDays: number;
  samplingPercent: number;
  excludedCategories: string[];
  excludeRequesterIsAssignee: boolean;
}

export interface RecentTicket {
  externalTicketId: string;
  sourceGroup: string | null;
  teamName: string;
  status: 'open' | 'resolved' | 'closed';
  category: string | null;
  surveyState: string | null;
  surveyDueAt: Date | null;
  surveyAttempts: number;
  surveyError: string | null;
  updatedAt: Date;
}

export interface DeadLetter {
  id: string;
  externalTicketId: string;
  teamName: string;
  surveyAttempts: number;
  surveyError: string | null;
  updatedAt: Date;
}

export interface ServiceStandardsRow {
  opened: number;
  responded: number;
  firstResponseMedianMinutes: number | null;
  firstResponseP90Minutes: number | null;
  resolved: number;
  handlingMedianMinutes: number | null;
  handlingP90Minutes: number | null;
}

export interface FollowUpRow {
  id: string;
  teamName: string;
  employeeName: string;
  employeeEmail: string;
  message: string | null;
  requestedOn: string;
  doneOn: string | null;
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

/** Arbitrary, fixed key: one find-or-create of a team's monthly ticket survey at a time. */
const TICKET_SURVEY_LOCK_KEY = 6_815_402_117;

/**
 * The rows of a statement (a SELECT, or a write with RETURNING), through a query runner or an
 * entity manager: TypeORM answers an UPDATE or DELETE with [rows, count] unless asked for its
 * structured result, which only a query runner offers.
 */
async function rowsOf<T>(
  on: QueryRunner | EntityManager,
  sql: string,
  values: unknown[],
): Promise<T[]> {
  if ('isReleased' in on) {
    const result = await (on as QueryRunner).query(sql, values, true);
    return (result.records ?? []) as T[];
  }
  const raw: unknown = await (on as EntityManager).query(sql, values);
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number')
    return raw[0] as T[];
  return raw as T[];
}

@Injectable()
export class TicketsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get integrations() {
    return this.dataSource.getRepository(Integration);
  }

  // Integrations

  insertIntegration(values: Partial<Integration>): Promise<Integration> {
    return this.integrations.save(this.integrations.create(values));
  }

  async updateIntegration(id: string, values: Partial<Integration>): Promise<boolean> {
    const result = await this.integrations.update({ id }, values);
    return (result.affected ?? 0) > 0;
  }

  findIntegration(id: string): Promise<Integration | null> {
    return this.integrations.findOneBy({ id });
  }

  listIntegrations(): Promise<(Integration & { tickets: number; dead: number })[]> {
    return this.dataSource.query(
      `SELECT i.id, i.kind, i.name, i.active, i.default_team_id AS "defaultTeamId",
              i.mapping_rules AS "mappingRules", i.delay_minutes AS "delayMinutes",
              i.link_expiry_days AS "linkExpiryDays", i.throttle_days AS "throttleDays",
              i.sampling_percent AS "samplingPercent", i.excluded_categories AS "excludedCategories",
              i.exclude_requester_is_assignee AS "excludeRequesterIsAssignee",
              i.secret_rotated_at AS "secretRotatedAt", i.previous_valid_until AS "previousValidUntil",
              i.created_at AS "createdAt", i.updated_at AS "updatedAt",
              (SELECT count(*)::int FROM ticket_event t WHERE t.integration_id = i.id) AS tickets,
              (SELECT count(*)::int FROM ticket_event t
                WHERE t.integration_id = i.id AND t.survey_state = 'dead') AS dead
         FROM integration i ORDER BY i.created_at`,
    );
  }

  async findForDelivery(id: string): Promise<DeliveryIntegration | undefined> {
    const rows = await preparedQuery<DeliveryIntegration>(
      this.dataSource,
      'tickets_integration_for_delivery',
      `SELECT id, kind, active, secret_sealed AS "secretSealed",
              CASE WHEN previous_valid_until > now() THEN previous_secret_sealed END AS "previousSecretSealed",
              default_team_id AS "defaultTeamId", mapping_rules AS "mappingRules",
              delay_minutes AS "delayMinutes"
         FROM integration WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  // Deliveries

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

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  // The survey job

  async ticketForSurvey(id: string): Promise<TicketForSurvey | undefined> {
    return (await this.ticketsForSurvey([id]))[0];
  }

  /** ticketForSurvey for many at once (one statement; missing ones are left out). */
  async ticketsForSurvey(ids: string[]): Promise<TicketForSurvey[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query(
      `SELECT t.id, t.integration_id AS "integrationId", t.external_ticket_id AS "externalTicketId",
              t.team_id AS "teamId", st.name AS "teamName",
              t.requester_email_sealed AS "requesterEmailSealed",
              t.requester_external_id_sealed AS "requesterExternalIdSealed",
              t.requester_is_assignee AS "requesterIsAssignee", t.category, t.priority, t.channel,
              t.ticket_created_at AS "ticketCreatedAt", ${RESOLUTION_SQL} AS resolution,
              t.survey_state AS "surveyState", t.survey_due_at AS "surveyDueAt",
              i.delay_minutes AS "delayMinutes",
              i.link_expiry_days AS "linkExpiryDays", i.throttle_days AS "throttleDays",
              i.sampling_percent AS "samplingPercent", i.excluded_categories AS "excludedCategories",
              i.exclude_requester_is_assignee AS "excludeRequesterIsAssignee"
         FROM ticket_event t
         JOIN integration i ON i.id = t.integration_id
         JOIN service_team st ON st.id = t.team_id
        WHERE t.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /**
   * Records a decision not to survey, only if the survey is still pending (a reopen may have
   * cancelled it meanwhile), and forgets the requester: from now on nothing here names them.
   * `forget` removes what else refers to the ticket in the same transaction (its jobs).
   */
  async settleSurvey(
    id: string,
    state: SurveyState,
    forget: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await rowsOf(
        manager,
        `UPDATE ticket_event SET survey_state = $2, requester_email_sealed = NULL,
                requester_external_id_sealed = NULL, updated_at = now()
          WHERE id = $1 AND survey_state = 'pending' RETURNING id`,
        [id, state],
      );
      if (rows.length === 1) await forget(manager);
      return rows.length === 1;
    });
  }

  /**
   * The decision to survey: the survey is marked sent, the requester forgotten, and the person
   * handed over (sealed) to the next invitation batch — which writes the invitation in another
   * transaction, with other tickets' (see TicketSurveysService.inviteDecided). False when the
   * survey is no longer pending.
   */
  async decideSurvey(input: {
    ticketRowId: string;
    handOver: Buffer;
    forget: (manager: EntityManager) => Promise<void>;
  }): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await rowsOf(
        manager,
        `UPDATE ticket_event SET survey_state = 'sent', survey_error = NULL, requester_email_sealed = NULL,
                requester_external_id_sealed = NULL, updated_at = now()
          WHERE id = $1 AND survey_state = 'pending' RETURNING id`,
        [input.ticketRowId],
      );
      if (rows.length === 0) return false;
      await manager.query('INSERT INTO pending_ticket_invitation (sealed) VALUES ($1)', [
        input.handOver,
      ]);
      await input.forget(manager);
      return true;
    });
  }

  /**
   * Many decisions in one transaction (the batch of due surveys): each ticket still pending is
   * settled — `skipped:…` or `sent` with its hand-over — and its requester erased; `forget` then
   * removes what else refers to the tickets decided here (their jobs). Returns the ids decided.
   */
  async decideMany(input: {
    decisions: { id: string; state: SurveyState; handOver?: Buffer }[];
    forget: (manager: EntityManager, decided: string[]) => Promise<void>;
  }): Promise<string[]> {
    if (input.decisions.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      const decided = await rowsOf<{ id: string }>(
        manager,
        `UPDATE ticket_event t SET survey_state = d.state, requester_email_sealed = NULL,
                requester_external_id_sealed = NULL, updated_at = now(),
                survey_error = CASE WHEN d.state = 'sent' THEN NULL ELSE t.survey_error END
           FROM unnest($1::uuid[], $2::text[]) AS d(id, state)
          WHERE t.id = d.id AND t.survey_state = 'pending'
         RETURNING t.id`,
        [input.decisions.map((d) => d.id), input.decisions.map((d) => d.state)],
      );
      const ids = new Set(decided.map((r) => r.id));
      const handOvers = input.decisions
        .filter((d) => d.handOver && ids.has(d.id))
        .map((d) => d.handOver as Buffer);
      if (handOvers.length > 0)
        await manager.query(
          'INSERT INTO pending_ticket_invitation (sealed) SELECT unnest($1::bytea[])',
          [handOvers],
        );
      if (ids.size > 0) await input.forget(manager, [...ids]);
      return [...ids];
    });
  }

  /**
   * Runs `work` on every ticket handed over for an invitation, in one transaction; `work` says
   * which of them it used, and those are deleted (the others wait for a later run). Afterwards
   * the table is vacuumed, so no dead tuple keeps them.
   */
  async takeHandOvers<T>(
    work: (
      rows: { id: string; sealed: Buffer }[],
      manager: EntityManager,
    ) => Promise<{ value: T; used: string[] }>,
  ): Promise<T | undefined> {
    const result = await this.dataSource.transaction(async (manager) => {
      const rows: { id: string; sealed: Buffer }[] = await manager.query(
        'SELECT id, sealed FROM pending_ticket_invitation ORDER BY id FOR UPDATE SKIP LOCKED',
      );
      if (rows.length === 0) return undefined;
      const { value, used } = await work(rows, manager);
      if (used.length > 0)
        await manager.query('DELETE FROM pending_ticket_invitation WHERE id = ANY($1::uuid[])', [
          used,
        ]);
      return { value, used: used.length };
    });
    if (!result) return undefined;
    if (result.used > 0) await this.dataSource.query('VACUUM pending_ticket_invitation');
    return result.value;
  }

  async recordSurveyFailure(id: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ticket_event SET survey_attempts = survey_attempts + 1, survey_error = left($2, 500),
              updated_at = now() WHERE id = $1`,
      [id, message],
    );
  }

  /**
   * The job failed for good (its dead letter arrived): the survey will not go by itself. The
   * requester is kept, for a retry, until HR tries again or the purge forgets it.
   */
  async markDead(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ticket_event SET survey_state = 'dead', updated_at = now()
        WHERE id = $1 AND survey_state = 'pending'`,
      [id],
    );
  }

  /** A failed survey tried again (by HR): back where it failed, due now. */
  async revive(
    integrationId: string,
    externalTicketId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | undefined> {
    const rows = await rowsOf<{ id: string }>(
      manager,
      `UPDATE ticket_event SET survey_state = 'pending', survey_due_at = now(), survey_attempts = 0,
              updated_at = now()
        WHERE integration_id = $1 AND external_ticket_id = $2 AND survey_state = 'dead' RETURNING id`,
      [integrationId, externalTicketId],
    );
    return rows[0]?.id;
  }

  // The monthly ticket survey of a team

  /**
   * The ticket survey of a team for a month, created once by `create` (under an advisory lock,
   * so that two jobs never make two).
   */
  async ticketSurvey(
    teamId: string,
    period: string,
    create: () => Promise<string>,
  ): Promise<string> {
    const find = async (runner: QueryRunner | DataSource) => {
      const rows: { surveyId: string }[] = await runner.query(
        `SELECT survey_id AS "surveyId" FROM ticket_survey WHERE team_id = $1 AND period = $2`,
        [teamId, period],
      );
      return rows[0]?.surveyId;
    };
    const existing = await find(this.dataSource);
    if (existing) return existing;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [TICKET_SURVEY_LOCK_KEY]);
      const found = await find(runner);
      if (found) return found;
      const surveyId = await create();
      await runner.query(
        `INSERT INTO ticket_survey (team_id, period, survey_id) VALUES ($1, $2, $3)`,
        [teamId, period, surveyId],
      );
      return surveyId;
    } finally {
      await runner
        .query('SELECT pg_advisory_unlock($1)', [TICKET_SURVEY_LOCK_KEY])
        .catch(() => undefined);
      await runner.release();
    }
  }

  /** The questionnaire ticket surveys use, once there is one. */
  async ticketQuestionnaireId(): Promise<string | undefined> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT s.questionnaire_id AS id FROM ticket_survey ts JOIN survey s ON s.id = ts.survey_id
        ORDER BY ts.period DESC LIMIT 1`,
    );
    return rows[0]?.id;
  }

  // Follow-ups

  /**
   * "You may contact me": kept sealed (who asked is the invitation inside) until the follow-up
   * batch writes it, for an invitation whose answer is waiting or released. Written in the
   * caller's transaction, the one that stores the answer.
   */
  async insertPendingFollowUp(sealed: Buffer, manager: EntityManager): Promise<void> {
    await manager.query('INSERT INTO pending_follow_up (sealed) VALUES ($1)', [sealed]);
  }

  /**
   * The follow-up batch, in one transaction: `open` turns each sealed request into its
   * invitation and message; those of an answered ticket survey invitation become follow_up rows
   * (the person's name and e-mail, the team, the message, today's date — nothing of the answer,
   * the ticket or when it was given), in random order; all are deleted, then vacuumed away.
   */
  async releaseFollowUps(
    open: (sealed: Buffer) => { invitationId: string; message: string | null } | undefined,
  ): Promise<number> {
    const written = await this.dataSource.transaction(async (manager) => {
      const rows: { id: string; sealed: Buffer }[] = await manager.query(
        'SELECT id, sealed FROM pending_follow_up FOR UPDATE SKIP LOCKED',
      );
      if (rows.length === 0) return undefined;
      const requests = rows.flatMap((r) => {
        const request = open(r.sealed);
        return request ? [request] : [];
      });
      const inserted: unknown[] = await manager.query(
        `INSERT INTO follow_up (team_id, employee_name, employee_email, message, requested_on)
         SELECT s.team_id, e.name, e.email, r.message, current_date
           FROM jsonb_to_recordset($1::jsonb) AS r("invitationId" uuid, message text)
           JOIN invitation i ON i.id = r."invitationId"
           JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket'
           JOIN employee e ON e.id = i.employee_id
          ORDER BY random()
         RETURNING id`,
        [JSON.stringify(requests)],
      );
      await manager.query('DELETE FROM pending_follow_up WHERE id = ANY($1::uuid[])', [
        rows.map((r) => r.id),
      ]);
      return inserted.length;
    });
    if (written === undefined) return 0;
    await this.dataSource.query('VACUUM pending_follow_up');
    return written;
  }

  listFollowUps(teamIds: string[] | 'all', limit = 200): Promise<FollowUpRow[]> {
    return this.dataSource.query(
      `SELECT f.id, t.name AS "teamName", f.employee_name AS "employeeName",
              f.employee_email AS "employeeEmail", f.message,
              to_char(f.requested_on, 'YYYY-MM-DD') AS "requestedOn",
              to_char(f.done_on, 'YYYY-MM-DD') AS "doneOn"
         FROM follow_up f JOIN service_team t ON t.id = f.team_id
        WHERE $1::uuid[] IS NULL OR f.team_id = ANY($1::uuid[])
        ORDER BY f.done_on IS NOT NULL, f.requested_on DESC, t.name LIMIT $2`,
      [teamIds === 'all' ? null : teamIds, limit],
    );
  }

  async markFollowUpDone(id: string, teamIds: string[] | 'all'): Promise<boolean> {
    const rows = await rowsOf(
      this.dataSource.manager,
      `UPDATE follow_up SET done_on = current_date
        WHERE id = $1 AND done_on IS NULL AND ($2::uuid[] IS NULL OR team_id = ANY($2::uuid[]))
        RETURNING id`,
      [id, teamIds === 'all' ? null : teamIds],
    );
    return rows.length === 1;
  }

  // HR's view of an integration

  recentTickets(integrationId: string, limit = 50): Promise<RecentTicket[]> {
    return this.dataSource.query(
      `SELECT t.external_ticket_id AS "externalTicketId", t.source_group AS "sourceGroup",
              st.name AS "teamName",
              CASE WHEN ${RESOLUTION_SQL} IS NULL THEN 'open'
                   WHEN t.closed_at > coalesce(t.last_reopened_at, '-infinity') THEN 'closed'
                   ELSE 'resolved' END AS status,
              t.category, t.survey_state AS "surveyState", t.survey_due_at AS "surveyDueAt",
              t.survey_attempts AS "surveyAttempts", t.survey_error AS "surveyError",
              t.updated_at AS "updatedAt"
         FROM ticket_event t JOIN service_team st ON st.id = t.team_id
        WHERE t.integration_id = $1
        ORDER BY t.updated_at DESC LIMIT $2`,
      [integrationId, limit],
    );
  }

  deadLetters(integrationId: string): Promise<DeadLetter[]> {
    return this.dataSource.query(
      `SELECT t.id, t.external_ticket_id AS "externalTicketId", st.name AS "teamName",
              t.survey_attempts AS "surveyAttempts", t.survey_error AS "surveyError",
              t.updated_at AS "updatedAt"
         FROM ticket_event t JOIN service_team st ON st.id = t.team_id
        WHERE t.integration_id = $1 AND t.survey_state = 'dead'
        ORDER BY t.updated_at DESC LIMIT 200`,
      [integrationId],
    );
  }

  /** How many tickets of the integration are in each survey state. */
  async surveyStates(integrationId: string): Promise<{ state: string; n: number }[]> {
    return this.dataSource.query(
      `SELECT coalesce(survey_state, 'none') AS state, count(*)::int AS n FROM ticket_event
        WHERE integration_id = $1 GROUP BY 1 ORDER BY 2 DESC`,
      [integrationId],
    );
  }

  /**
   * Receipts older than `days` days (no sender replays that late), and the requester of
   * surveys that failed that long ago and were not tried again.
   */
  async purge(days: number): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM ticket_event_receipt WHERE received_at < now() - make_interval(days => $1)`,
      [days],
    );
    await this.dataSource.query(
      `UPDATE ticket_event SET requester_email_sealed = NULL, requester_external_id_sealed = NULL
        WHERE survey_state = 'dead' AND updated_at < now() - make_interval(days => $1)
          AND (requester_email_sealed IS NOT NULL OR requester_external_id_sealed IS NOT NULL)`,
      [days],
    );
  }

  // Service standards (operational figures of tickets, not of anyone's answers)

  /**
   * Of these teams' tickets: first response of those opened in [from, to), handling time
   * (resolution − opening) of those resolved in it — how many, median and p90, in minutes.
   */
  async serviceStandards(
    teamIds: string[],
    from: string,
    to: string,
  ): Promise<ServiceStandardsRow> {
    // Counts are integers; the percentiles come back as text (double precision) or null.
    const [row] = await preparedQuery<
      Record<'opened' | 'responded' | 'resolved', number> &
        Record<
          | 'firstResponseMedianMinutes'
          | 'firstResponseP90Minutes'
          | 'handlingMedianMinutes'
          | 'handlingP90Minutes',
          string | number | null
        >
    >(this.dataSource, 'report_serviceStandards', SERVICE_STANDARDS_SQL.serviceStandards, [
      teamIds,
      from,
      to,
    ]);
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      opened: row.opened,
      responded: row.responded,
      firstResponseMedianMinutes: num(row.firstResponseMedianMinutes),
      firstResponseP90Minutes: num(row.firstResponseP90Minutes),
      resolved: row.resolved,
      handlingMedianMinutes: num(row.handlingMedianMinutes),
      handlingP90Minutes: num(row.handlingP90Minutes),
    };
  }

  /** Tickets opened in [from, to) per ISO weekday (1 = Monday) and hour, in `timeZone`. */
  volumeByWeekdayHour(
    teamIds: string[],
    from: string,
    to: string,
    timeZone: string,
  ): Promise<{ weekday: number; hour: number; tickets: number }[]> {
    return preparedQuery(
      this.dataSource,
      'report_volumeByWeekdayHour',
      SERVICE_STANDARDS_SQL.volumeByWeekdayHour,
      [teamIds, from, to, timeZone],
    );
  }
}
