/**
 * Who a campaign invites, as a filter over the directory: every active employee who matches all
 * the filters given (an empty filter matches everyone), plus those included by hand, minus those
 * excluded by hand. One SQL predicate over `employee e`, shared by the live count and by the
 * wave's set-based insert, so what HR counts is what a wave invites.
 */
export interface AudienceFilter {
  departments: string[];
  locations: string[];
  /** Employees whose own team is one of these (the caller expands sub-teams). */
  teamIds: string[];
  tenureBands: string[];
  includeIds: string[];
  excludeIds: string[];
  /** Only people who have a team of their own (a survey about one's own team needs one). */
  needsTeam?: boolean;
}

export const TENURE_BANDS = ['<1y', '1-2y', '2-5y', '5y+'] as const;

/** Tenure band of `e.hire_date` as of `asOf` (a SQL date expression): coarse on purpose. */
export function tenureBandSql(asOf = 'current_date'): string {
  return `CASE
  WHEN e.hire_date IS NULL THEN NULL
  WHEN e.hire_date > ${asOf} - interval '1 year' THEN '<1y'
  WHEN e.hire_date > ${asOf} - interval '2 years' THEN '1-2y'
  WHEN e.hire_date > ${asOf} - interval '5 years' THEN '2-5y'
  ELSE '5y+' END`;
}

/**
 * The predicate and its values, numbered from `$${first}`. Use as `WHERE ${sql}` on a query over
 * `employee e`.
 */
export function audiencePredicate(
  filter: AudienceFilter,
  first: number,
): { sql: string; values: unknown[] } {
  const p = (i: number) => `$${first + i}`;
  const sql = `e.active AND NOT (e.id = ANY(${p(5)}::uuid[]))${filter.needsTeam ? ' AND e.team_id IS NOT NULL' : ''}
    AND (e.id = ANY(${p(4)}::uuid[]) OR (
      (cardinality(${p(0)}::text[]) = 0 OR e.department = ANY(${p(0)}::text[]))
      AND (cardinality(${p(1)}::text[]) = 0 OR e.location = ANY(${p(1)}::text[]))
      AND (cardinality(${p(2)}::uuid[]) = 0 OR e.team_id = ANY(${p(2)}::uuid[]))
      AND (cardinality(${p(3)}::text[]) = 0 OR (${tenureBandSql()}) = ANY(${p(3)}::text[]))))`;
  return {
    sql,
    values: [
      filter.departments,
      filter.locations,
      filter.teamIds,
      filter.tenureBands,
      filter.includeIds,
      filter.excludeIds,
    ],
  };
}
