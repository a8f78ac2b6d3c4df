import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An action's owner is reminded twice per due date: a few days before it (reminded_for) and once
 * when it has passed (overdue_reminded_for). Each column holds the due date it was sent for, so
 * a daily job that runs twice sends once, and a new due date starts over.
 */
export class ActionOverdueReminder1796500000200 implements MigrationInterface {
  name = 'ActionOverdueReminder1796500000200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "team_action" ADD "overdue_reminded_for" date`);
    await queryRunner.query(
      `CREATE INDEX "ix_team_action_due" ON "team_action" ("due_on") WHERE "status" IN ('planned', 'in_progress')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_team_action_due"`);
    await queryRunner.query(`ALTER TABLE "team_action" DROP COLUMN "overdue_reminded_for"`);
  }
}
