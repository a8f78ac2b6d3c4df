import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface HistoricSurvey {
  key: string;
  name: string;
  teamId: string;
  questionnaireId: string;
  closesAt: string;
  reportingThreshold: number;
  /** A team's monthly survey after tickets: its month (YYYY-MM). */
  ticketPeriod?: string;
}

export interface HistoricInvitation {
  survey: string;
  employee_id: string;
  answered: boolean;
  sent_at: string;
  department: string | null;
  location: string | null;
  tenure_band: string | null;
}

export interface HistoricTicket {
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

export interface HistoricFollowUp {
  team_id: string;
  employee_name: string;
  employee_email: string;
  message: string | null;
  requested_on: string;
}

/** A past wave of a campaign: its invitations (its answers are released by the caller). */
export interface HistoricWave {
  number: number;
  opensAt: string;
  closesAt: string;
  invitations: Omit<HistoricInvitation, 'survey' | 'sent_at'>[];
}

/** Writes made-up history for the demo, set-based, in one transaction. */
/** The instance_secret row naming the demo's live survey. */
const DEMO_LIVE_SURVEY = 'demo_live_survey';

@Injectable()
export class DemoRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Past surveys and their invitations; returns the surveys' ids by key. */
  async insertHistory(
    surveys: HistoricSurvey[],
    invitations: HistoricInvitation[],
  ): Promise<Record<string, string>> {
    return this.dataSource.transaction(async (manager) => {
      const ids: { key: string; id: string }[] = await manager.query(
        `WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
            AS s(key text, name text, "teamId" uuid, "questionnaireId" uuid, "closesAt" timestamptz,
                 "reportingThreshold" int, "ticketPeriod" text)),
         inserted AS (
           INSERT INTO survey (name, source, questionnaire_id, team_id, reporting_threshold, comment_threshold,
                               released, closes_at, created_at)
           SELECT name, CASE WHEN "ticketPeriod" IS NULL THEN 'pulse' ELSE 'ticket' END, "questionnaireId",
                  "teamId", "reportingThreshold", greatest(5, "reportingThreshold"), "ticketPeriod" IS NULL,
                  "closesAt", "closesAt" - interval '14 days'
             FROM input ORDER BY key
           RETURNING id, name, team_id, closes_at)
         SELECT i.key, s.id, i."teamId" AS team_id, i."ticketPeriod" AS period FROM inserted s
           JOIN input i ON i.name = s.name AND i."teamId" = s.team_id AND i."closesAt" = s.closes_at`,
        [JSON.stringify(surveys)],
      );
      const surveyIds = Object.fromEntries(ids.map((r) => [r.key, r.id]));
      await manager.query(
        `INSERT INTO ticket_survey (team_id, period, survey_id)
         SELECT team_id, period, id FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, team_id uuid, period text)
          WHERE period IS NOT NULL`,
        [JSON.stringify(ids)],
      );
      await manager.query(
        `INSERT INTO invitation (survey_id, employee_id, answered, sent_at, created_at, expires_at, department, location, tenure_band)
         SELECT (($2::jsonb) ->> i.survey)::uuid, i.employee_id, i.answered, i.sent_at, i.sent_at, i.sent_at + interval '14 days',
                i.department, i.location, i.tenure_band
           FROM jsonb_to_recordset($1::jsonb) AS i(survey text, employee_id uuid, answered boolean, sent_at timestamptz,
                department text, location text, tenure_band text)`,
        [JSON.stringify(invitations), JSON.stringify(surveyIds)],
      );
      return surveyIds;
    });
  }

  /** Made-up tickets (rows of ticket_event) and follow-ups, set-based. */
  async insertTickets(tickets: HistoricTicket[], followUps: HistoricFollowUp[]) {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
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
      await manager.query(
        `INSERT INTO follow_up (team_id, employee_name, employee_email, message, requested_on)
         SELECT team_id, employee_name, employee_email, message, requested_on
           FROM jsonb_to_recordset($1::jsonb) AS f(team_id uuid, employee_name text, employee_email text,
                message text, requested_on date)`,
        [JSON.stringify(followUps)],
      );
    });
  }

  /** Past, closed waves of a campaign: wave, survey and invitations; the surveys' ids by wave. */
  async insertWaveHistory(
    campaign: {
      id: string;
      name: string;
      questionnaireId: string;
      subject: string;
      teamIds: string[];
      reportingThreshold: number;
    },
    waves: HistoricWave[],
  ): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const surveyIds: string[] = [];
      for (const wave of waves) {
        const [survey] = await manager.query(
          `INSERT INTO survey (name, questionnaire_id, team_id, subject, rated_team_ids, reporting_threshold,
                               comment_threshold, released, closes_at, created_at)
           VALUES ($1, $2, NULL, $3, $4, $5::int, greatest(5, $5::int), true, $6, $7) RETURNING id`,
          [
            campaign.name,
            campaign.questionnaireId,
            campaign.subject,
            campaign.subject === 'teams' ? campaign.teamIds : null,
            campaign.reportingThreshold,
            wave.closesAt,
            wave.opensAt,
          ],
        );
        await manager.query(
          `INSERT INTO wave (campaign_id, number, opens_at, closes_at, status, survey_id, invited, reminders_sent, opened_at, closed_at)
           VALUES ($1, $2, $3, $4, 'closed', $5, $6, 2, $3, $4)`,
          [
            campaign.id,
            wave.number,
            wave.opensAt,
            wave.closesAt,
            survey.id,
            wave.invitations.length,
          ],
        );
        await manager.query(
          `INSERT INTO invitation (survey_id, employee_id, answered, sent_at, expires_at, department, location, tenure_band, created_at)
           SELECT $2, i.employee_id, i.answered, $3, $4, i.department, i.location, i.tenure_band, $3
             FROM jsonb_to_recordset($1::jsonb) AS i(employee_id uuid, answered boolean, department text, location text, tenure_band text)`,
          [JSON.stringify(wave.invitations), survey.id, wave.opensAt, wave.closesAt],
        );
        surveyIds.push(survey.id);
      }
      return surveyIds;
    });
  }

  /** The newest pulse survey still open, if any. */
  /**
   * The demo's own live survey (the one its banner prints links of), if the demo seeded this
   * database: `opened` says whether it can still be answered. Undefined when the demo never
   * opened one here — a database that holds real surveys, never touched by the banner.
   */
  async demoLiveSurvey(): Promise<{ id: string; open: boolean } | undefined> {
    const rows: { id: string; open: boolean }[] = await this.dataSource.query(
      `SELECT s.id, coalesce(s.closes_at > now(), false) AS open
         FROM instance_secret x LEFT JOIN survey s ON s.id::text = x.value
        WHERE x.name = $1`,
      [DEMO_LIVE_SURVEY],
    );
    if (rows.length === 0) return undefined;
    return { id: rows[0].id, open: rows[0].open };
  }

  async rememberDemoLiveSurvey(surveyId: string): Promise<void> {
    await this.storeSecret(DEMO_LIVE_SURVEY, surveyId);
  }

  /** A demo secret, stored with `fallback` the first time. */
  async secret(name: string, fallback: string): Promise<string> {
    const rows: { value: string }[] = await this.dataSource.query(
      `INSERT INTO instance_secret (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value`,
      [name, fallback],
    );
    return rows[0].value;
  }

  async storeSecret(name: string, value: string): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO instance_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value',
      [name, value],
    );
  }

  async userExists(email: string): Promise<boolean> {
    const rows = await this.dataSource.query('SELECT 1 FROM app_user WHERE email = $1', [email]);
    return rows.length > 0;
  }

  async setPassword(userId: string, hash: string): Promise<void> {
    await this.dataSource.query('UPDATE app_user SET password_hash = $2 WHERE id = $1', [
      userId,
      hash,
    ]);
  }
}
