import { MigrationInterface, QueryRunner } from 'typeorm';

export class TicketEventClosedIndex1796017840633 implements MigrationInterface {
  name = 'TicketEventClosedIndex1796017840633';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_event_team_closed" ON "ticket_event"  ("team_id", "closed_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_event_team_closed"`);
  }
}
