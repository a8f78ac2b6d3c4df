import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { type AudienceFilter, audiencePredicate, tenureBandSql } from '../directory/audience';

export interface SurveyLink {
  invitationId: string;
  surveyId: string;
  surveyName: string;
  questionnaireId: string;
  teamId: string | null;
  teamName: string;
  reportingThreshold: number;
  expiresAt: Date;
  answeredOn: string | null;
  locale: string;
  department: string | null;
  location: string | null;
  tenureBand: string | null;
  /** 'team' (one team: teamId), 'teams' (ratedTeams, one block each) or 'own_team'. */
  subject: 'team' | 'teams' | 'own_team';
  ratedTeams: { id: string; name: string }[] | null;
  /** The questions asked (rotation); null: all. */
  questionIds: string[] | null;
  asksEnps: boolean;
  ownTeamId: string | null;
  ownTeamName: string | null;
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

const TENURE_BAND_SQL = tenureBandSql();

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
   * Job wave.open's insert: one invitation per person of the audience, in one INSERT … SELECT
   * (nothing of the audience passes through the app), with the segments of the moment the wave
   * opens, the person's own team, whether the eNPS question is asked (not if they were asked it
   * in the three months before), and the first instant their mail may go (`sendAfter`: instants
   * by time zone, null standing for the organisation's). Returns how many were created.
   */
  async insertForWave(
    input: {
      surveyId: string;
      opensAt: Date;
      expiresAt: Date;
      audience: AudienceFilter;
      asksEnps: boolean;
      sendAfter: Record<string, string>;
      organisationTimeZone: string;
    },
    manager: EntityManager,
  ): Promise<number> {
    const where = audiencePredicate(input.audience, 7);
    const [row]: { n: number }[] = await manager.query(
      `WITH created AS (
         INSERT INTO invitation (survey_id, employee_id, department, location, tenure_band, team_id,
                                 asks_enps, send_after, expires_at)
         SELECT $1, e.id, e.department, e.location, ${tenureBandSql('$2::date')}, e.team_id,
                $3::boolean AND NOT EXISTS (
                  SELECT 1 FROM invitation p
                   WHERE p.employee_id = e.id AND p.asks_enps AND p.created_at > $2::timestamptz - interval '3 months'),
                (($4::jsonb) ->> coalesce(e.time_zone, $5))::timestamptz,
                $6
           FROM employee e
          WHERE ${where.sql}
         ON CONFLICT (survey_id, employee_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM created`,
      [
        input.surveyId,
        input.opensAt,
        input.asksEnps,
        JSON.stringify(input.sendAfter),
        input.organisationTimeZone,
        input.expiresAt,
        ...where.values,
      ],
    );
    return row.n;
  }

  /**
   * A page of a survey's invitations whose mail has not gone, by (send_after, id) after `after`:
   * the delivery jobs are queued page by page, so a wave of any size is never held in memory.
   */
  async unsentPage(
    surveyId: string,
    after: { sendAfter: string; id: string } | undefined,
    limit: number,
  ): Promise<{ id: string; sendAfter: string }[]> {
    return this.dataSource.query(
      `SELECT id, coalesce(send_after, '-infinity')::text AS "sendAfter" FROM invitation
        WHERE survey_id = $1 AND sent_at IS NULL
          AND ($2::text IS NULL OR (coalesce(send_after, '-infinity'), id) > ($2::timestamptz, $3::uuid))
        ORDER BY coalesce(send_after, '-infinity'), id LIMIT $4`,
      [surveyId, after?.sendAfter ?? null, after?.id ?? null, limit],
    );
  }

  /** Invitations among `ids` whose mail has not gone yet and that can still be answered. */
  toDeliver(ids: string[]): Promise<InvitationToDeliver[]> {
    return this.dataSource.query(
      `SELECT i.id, e.email, e.name, e.locale, s.name AS "surveyName", coalesce(t.name, s.name) AS "teamName",
              s.reporting_threshold AS "reportingThreshold", i.expires_at AS "expiresAt"
         FROM invitation i
         JOIN employee e ON e.id = i.employee_id
         JOIN survey s ON s.id = i.survey_id
         LEFT JOIN service_team t ON t.id = coalesce(s.team_id, i.team_id)
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
      `SELECT i.id AS "invitationId", s.id AS "surveyId", s.name AS "surveyName",
              s.questionnaire_id AS "questionnaireId", s.team_id AS "teamId", coalesce(t.name, s.name) AS "teamName",
              s.reporting_threshold AS "reportingThreshold", least(i.expires_at, s.closes_at) AS "expiresAt",
              to_char(i.answered_on, 'YYYY-MM-DD') AS "answeredOn", e.locale,
              i.department, i.location, i.tenure_band AS "tenureBand",
              s.subject, s.question_ids AS "questionIds", i.asks_enps AS "asksEnps",
              i.team_id AS "ownTeamId", o.name AS "ownTeamName",
              CASE WHEN s.rated_team_ids IS NOT NULL THEN
                (SELECT jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name)
                                  ORDER BY array_position(s.rated_team_ids, r.id))
                   FROM service_team r WHERE r.id = ANY(s.rated_team_ids)) END AS "ratedTeams"
         FROM invitation i
         JOIN survey s ON s.id = i.survey_id
         LEFT JOIN service_team t ON t.id = s.team_id
         LEFT JOIN service_team o ON o.id = i.team_id
         JOIN employee e ON e.id = i.employee_id
        WHERE i.token_hash = $1 AND e.active`,
      [tokenHash],
    );
    return rows[0];
  }
}
