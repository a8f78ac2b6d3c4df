import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReadDatabase } from '../../database/read-database';
import { RESOLUTION_SQL, SERVICE_STANDARDS_SQL } from './service-standards.sql';

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

/**
 * What HR and leads read of tickets: an integration's recent tickets and problems (on the
 * primary: HR's page after a retry shows it), and service standards (report figures: from the
 * replica while it keeps up, ReadDatabase).
 */
@Injectable()
export class TicketReportsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly read: ReadDatabase,
  ) {}

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
    const [row] = await this.read.prepared<
      Record<'opened' | 'responded' | 'resolved', number> &
        Record<
          | 'firstResponseMedianMinutes'
          | 'firstResponseP90Minutes'
          | 'handlingMedianMinutes'
          | 'handlingP90Minutes',
          string | number | null
        >
    >('report_serviceStandards', SERVICE_STANDARDS_SQL.serviceStandards, [teamIds, from, to]);
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
    return this.read.prepared(
      'report_volumeByWeekdayHour',
      SERVICE_STANDARDS_SQL.volumeByWeekdayHour,
      [teamIds, from, to, timeZone],
    );
  }
}
