/**
 * The survey fatigue budget as SQL, for the set-based inserts that create invitations (surveys,
 * campaign waves, ticket surveys). It is a predicate to put in the WHERE of an
 * `INSERT INTO invitation … SELECT … FROM employee e`, so nobody is loaded into memory:
 *
 *   const days = await fatigue.lockBudget(manager);              // 0 = no budget
 *   … WHERE e.active AND ${fatigueAllows('e.id', '$4')}          // $4 = days
 *
 * It is true when the person got no invitation in the last `days` days (any survey, any
 * source), and always true when `days` is 0. Backed by the index
 * ix_invitation_employee_created (employee_id, created_at). Count who it kept out as the
 * difference between the candidates and the rows inserted, and record that number with
 * FatigueService.recordSkipped in the same transaction.
 *
 * Ticket surveys that create invitations are covered as they are; a feature that invites
 * people through a table of its own adds that table here, so the budget stays one rule. A review
 * the person asked for themselves (a review survey's invitation) asks nothing of them: it does
 * not count.
 */
export function fatigueAllows(employeeId: string, days: string): string {
  return `(${days}::int = 0 OR NOT EXISTS (
    SELECT 1 FROM invitation fatigue_recent
     WHERE fatigue_recent.employee_id = ${employeeId}
       AND fatigue_recent.created_at > now() - make_interval(days => ${days}::int)
       AND NOT EXISTS (SELECT 1 FROM survey fatigue_survey
                        WHERE fatigue_survey.id = fatigue_recent.survey_id AND fatigue_survey.source = 'review')))`;
}
