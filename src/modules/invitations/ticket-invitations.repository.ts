import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { fatigueAllows } from '../fatigue/fatigue.sql';
import { TENURE_BAND_SQL } from './invitations.repository';

/**
 * The invitations feature's SQL for surveys after tickets: the batch insert of decided tickets'
 * invitations, and the throttle and fatigue verdicts that come before it. Apart from
 * InvitationsRepository only for size; the same tables, the same feature.
 */
@Injectable()
export class TicketInvitationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Invitations to surveys after tickets, one batch of decided tickets at once (see
   * TicketSurveysService.inviteDecided), in random order, in one INSERT … SELECT through
   * `manager` (the caller's transaction, which holds the fatigue budget's lock). Each keeps the
   * resolution-time band of its ticket (for the by-band aggregates of its release) and the
   * person's segments, like any invitation. Those already invited to that survey, or kept out by
   * the fatigue budget (`budgetDays`), get none. Returns the ids made.
   */
  async insertTicketInvitations(
    manager: EntityManager,
    wanted: {
      surveyId: string;
      employeeId: string;
      expiresAt: Date;
      resolutionBand: string | null;
    }[],
    budgetDays: number,
  ): Promise<{ ids: string[]; skippedByBudget: { surveyId: string }[] }> {
    if (wanted.length === 0) return { ids: [], skippedByBudget: [] };
    const rows: { id: string | null; survey_id: string; skipped: boolean }[] = await manager.query(
      `WITH wanted AS (
         SELECT w.*, random() AS shuffle FROM jsonb_to_recordset($1::jsonb)
           AS w("surveyId" uuid, "employeeId" uuid, "expiresAt" timestamptz, "resolutionBand" text)),
       candidates AS (
         SELECT w.*, e.department, e.location, e.hire_date FROM wanted w
           JOIN employee e ON e.id = w."employeeId" AND e.active
           JOIN survey s ON s.id = w."surveyId"
          WHERE NOT EXISTS (SELECT 1 FROM invitation x WHERE x.survey_id = w."surveyId" AND x.employee_id = e.id)),
       allowed AS (
         SELECT c.* FROM candidates c WHERE ${fatigueAllows('c."employeeId"', '$2')}),
       inserted AS (
         INSERT INTO invitation (survey_id, employee_id, department, location, tenure_band, expires_at,
                                 resolution_band)
         SELECT a."surveyId", a."employeeId", a.department, a.location,
                ${TENURE_BAND_SQL.replaceAll('e.hire_date', 'a.hire_date')}, a."expiresAt", a."resolutionBand"
           FROM allowed a ORDER BY a.shuffle
         ON CONFLICT (survey_id, employee_id) DO NOTHING
         RETURNING id, survey_id)
       SELECT id, survey_id, false AS skipped FROM inserted
        UNION ALL
       SELECT NULL, c."surveyId", true FROM candidates c
        WHERE NOT EXISTS (SELECT 1 FROM allowed a WHERE a."employeeId" = c."employeeId" AND a."surveyId" = c."surveyId")`,
      [JSON.stringify(wanted), budgetDays],
    );
    return {
      ids: rows.filter((r) => !r.skipped && r.id).map((r) => r.id as string),
      skippedByBudget: rows.filter((r) => r.skipped).map((r) => ({ surveyId: r.survey_id })),
    };
  }

  /** See InvitationsService.ticketSurveyAllowed. */
  async ticketSurveyAllowed(input: {
    surveyId: string;
    teamId: string;
    employeeId: string;
    throttleDays: number;
    budgetDays: number;
  }): Promise<'yes' | 'already-invited' | 'throttled' | 'fatigue-budget'> {
    const [row]: { verdict: 'yes' | 'already-invited' | 'throttled' | 'fatigue-budget' }[] =
      await this.dataSource.query(
        `SELECT CASE
           WHEN $4::int > 0 AND EXISTS (
             SELECT 1 FROM invitation i JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket' AND s.team_id = $2
              WHERE i.employee_id = $3 AND i.created_at > now() - make_interval(days => $4::int)) THEN 'throttled'
           WHEN EXISTS (SELECT 1 FROM invitation WHERE survey_id = $1 AND employee_id = $3) THEN 'already-invited'
           WHEN NOT ${fatigueAllows('$3::uuid', '$5')} THEN 'fatigue-budget'
           ELSE 'yes' END AS verdict`,
        [input.surveyId, input.teamId, input.employeeId, input.throttleDays, input.budgetDays],
      );
    return row.verdict;
  }

  /** ticketSurveyAllowed for many at once (one statement), in the order given. */
  async ticketSurveysAllowed(
    inputs: { surveyId: string; teamId: string; employeeId: string; throttleDays: number }[],
    budgetDays: number,
  ): Promise<('yes' | 'already-invited' | 'throttled' | 'fatigue-budget')[]> {
    if (inputs.length === 0) return [];
    const rows: {
      n: number;
      verdict: 'yes' | 'already-invited' | 'throttled' | 'fatigue-budget';
    }[] = await this.dataSource.query(
      `SELECT w.n, CASE
           WHEN w.throttle > 0 AND EXISTS (
             SELECT 1 FROM invitation i JOIN survey s ON s.id = i.survey_id AND s.source = 'ticket' AND s.team_id = w.team
              WHERE i.employee_id = w.employee AND i.created_at > now() - make_interval(days => w.throttle)) THEN 'throttled'
           WHEN EXISTS (SELECT 1 FROM invitation WHERE survey_id = w.survey AND employee_id = w.employee) THEN 'already-invited'
           WHEN NOT ${fatigueAllows('w.employee', '$5')} THEN 'fatigue-budget'
           ELSE 'yes' END AS verdict
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[]) WITH ORDINALITY
                AS w(survey, team, employee, throttle, n)
          ORDER BY w.n`,
      [
        inputs.map((i) => i.surveyId),
        inputs.map((i) => i.teamId),
        inputs.map((i) => i.employeeId),
        inputs.map((i) => i.throttleDays),
        budgetDays,
      ],
    );
    return rows.map((r) => r.verdict);
  }
}
