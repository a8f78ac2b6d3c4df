import { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookDeliveryLog1796451466732 implements MigrationInterface {
  name = 'WebhookDeliveryLog1796451466732';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "integration_id" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "repeats" integer NOT NULL DEFAULT '1', "outcome" character varying(16) NOT NULL, "http_status" smallint NOT NULL, "reason_code" character varying(64), "reason" character varying(300), "event_type" character varying(64), "external_ticket_id" character varying(200), "body_bytes" integer, "signature" character varying(16) NOT NULL, CONSTRAINT "ck_webhook_delivery_signature" CHECK ("signature" IN ('valid', 'invalid', 'missing', 'unchecked')), CONSTRAINT "ck_webhook_delivery_outcome" CHECK ("outcome" IN ('accepted', 'duplicate', 'ignored', 'refused', 'failed')), CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_webhook_delivery_integration_last" ON "webhook_delivery"  ("integration_id", "last_received_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" ADD CONSTRAINT "fk_webhook_delivery_integration" FOREIGN KEY ("integration_id") REFERENCES "integration"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_delivery" DROP CONSTRAINT "fk_webhook_delivery_integration"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_webhook_delivery_integration_last"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery"`);
  }
}
