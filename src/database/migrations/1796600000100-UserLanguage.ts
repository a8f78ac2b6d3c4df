import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each signed-in person may choose the language of their pages and mails, and their time zone
 * (for the weekly digest's hour and dates). Both null by default: the browser's language and the
 * organisation's time zone.
 */
export class UserLanguage1796600000100 implements MigrationInterface {
  name = 'UserLanguage1796600000100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" ADD "locale" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "app_user" ADD "time_zone" character varying(64)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "time_zone"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP COLUMN "locale"`);
  }
}
