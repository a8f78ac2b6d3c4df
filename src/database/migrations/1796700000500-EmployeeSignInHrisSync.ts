import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Employees sign in (mailed single-use links, kept hashed, and sessions bound to the employee),
 * and the HRIS file sync (its settings row and its runs, with what each would change).
 */
export class EmployeeSignInHrisSync1796700000500 implements MigrationInterface {
  name = 'EmployeeSignInHrisSync1796700000500';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "employee_session" ("id" uuid NOT NULL, "employee_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_employee_session" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_employee_session_employee" ON "employee_session"  ("employee_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_employee_session_expires" ON "employee_session"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "employee_sign_in_link" ("token_hash" bytea NOT NULL, "employee_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_employee_sign_in_link" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_employee_sign_in_link_employee" ON "employee_sign_in_link"  ("employee_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_employee_sign_in_link_expires" ON "employee_sign_in_link"  ("expires_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "hris_sync_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "status" character varying(16) NOT NULL, "trigger" character varying(16) NOT NULL, "file_hash" bytea, "plan" jsonb, "error" character varying(2000), "confirmed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_hris_sync_run_status" CHECK (status IN ('dry_run', 'applied', 'stopped', 'confirmed', 'failed')), CONSTRAINT "PK_hris_sync_run" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_hris_sync_run_created" ON "hris_sync_run"  ("created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "hris_sync_setting" ("id" smallint NOT NULL DEFAULT '1', "enabled" boolean NOT NULL DEFAULT false, "source" character varying(2000) NOT NULL DEFAULT '', "format" character varying(8) NOT NULL DEFAULT 'csv', "mapping" jsonb NOT NULL DEFAULT '{}', "cron" character varying(100) NOT NULL DEFAULT '0 5 * * *', "max_deactivate_percent" smallint NOT NULL DEFAULT '10', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_hris_sync_setting_max_deactivate" CHECK (max_deactivate_percent BETWEEN 0 AND 100), CONSTRAINT "ck_hris_sync_setting_format" CHECK (format IN ('csv', 'json')), CONSTRAINT "ck_hris_sync_setting_single_row" CHECK (id = 1), CONSTRAINT "PK_hris_sync_setting" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "employee_session" ADD CONSTRAINT "fk_employee_session_employee" FOREIGN KEY ("employee_id") REFERENCES "employee"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employee_sign_in_link" ADD CONSTRAINT "fk_employee_sign_in_link_employee" FOREIGN KEY ("employee_id") REFERENCES "employee"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "employee_sign_in_link" DROP CONSTRAINT "fk_employee_sign_in_link_employee"`,
    );
    await queryRunner.query(
      `ALTER TABLE "employee_session" DROP CONSTRAINT "fk_employee_session_employee"`,
    );
    await queryRunner.query(`DROP TABLE "hris_sync_setting"`);
    await queryRunner.query(`DROP INDEX "public"."ix_hris_sync_run_created"`);
    await queryRunner.query(`DROP TABLE "hris_sync_run"`);
    await queryRunner.query(`DROP INDEX "public"."ix_employee_sign_in_link_expires"`);
    await queryRunner.query(`DROP INDEX "public"."ix_employee_sign_in_link_employee"`);
    await queryRunner.query(`DROP TABLE "employee_sign_in_link"`);
    await queryRunner.query(`DROP INDEX "public"."ix_employee_session_expires"`);
    await queryRunner.query(`DROP INDEX "public"."ix_employee_session_employee"`);
    await queryRunner.query(`DROP TABLE "employee_session"`);
  }
}
