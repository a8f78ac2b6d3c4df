import { MigrationInterface, QueryRunner } from 'typeorm';
import { surveyJobIdSql } from '../../modules/tickets/survey-jobs';

/**
 * Ticket survey jobs get the id of their ticket (surveyJobId), so that a decision deletes its
 * job by id instead of reading every job's data. Data only, in pg-boss's tables (when pg-boss
 * has made them): done jobs of the queue and its archived ones are traces the decisions would
 * have deleted, and go now; of a ticket's waiting jobs the latest stays, under the new id.
 */
export class TicketSurveyJobIds1796451354315 implements MigrationInterface {
  name = 'TicketSurveyJobIds1796451354315';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const [{ present }] = await queryRunner.query(
      `SELECT to_regclass('pgboss.job') IS NOT NULL AND to_regclass('pgboss.archive') IS NOT NULL AS present`,
    );
    if (!present) return;
    await queryRunner.query(`DELETE FROM pgboss.archive WHERE name = 'ticket.survey'`);
    await queryRunner.query(
      `DELETE FROM pgboss.job WHERE name = 'ticket.survey' AND state NOT IN ('created', 'retry', 'active')`,
    );
    await queryRunner.query(
      `DELETE FROM pgboss.job j WHERE j.name = 'ticket.survey' AND EXISTS (
         SELECT 1 FROM pgboss.job later
          WHERE later.name = 'ticket.survey' AND (later.data ->> 'ticketId') = (j.data ->> 'ticketId')
            AND (later.start_after, later.id) > (j.start_after, j.id))`,
    );
    await queryRunner.query(
      `UPDATE pgboss.job SET id = ${surveyJobIdSql("data ->> 'ticketId'")}
        WHERE name = 'ticket.survey'`,
    );
  }

  public async down(): Promise<void> {
    // Nothing to undo: the older code finds these jobs by their data, whatever their id.
  }
}
