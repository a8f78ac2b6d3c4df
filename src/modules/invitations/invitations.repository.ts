import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { type AudienceFilter, audiencePredicate, tenureBandSql } from '../directory/audience';
import { fatigueAllows } from '../fatigue/fatigue.sql';

/** A link still open for its person ("my surveys"). */
export interface OpenLink {
  invitationId: string;
  surveyName: string;
  surveyTitles: Record<string, string> | null;
  teamName: string;
  closesAt: Date;
}

export interface SurveyLink {
  invitationId: string;
  surveyId: string;
  /** 'ticket' for a survey after a ticket (its page offers "you may contact me"), 'review' for a review. */
  source: 'pulse' | 'ticket' | 'review';
  surveyName: string;
  /** A campaign wave's title per language; null for other surveys. */
  surveyTitles: Record<string, string> | null;
  questionnaireId: string;
  teamId: string | null;
  teamName: string;
  reportingThreshold: number;
  expiresAt: Date;
  /** Released with its survey's answers (an answer still waiting is known by its claim key). */
  answered: boolean;
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

/** What an invitation or reminder mail needs, once its fresh token's hash is stored. */
export interface IssuedLink {
  invitationId: string;
  /** Why no mail should go any more; null when the link was issued. */
  problem: string | null;
  name: string;
  surveyName: string;
  surveyTitles: Record<string, string> | null;
  teamName: string;
  /** The teams the survey rates (its team, each block's, or the invitee's own): "you said, we did". */
  ratedTeamIds: string[];
  reportingThreshold: number;
  expiresAt: Date;
}

/** Tenure band of a hire date as of today: coarse on purpose. */
export const TENURE_BAND_SQL = `CASE
  WHEN e.hire_date IS NULL THEN NULL
  WHEN e.hire_date > current_date - interval '1 year' THEN '<1y'
  WHEN e.hire_date > current_date - interval '2 years' THEN '1-2y'
  WHEN e.hire_date > current_date - interval '5 years' THEN '2-5y'
  ELSE '5y+' END`;

/**
 * An invitation of a past survey (the demo's history): whom it went to, when, whether they
 * answered (their answers are released apart, without a link to it), and the segment values.
 */
export interface PastInvitation {
  survey_id: string;
  employee_id: string;
  answered: boolean;
  sent_at: string;
  expires_at: string;
  department: string | null;
  location: string | null;
  tenure_band: string | null;
}

@Injectable()
export class InvitationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Invitations of past surveys, in one set-based insert, in the order given. */
  async insertPastInvitations(invitations: PastInvitation[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO invitation (survey_id, employee_id, answered, sent_at, created_at, expires_at,
                               department, location, tenure_band)
       SELECT i.survey_id, i.employee_id, i.answered, i.sent_at, i.sent_at, i.expires_at,
              i.department, i.location, i.tenure_band
         FROM jsonb_to_recordset($1::jsonb) AS i(survey_id uuid, employee_id uuid, answered boolean,
              sent_at timestamptz, expires_at timestamptz, department text, location text,
              tenure_band text)`,
      [JSON.stringify(invitations)],
    );
  }

  /**
   * Creates one invitation per active employee named, in one set-based insert; those already
   * invited keep their invitation. Segment attributes are copied as they are now. With a
   * fatigue budget (`budgetDays` > 0), people invited to anything within that many days are
   * left out and counted in `skippedByBudget`.
   */
  async insertForSurvey(
    manager: EntityManager,
    survey: { id: string; closesAt: Date },
    who: { employeeIds: string[]; emails: string[] },
    budgetDays: number,
  ): Promise<{
    created: number;
    matched: number;
    skippedByBudget: number;
    unknownEmails: string[];
    unknownEmployeeIds: string[];
  }> {
    const [result]: {
      created: number;
      matched: number;
      skipped: number;
      unknown_emails: string[] | null;
      unknown_ids: string[] | null;
    }[] = await manager.query(
      `WITH wanted AS (
         SELECT e.* FROM employee e
          WHERE e.active AND (e.id = ANY($2::uuid[]) OR e.email = ANY($3::text[]))),
       candidates AS (
         SELECT w.* FROM wanted w
          WHERE NOT EXISTS (SELECT 1 FROM invitation x WHERE x.survey_id = $1 AND x.employee_id = w.id)),
       allowed AS (
         SELECT c.* FROM candidates c WHERE ${fatigueAllows('c.id', '$5')}),
       inserted AS (
         INSERT INTO invitation (survey_id, employee_id, department, location, tenure_band, expires_at)
         SELECT $1, e.id, e.department, e.location, ${TENURE_BAND_SQL}, $4 FROM allowed e
         ON CONFLICT (survey_id, employee_id) DO NOTHING
         RETURNING id)
       SELECT (SELECT count(*)::int FROM inserted) AS created,
              (SELECT count(*)::int FROM wanted) AS matched,
              (SELECT count(*)::int FROM candidates) - (SELECT count(*)::int FROM allowed) AS skipped,
              (SELECT array_agg(x) FROM unnest($3::text[]) x WHERE x NOT IN (SELECT email FROM wanted)) AS unknown_emails,
              (SELECT array_agg(x) FROM unnest($2::uuid[]) x WHERE x NOT IN (SELECT id FROM wanted)) AS unknown_ids`,
      [survey.id, who.employeeIds, who.emails, survey.closesAt, budgetDays],
    );
    return {
      created: result.created,
      matched: result.matched,
      skippedByBudget: result.skipped,
      unknownEmails: result.unknown_emails ?? [],
      unknownEmployeeIds: result.unknown_ids ?? [],
    };
  }

  /**
   * A person's invitation to a survey (a review survey of the month), with whether it was
   * released as answered and whether its invitation mail went; undefined when there is none.
   */
  async findOfPerson(
    surveyId: string,
    employeeId: string,
    manager?: EntityManager,
  ): Promise<{ id: string; answered: boolean; sent: boolean } | undefined> {
    const rows: { id: string; answered: boolean; sent: boolean }[] = await (
      manager ?? this.dataSource
    ).query(
      `SELECT id, answered, sent_at IS NOT NULL AS sent FROM invitation
        WHERE survey_id = $1 AND employee_id = $2`,
      [surveyId, employeeId],
    );
    return rows[0];
  }

  /**
   * A person's links still open ("my surveys"): invitations whose mail went, not released as
   * answered, not withdrawn, before their expiry and their survey's close — soonest first. An
   * answer waiting for its release is not known here (only the answer path's claim key knows
   * it, and "my surveys" never asks), so such a link is listed too.
   */
  openOfPerson(employeeId: string): Promise<OpenLink[]> {
    return this.dataSource.query(
      `SELECT i.id AS "invitationId", s.name AS "surveyName", s.titles AS "surveyTitles",
              coalesce(t.name, s.name) AS "teamName", least(i.expires_at, s.closes_at) AS "closesAt"
         FROM invitation i
         JOIN survey s ON s.id = i.survey_id
         LEFT JOIN service_team t ON t.id = coalesce(s.team_id, i.team_id)
        WHERE i.employee_id = $1 AND NOT i.answered AND i.cancelled_at IS NULL
          AND i.sent_at IS NOT NULL AND least(i.expires_at, s.closes_at) > now()
        ORDER BY least(i.expires_at, s.closes_at), s.name, i.id`,
      [employeeId],
    );
  }

  /**
   * One invitation the person asked for (a review): no segments (reviews release none), not
   * under the fatigue budget (nobody is asked: the person asked). Answers its id, or undefined
   * when it existed already.
   */
  async insertRequested(
    manager: EntityManager,
    wanted: { surveyId: string; employeeId: string; expiresAt: Date },
  ): Promise<string | undefined> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO invitation (survey_id, employee_id, expires_at)
       SELECT $1, e.id, $3 FROM employee e WHERE e.id = $2 AND e.active
       ON CONFLICT (survey_id, employee_id) DO NOTHING
       RETURNING id`,
      [wanted.surveyId, wanted.employeeId, wanted.expiresAt],
    );
    return rows[0]?.id;
  }

  async countForSurvey(manager: EntityManager, surveyId: string): Promise<number> {
    const [row]: { n: number }[] = await manager.query(
      'SELECT count(*)::int AS n FROM invitation WHERE survey_id = $1',
      [surveyId],
    );
    return row.n;
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
    budgetDays: number,
    manager: EntityManager,
  ): Promise<{ created: number; skippedByBudget: number }> {
    const where = audiencePredicate(input.audience, 8);
    const [row]: { created: number; skipped: number }[] = await manager.query(
      `WITH candidates AS (
         SELECT e.id, e.department, e.location, e.hire_date, e.team_id, e.time_zone
           FROM employee e WHERE ${where.sql}),
       allowed AS (
         SELECT c.* FROM candidates c WHERE ${fatigueAllows('c.id', '$7')}),
       created AS (
         INSERT INTO invitation (survey_id, employee_id, department, location, tenure_band, team_id,
                                 asks_enps, send_after, expires_at)
         SELECT $1, e.id, e.department, e.location, ${tenureBandSql('$2::date')}, e.team_id,
                $3::boolean AND NOT EXISTS (
                  SELECT 1 FROM invitation p
                   WHERE p.employee_id = e.id AND p.asks_enps AND p.created_at > $2::timestamptz - interval '3 months'),
                (($4::jsonb) ->> coalesce(e.time_zone, $5))::timestamptz,
                $6
           FROM allowed e
         ON CONFLICT (survey_id, employee_id) DO NOTHING
         RETURNING 1)
       SELECT (SELECT count(*) FROM created)::int AS created,
              (SELECT count(*) FROM candidates)::int - (SELECT count(*) FROM allowed)::int AS skipped`,
      [
        input.surveyId,
        input.opensAt,
        input.asksEnps,
        JSON.stringify(input.sendAfter),
        input.organisationTimeZone,
        input.expiresAt,
        budgetDays,
        ...where.values,
      ],
    );
    return { created: row.created, skippedByBudget: row.skipped };
  }

  /**
   * Issues links, in one statement: stores the hash of each invitation's new token (replacing
   * any earlier one, whose link then stops working) when its mail may still go. Each invitation
   * comes back with what its mail needs, or with why it must not go: answered, cancelled, the
   * person inactive, expired, its invitation mail already sent (sequence 0), or not sent yet
   * (a reminder).
   */
  issueLinks(
    links: { invitationId: string; tokenHash: Buffer; sequence: number }[],
  ): Promise<IssuedLink[]> {
    return this.dataSource.query(
      `WITH wanted AS (
         SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::int[]) AS w(id, hash, seq)),
       info AS (
         SELECT w.id, w.hash, w.seq, e.name, s.name AS survey_name, s.titles AS survey_titles, coalesce(t.name, s.name) AS team_name,
                coalesce(s.rated_team_ids, array_remove(ARRAY[coalesce(s.team_id, i.team_id)], NULL)) AS rated_team_ids,
                s.reporting_threshold, least(i.expires_at, s.closes_at) AS expires_at,
                CASE WHEN i.answered THEN 'answered'
                     WHEN i.cancelled_at IS NOT NULL THEN 'cancelled'
                     WHEN NOT e.active THEN 'the person is inactive'
                     WHEN least(i.expires_at, s.closes_at) <= now() THEN 'expired'
                     WHEN w.seq = 0 AND i.sent_at IS NOT NULL THEN 'the invitation was sent already'
                     WHEN w.seq > 0 AND i.sent_at IS NULL THEN 'the invitation has not been sent' END AS problem
           FROM wanted w
           JOIN invitation i ON i.id = w.id
           JOIN employee e ON e.id = i.employee_id
           JOIN survey s ON s.id = i.survey_id
           LEFT JOIN service_team t ON t.id = coalesce(s.team_id, i.team_id)),
       issued AS (
         UPDATE invitation i SET token_hash = info.hash
           FROM info
          WHERE i.id = info.id AND info.problem IS NULL
            AND NOT i.answered AND i.cancelled_at IS NULL AND i.expires_at > now()
            AND (info.seq > 0 OR i.sent_at IS NULL)
         RETURNING i.id)
       SELECT info.id AS "invitationId",
              CASE WHEN info.problem IS NULL AND issued.id IS NULL THEN 'changed while being sent'
                   ELSE info.problem END AS problem,
              info.name, info.survey_name AS "surveyName", info.survey_titles AS "surveyTitles",
              info.team_name AS "teamName", info.rated_team_ids AS "ratedTeamIds",
              info.reporting_threshold AS "reportingThreshold", info.expires_at AS "expiresAt"
         FROM info LEFT JOIN issued ON issued.id = info.id`,
      [
        links.map((l) => l.invitationId),
        links.map((l) => l.tokenHash),
        links.map((l) => l.sequence),
      ],
    );
  }

  async markSent(manager: EntityManager, invitationId: string): Promise<void> {
    await manager.query('UPDATE invitation SET sent_at = coalesce(sent_at, now()) WHERE id = $1', [
      invitationId,
    ]);
  }

  /**
   * Withdraws the open links of these employees: their unanswered invitations that could still
   * be answered are cancelled and expire now (the link answers 410). Returns their ids.
   */
  async cancelOpenOf(manager: EntityManager, employeeIds: string[]): Promise<string[]> {
    if (employeeIds.length === 0) return [];
    const result: unknown = await manager.query(
      `UPDATE invitation SET cancelled_at = now(), expires_at = least(expires_at, now())
        WHERE employee_id = ANY($1::uuid[]) AND NOT answered AND cancelled_at IS NULL
          AND expires_at > now()
       RETURNING id`,
      [employeeIds],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, count]
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }

  async findByTokenHash(tokenHash: Buffer): Promise<SurveyLink | undefined> {
    const rows = await preparedQuery<SurveyLink>(
      this.dataSource,
      'invitations_find_by_token_hash',
      `SELECT i.id AS "invitationId", s.id AS "surveyId", s.source, s.name AS "surveyName",
              s.titles AS "surveyTitles", s.questionnaire_id AS "questionnaireId", s.team_id AS "teamId", coalesce(t.name, s.name) AS "teamName",
              s.reporting_threshold AS "reportingThreshold",
              CASE WHEN e.active THEN least(i.expires_at, s.closes_at)
                   ELSE least(i.expires_at, s.closes_at, now()) END AS "expiresAt",
              i.answered, e.locale,
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
        WHERE i.token_hash = $1`,
      [tokenHash],
    );
    return rows[0];
  }

  /**
   * Gives fresh tokens to unanswered invitations of `surveyId`, one per wanted locale where it
   * can, and marks them sent so that the mail job leaves them alone.
   */
  async reissueTokens(
    surveyId: string,
    locales: string[],
    tokenHashes: Buffer[],
  ): Promise<{ locale: string }[]> {
    const rows: { locale: string }[] = await this.dataSource.query(
      `WITH candidates AS (
         SELECT DISTINCT ON (e.locale) i.id, e.locale
           FROM invitation i JOIN employee e ON e.id = i.employee_id
          WHERE i.survey_id = $1 AND NOT i.answered AND e.active AND e.locale = ANY($2::text[])
          ORDER BY e.locale, i.id),
       numbered AS (
         SELECT c.*, row_number() OVER (ORDER BY array_position($2::text[], c.locale)) AS n FROM candidates c),
       updated AS (
         UPDATE invitation i SET token_hash = ($3::bytea[])[n.n], sent_at = now()
           FROM numbered n WHERE i.id = n.id AND n.n <= array_length($3::bytea[], 1)
         RETURNING n.locale, n.n)
       SELECT locale FROM updated ORDER BY n`,
      [surveyId, locales, tokenHashes],
    );
    return rows;
  }
}
