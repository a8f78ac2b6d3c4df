/**
 * The directory's own statement, in a file with no imports so that the services benchmark runs
 * exactly it in its raw baseline.
 */
export const SERVICES_SQL = {
  /** Every team with its profile, siblings by name: the whole directory in one statement. */
  directoryTeams: `SELECT id, slug, name, parent_id AS "parentId", purpose, profile_locale AS "profileLocale",
              time_zone AS "timeZone", opening_hours AS "openingHours",
              hours_exceptions AS "hoursExceptions", contact_channels AS "contactChannels",
              first_response_target_minutes AS "firstResponseTargetMinutes",
              resolution_target_minutes AS "resolutionTargetMinutes"
         FROM service_team ORDER BY name, id`,
};
