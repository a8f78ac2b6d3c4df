import { MigrationInterface, QueryRunner } from 'typeorm';

/** When an employee's address last changed: their sign-in waits a hold period after it. */
export class EmployeeAddressHold1796700000600 implements MigrationInterface {
  name = 'EmployeeAddressHold1796700000600';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "employee" ADD "email_changed_at" TIMESTAMP WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "employee" DROP COLUMN "email_changed_at"`);
  }
}
