import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailPipeline1796011778004 implements MigrationInterface {
  name = 'MailPipeline1796011778004';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_invitation_employee"`);
    await queryRunner.query(
      `CREATE TABLE "fatigue_setting" ("id" smallint NOT NULL DEFAULT '1', "days" smallint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_fatigue_setting_days" CHECK (days BETWEEN 0 AND 365), CONSTRAINT "ck_fatigue_setting_single_row" CHECK (id = 1), CONSTRAINT "PK_b9d7c746a79563abf1f9f7c4ebc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "fatigue_skip" ("source" character varying(32) NOT NULL, "source_id" uuid NOT NULL, "skipped" integer NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3ec43276837065d1e08a1b56663" PRIMARY KEY ("source", "source_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "mail_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(32) NOT NULL, "invitation_id" uuid, "sequence" smallint NOT NULL DEFAULT '0', "dedupe_key" character varying(200), "to_address" character varying(320) NOT NULL, "locale" character varying(16) NOT NULL, "template" character varying(64), "context" jsonb, "status" character varying(16) NOT NULL DEFAULT 'queued', "attempts" smallint NOT NULL DEFAULT '0', "due_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "queue_id" uuid NOT NULL, "batch_no" integer NOT NULL DEFAULT '0', "last_error" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_mail_message_key" CHECK ((invitation_id IS NULL) <> (dedupe_key IS NULL)), CONSTRAINT "ck_mail_message_sequence" CHECK (sequence BETWEEN 0 AND 3), CONSTRAINT "ck_mail_message_status" CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'cancelled')), CONSTRAINT "PK_d23285093ea237bc7632d4fcce9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_mail_message_problems" ON "mail_message"  ("updated_at") WHERE status IN ('failed', 'dead')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_mail_message_batch" ON "mail_message"  ("queue_id", "batch_no") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_mail_message_due" ON "mail_message"  ("due_at") WHERE status IN ('queued', 'sending')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_mail_message_dedupe_key" ON "mail_message"  ("dedupe_key") WHERE dedupe_key IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_mail_message_invitation_sequence" ON "mail_message"  ("invitation_id", "sequence") WHERE invitation_id IS NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE "invitation" ADD "send_after" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD "cancelled_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "ix_invitation_employee_created" ON "invitation"  ("employee_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "mail_message" ADD CONSTRAINT "fk_mail_message_invitation" FOREIGN KEY ("invitation_id") REFERENCES "invitation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Written by hand: invitations whose mail the old delivery job had not sent yet get their
    // mail row, so that the pipeline's sweep sends them (the old job's queue is gone).
    await queryRunner.query(
      `WITH q AS MATERIALIZED (SELECT gen_random_uuid() AS id)
       INSERT INTO "mail_message" ("kind", "invitation_id", "sequence", "to_address", "locale", "queue_id", "batch_no")
       SELECT 'invitation', i.id, 0, e.email, e.locale, q.id, ((row_number() OVER (ORDER BY i.id)) - 1) / 100
         FROM "invitation" i
         JOIN "employee" e ON e.id = i.employee_id
         JOIN "survey" s ON s.id = i.survey_id
         CROSS JOIN q
        WHERE i.sent_at IS NULL AND i.answered_on IS NULL AND e.active
          AND i.expires_at > now() AND s.closes_at > now()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "mail_message" DROP CONSTRAINT "fk_mail_message_invitation"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_invitation_employee_created"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "cancelled_at"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "send_after"`);
    await queryRunner.query(`DROP INDEX "public"."uq_mail_message_invitation_sequence"`);
    await queryRunner.query(`DROP INDEX "public"."uq_mail_message_dedupe_key"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mail_message_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mail_message_batch"`);
    await queryRunner.query(`DROP INDEX "public"."ix_mail_message_problems"`);
    await queryRunner.query(`DROP TABLE "mail_message"`);
    await queryRunner.query(`DROP TABLE "fatigue_skip"`);
    await queryRunner.query(`DROP TABLE "fatigue_setting"`);
    await queryRunner.query(
      `CREATE INDEX "ix_invitation_employee" ON "invitation" USING btree ("employee_id") `,
    );
  }
}
