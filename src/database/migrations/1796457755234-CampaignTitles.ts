import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign titles per language (what respondents see; `name` stays HR's), and a wave's survey
 * carries its campaign's titles from its opening. Surveys from before keep null and show their
 * name, as they did.
 */
export class CampaignTitles1796457755234 implements MigrationInterface {
  name = 'CampaignTitles1796457755234';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "campaign" ADD "titles" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "survey" ADD "titles" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "survey" DROP COLUMN "titles"`);
    await queryRunner.query(`ALTER TABLE "campaign" DROP COLUMN "titles"`);
  }
}
