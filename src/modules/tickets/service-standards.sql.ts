/**
 * Service standards of tickets (operational figures, not anyone's answers), in one file with no
 * imports so that the reports benchmark runs exactly these statements in its raw baseline.
 */

/**
 * The ticket's resolution as things stand (see ticket-rules.resolutionOf), in SQL: its
 * resolution or its closing, whichever came after the last reopening.
 */
export const RESOLUTION_SQL = `CASE
  WHEN t.resolved_at > coalesce(t.last_reopened_at, '-infinity') THEN t.resolved_at
  WHEN t.closed_at > coalesce(t.last_reopened_at, '-infinity') THEN t.closed_at END`;

export const SERVICE_STANDARDS_SQL = {
  /**
   * Of these teams' tickets: first response of those opened in [$2, $3), handling time
   * (resolution − opening) of those resolved in it — how many, median and p90, in minutes.
   */
  serviceStandards: `WITH opened AS (
         SELECT extract(epoch FROM first_response_at - ticket_created_at) / 60 AS minutes
           FROM ticket_event
          WHERE team_id = ANY($1::uuid[]) AND ticket_created_at >= $2 AND ticket_created_at < $3),
       resolved AS (
         SELECT extract(epoch FROM r.resolution - t.ticket_created_at) / 60 AS minutes
           FROM ticket_event t CROSS JOIN LATERAL (SELECT ${RESOLUTION_SQL} AS resolution) r
          WHERE t.team_id = ANY($1::uuid[]) AND r.resolution >= $2 AND r.resolution < $3
            AND t.ticket_created_at <= r.resolution
            -- The resolution is one of these two times: lets the team's indexes find the rows.
            AND ((t.resolved_at >= $2 AND t.resolved_at < $3) OR (t.closed_at >= $2 AND t.closed_at < $3)))
       SELECT (SELECT count(*)::int FROM opened) AS opened,
              (SELECT count(*)::int FROM opened WHERE minutes >= 0) AS responded,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FROM opened WHERE minutes >= 0)
                AS "firstResponseMedianMinutes",
              (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) FROM opened WHERE minutes >= 0)
                AS "firstResponseP90Minutes",
              (SELECT count(*)::int FROM resolved) AS resolved,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) FROM resolved) AS "handlingMedianMinutes",
              (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) FROM resolved) AS "handlingP90Minutes"`,
  /** Tickets opened in [$2, $3) per ISO weekday (1 = Monday) and hour, in time zone $4. */
  volumeByWeekdayHour: `SELECT extract(isodow FROM ticket_created_at AT TIME ZONE $4)::int AS weekday,
              extract(hour FROM ticket_created_at AT TIME ZONE $4)::int AS hour,
              count(*)::int AS tickets
         FROM ticket_event
        WHERE team_id = ANY($1::uuid[]) AND ticket_created_at >= $2 AND ticket_created_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2`,
};
