import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM provisioning: what SCIM keeps of an employee beyond the directory's fields (the identity
 * provider's id, name parts, manager, deletion), and the groups a provider pushes with their
 * members. No answer, invitation or time of answering is anywhere near these tables.
 */
export class ScimProvisioning1796700000300 implements MigrationInterface {
  name = 'ScimProvisioning1796700000300';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "scim_user" ("employee_id" uuid NOT NULL, "external_id" character varying(255), "given_name" character varying(100), "family_name" character varying(100), "manager_id" uuid, "deleted_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_scim_user" PRIMARY KEY ("employee_id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_scim_user_external_id" ON "scim_user" ("external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "scim_group" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "display_name" character varying(200) NOT NULL, "external_id" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_scim_group" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_scim_group_display_name" ON "scim_group" ("display_name") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_scim_group_external_id" ON "scim_group" ("external_id") WHERE external_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "scim_group_member" ("group_id" uuid NOT NULL, "employee_id" uuid NOT NULL, CONSTRAINT "PK_scim_group_member" PRIMARY KEY ("group_id", "employee_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_scim_group_member_employee" ON "scim_group_member" ("employee_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "scim_user" ADD CONSTRAINT "fk_scim_user_employee" FOREIGN KEY ("employee_id") REFERENCES "employee"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scim_user" ADD CONSTRAINT "fk_scim_user_manager" FOREIGN KEY ("manager_id") REFERENCES "employee"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scim_group_member" ADD CONSTRAINT "fk_scim_group_member_group" FOREIGN KEY ("group_id") REFERENCES "scim_group"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scim_group_member" ADD CONSTRAINT "fk_scim_group_member_employee" FOREIGN KEY ("employee_id") REFERENCES "employee"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "scim_group_member"`);
    await queryRunner.query(`DROP TABLE "scim_group"`);
    await queryRunner.query(`DROP TABLE "scim_user"`);
  }
}
