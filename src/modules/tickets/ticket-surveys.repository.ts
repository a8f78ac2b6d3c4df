import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { SurveyState } from './entities/ticket-event.entity';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { underSessionLock } from '../../database/session-lock';
import { rowsOf } from './query-rows';
import { RESOLUTION_SQL } from './service-standards.sql';

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

/** Lock class of the find-or-create of a team's monthly ticket survey (key: team, month). */
const TICKET_SURVEY_LOCK_CLASS = 681_540_211;

/** The survey job of resolved tickets, its hand-overs, and the monthly ticket survey of a team. */
@Injectable()
export class TicketSurveysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
   * The ticket survey of a team for a month, created once by `create`: under a session-level
   * advisory lock of that team and month, on a session of its own to the server itself (not the
   * app's pool, whose connections `create` needs; docs/pooler.md), taken only when none is found.
   */
  async ticketSurvey(
    teamId: string,
    period: string,
    create: () => Promise<string>,
  ): Promise<string> {
    const find = async () => {
      const rows: { surveyId: string }[] = await this.dataSource.query(
        `SELECT survey_id AS "surveyId" FROM ticket_survey WHERE team_id = $1 AND period = $2`,
        [teamId, period],
      );
      return rows[0]?.surveyId;
    };
    const existing = await find();
    if (existing) return existing;
    const key = { classId: TICKET_SURVEY_LOCK_CLASS, name: `${teamId}:${period}` };
    return underSessionLock(this.config.database.directUrl ?? this.dataSource, key, async () => {
      const found = await find();
      if (found) return found;
      const surveyId = await create();
      await this.dataSource.query(
        `INSERT INTO ticket_survey (team_id, period, survey_id) VALUES ($1, $2, $3)`,
        [teamId, period, surveyId],
      );
      return surveyId;
    });
  }

  /** The questionnaire ticket surveys use, once there is one. */
  async ticketQuestionnaireId(): Promise<string | undefined> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT s.questionnaire_id AS id FROM ticket_survey ts JOIN survey s ON s.id = ts.survey_id
        ORDER BY ts.period DESC LIMIT 1`,
    );
    return rows[0]?.id;
  }

  /** Past monthly ticket surveys of teams (each survey already written), in one insert. */
  async insertPastTicketSurveys(
    surveys: { teamId: string; period: string; surveyId: string }[],
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ticket_survey (team_id, period, survey_id)
       SELECT "teamId", period, "surveyId"
         FROM jsonb_to_recordset($1::jsonb) AS s("teamId" uuid, period text, "surveyId" uuid)`,
      [JSON.stringify(surveys)],
    );
  }
}
