import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';

export interface SurveyLink {
  invitationId: string;
  surveyId: string;
  /** 'ticket' for a survey after a ticket (its page offers "you may contact me"). */
  source: 'pulse' | 'ticket';
  surveyName: string;
  questionnaireId: string;
  teamId: string;
  teamName: string;
  reportingThreshold: number;
  expiresAt: Date;
  answeredOn: string | null;
  locale: string;
  department: string | null;
  location: string | null;
  tenureBand: string | null;
}

export interface InvitationToDeliver {
  id: string;
  email: string;
  name: string;
  locale: string;
  surveyName: string;
  teamName: string;
  reportingThreshold: number;
  expiresAt: Date;
}

/** Tenure band of a hire date as of today: coarse on purpose. */
const TENURE_BAND_SQL = `CASE
  WHEN e.hire_date IS NULL THEN NULL
  WHEN e.hire_date > current_date - interval '1 year' THEN '<1y'
  WHEN e.hire_date > current_date - interval '2 years' THEN '1-2y'
  WHEN e.hire_date > current_date - interval '5 years' THEN '2-5y'
  ELSE '5y+' END`;

@Injectable()
export class InvitationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Creates one invitation per active employee named, in one set-based insert; those already
   * invited keep their invitation. Segment attributes are copied as they are now.
   */
  async insertForSurvey(
    survey: { id: string; closesAt: Date },
    who: { employeeIds: string[]; emails: string[] },
  ): Promise<{
    created: string[];
    matched: number;
    unknownEmails: string[];
    unknownEmployeeIds: string[];
  }> {
    const [result]: {
      created: string[] | null;
      matched: number;
      unknown_emails: string[] | null;
      unknown_ids: string[] | null;
    }[] = await this.dataSource.query(
      `WITH wanted AS (
         SELECT e.* FROM employee e
          WHERE e.active AND (e.id = ANY($2::uuid[]) OR e.email = ANY($3::text[]))),
       inserted AS (
         INSERT INTO invitation (survey_id, employee_id, department, location, tenure_band, expires_at)
         SELECT $1, e.id, e.department, e.location, ${TENURE_BAND_SQL}, $4 FROM wanted e
         ON CONFLICT (survey_id, employee_id) DO NOTHING
         RETURNING id)
       SELECT (SELECT array_agg(id) FROM inserted) AS created,
              (SELECT count(*)::int FROM wanted) AS matched,
              (SELECT array_agg(x) FROM unnest($3::text[]) x WHERE x NOT IN (SELECT email FROM wanted)) AS unknown_emails,
              (SELECT array_agg(x) FROM unnest($2::uuid[]) x WHERE x NOT IN (SELECT id FROM wanted)) AS unknown_ids`,
      [survey.id, who.employeeIds, who.emails, survey.closesAt],
    );
    return {
      created: result.created ?? [],
      matched: result.matched,
      unknownEmails: result.unknown_emails ?? [],
      unknownEmployeeIds: result.unknown_ids ?? [],
    };
  }

  /**
   * The invitation of one person to a ticket survey, with the coarse ticket attributes its answer
   * will carry, written through `manager` (the caller's transaction). Segments are copied as for
   * any invitation. Undefined when the person already has one on this survey.
   */
  async insertTicketInvitation(
    manager: EntityManager,
    input: {
      surveyId: string;
      employeeId: string;
      expiresAt: Date;
      category: string | null;
      priority: string | null;
      channel: string | null;
      resolutionBand: string | null;
    },
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO invitation (survey_id, employee_id, department, location, tenure_band, expires_at,
                               category, priority, channel, resolution_band)
       SELECT $1, e.id, e.department, e.location, ${TENURE_BAND_SQL}, $3, $4, $5, $6, $7
         FROM employee e WHERE e.id = $2 AND e.active
       ON CONFLICT (survey_id, employee_id) DO NOTHING
       RETURNING id`,
      [
        input.surveyId,
        input.employeeId,
        input.expiresAt,
        input.category,
        input.priority,
        input.channel,
        input.resolutionBand,
      ],
    );
    return rows[0]?.id;
  }

  /** Invitations among `ids` whose mail has not gone yet and that can still be answered. */
  toDeliver(ids: string[]): Promise<InvitationToDeliver[]> {
    return this.dataSource.query(
      `SELECT i.id, e.email, e.name, e.locale, s.name AS "surveyName", t.name AS "teamName",
              s.reporting_threshold AS "reportingThreshold", i.expires_at AS "expiresAt"
         FROM invitation i
         JOIN employee e ON e.id = i.employee_id
         JOIN survey s ON s.id = i.survey_id
         JOIN service_team t ON t.id = s.team_id
        WHERE i.id = ANY($1::uuid[]) AND i.sent_at IS NULL AND i.answered_on IS NULL
          AND e.active AND i.expires_at > now()
        ORDER BY i.id`,
      [ids],
    );
  }

  async setTokenHash(id: string, tokenHash: Buffer): Promise<void> {
    await this.dataSource.query(
      'UPDATE invitation SET token_hash = $2 WHERE id = $1 AND sent_at IS NULL',
      [id, tokenHash],
    );
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query('UPDATE invitation SET sent_at = now() WHERE id = $1', [id]);
  }

  async findByTokenHash(tokenHash: Buffer): Promise<SurveyLink | undefined> {
    const rows = await preparedQuery<SurveyLink>(
      this.dataSource,
      'invitations_find_by_token_hash',
      `SELECT i.id AS "invitationId", s.id AS "surveyId", s.source, s.name AS "surveyName",
              s.questionnaire_id AS "questionnaireId", s.team_id AS "teamId", t.name AS "teamName",
              s.reporting_threshold AS "reportingThreshold", least(i.expires_at, s.closes_at) AS "expiresAt",
              to_char(i.answered_on, 'YYYY-MM-DD') AS "answeredOn", e.locale,
              i.department, i.location, i.tenure_band AS "tenureBand"
         FROM invitation i
         JOIN survey s ON s.id = i.survey_id
         JOIN service_team t ON t.id = s.team_id
         JOIN employee e ON e.id = i.employee_id
        WHERE i.token_hash = $1 AND e.active`,
      [tokenHash],
    );
    return rows[0];
  }
}
