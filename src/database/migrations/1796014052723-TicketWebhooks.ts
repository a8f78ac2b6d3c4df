import { MigrationInterface, QueryRunner } from 'typeorm';

export class TicketWebhooks1796014052723 implements MigrationInterface {
  name = 'TicketWebhooks1796014052723';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "integration" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(16) NOT NULL, "name" character varying(200) NOT NULL, "secret_sealed" bytea NOT NULL, "previous_secret_sealed" bytea, "previous_valid_until" TIMESTAMP WITH TIME ZONE, "secret_rotated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "default_team_id" uuid NOT NULL, "mapping_rules" jsonb NOT NULL, "delay_minutes" integer NOT NULL DEFAULT '60', "link_expiry_days" integer NOT NULL DEFAULT '14', "throttle_days" integer NOT NULL DEFAULT '30', "sampling_percent" smallint NOT NULL DEFAULT '100', "excluded_categories" jsonb NOT NULL, "exclude_requester_is_assignee" boolean NOT NULL DEFAULT true, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_integration_sampling" CHECK ("sampling_percent" BETWEEN 0 AND 100), CONSTRAINT "ck_integration_kind" CHECK ("kind" IN ('jira', 'zendesk', 'servicenow', 'freshservice', 'generic')), CONSTRAINT "PK_f348d4694945d9dc4c7049a178a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "integration_id" uuid NOT NULL, "external_ticket_id" character varying(200) NOT NULL, "team_id" uuid NOT NULL, "source_group" character varying(200), "requester_hash" bytea, "requester_email" character varying(320), "requester_external_id" character varying(200), "requester_is_assignee" boolean NOT NULL DEFAULT false, "category" character varying(100), "priority" character varying(32), "channel" character varying(32), "ticket_created_at" TIMESTAMP WITH TIME ZONE, "first_response_at" TIMESTAMP WITH TIME ZONE, "resolved_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "last_reopened_at" TIMESTAMP WITH TIME ZONE, "reopen_count" integer NOT NULL DEFAULT '0', "last_event_at" TIMESTAMP WITH TIME ZONE NOT NULL, "survey_state" character varying(48), "survey_due_at" TIMESTAMP WITH TIME ZONE, "survey_attempts" integer NOT NULL DEFAULT '0', "survey_error" character varying(500), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_902a22d2110174b48925314c875" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_event_integration_updated" ON "ticket_event"  ("integration_id", "updated_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_event_team_resolved" ON "ticket_event"  ("team_id", "resolved_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_event_team_created" ON "ticket_event"  ("team_id", "ticket_created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_ticket_event_ticket" ON "ticket_event"  ("integration_id", "external_ticket_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_event_receipt" ("integration_id" uuid NOT NULL, "event_id" character varying(200) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ab1b143ccca81c99fee98d50256" PRIMARY KEY ("integration_id", "event_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_event_receipt_received" ON "ticket_event_receipt"  ("received_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_survey_throttle" ("team_id" uuid NOT NULL, "requester_hash" bytea NOT NULL, "last_surveyed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_4b40db95c1494f55ac6f82b5673" PRIMARY KEY ("team_id", "requester_hash"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_survey" ("team_id" uuid NOT NULL, "period" character varying(7) NOT NULL, "survey_id" uuid NOT NULL, CONSTRAINT "PK_3fd17712250eb76e2b1ef9fb720" PRIMARY KEY ("team_id", "period"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_ticket_survey_survey" ON "ticket_survey"  ("survey_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "follow_up" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "team_id" uuid NOT NULL, "employee_name" character varying(200) NOT NULL, "employee_email" character varying(320) NOT NULL, "message" text, "requested_on" date NOT NULL, "done_on" date, CONSTRAINT "PK_5c0a5f5b32937e47e0ab09d596c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_follow_up_team_requested" ON "follow_up"  ("team_id", "requested_on") `,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD "source" character varying(16) NOT NULL DEFAULT 'pulse'`,
    );
    await queryRunner.query(`ALTER TABLE "invitation" ADD "category" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD "priority" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD "channel" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD "resolution_band" character varying(8)`);
    await queryRunner.query(`ALTER TABLE "response" ADD "category" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "response" ADD "priority" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "response" ADD "channel" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "response" ADD "resolution_band" character varying(8)`);
    await queryRunner.query(`ALTER TABLE "pending_response" ADD "category" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "pending_response" ADD "priority" character varying(32)`);
    await queryRunner.query(`ALTER TABLE "pending_response" ADD "channel" character varying(32)`);
    await queryRunner.query(
      `ALTER TABLE "pending_response" ADD "resolution_band" character varying(8)`,
    );
    await queryRunner.query(
      `ALTER TABLE "survey" ADD CONSTRAINT "ck_survey_source" CHECK ("source" IN ('pulse', 'ticket'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "integration" ADD CONSTRAINT "fk_integration_team" FOREIGN KEY ("default_team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_event" ADD CONSTRAINT "fk_ticket_event_integration" FOREIGN KEY ("integration_id") REFERENCES "integration"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_event" ADD CONSTRAINT "fk_ticket_event_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_event_receipt" ADD CONSTRAINT "fk_ticket_event_receipt_integration" FOREIGN KEY ("integration_id") REFERENCES "integration"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_survey_throttle" ADD CONSTRAINT "fk_ticket_survey_throttle_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_survey" ADD CONSTRAINT "fk_ticket_survey_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_survey" ADD CONSTRAINT "fk_ticket_survey_survey" FOREIGN KEY ("survey_id") REFERENCES "survey"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "follow_up" ADD CONSTRAINT "fk_follow_up_team" FOREIGN KEY ("team_id") REFERENCES "service_team"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "follow_up" DROP CONSTRAINT "fk_follow_up_team"`);
    await queryRunner.query(
      `ALTER TABLE "ticket_survey" DROP CONSTRAINT "fk_ticket_survey_survey"`,
    );
    await queryRunner.query(`ALTER TABLE "ticket_survey" DROP CONSTRAINT "fk_ticket_survey_team"`);
    await queryRunner.query(
      `ALTER TABLE "ticket_survey_throttle" DROP CONSTRAINT "fk_ticket_survey_throttle_team"`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_event_receipt" DROP CONSTRAINT "fk_ticket_event_receipt_integration"`,
    );
    await queryRunner.query(`ALTER TABLE "ticket_event" DROP CONSTRAINT "fk_ticket_event_team"`);
    await queryRunner.query(
      `ALTER TABLE "ticket_event" DROP CONSTRAINT "fk_ticket_event_integration"`,
    );
    await queryRunner.query(`ALTER TABLE "integration" DROP CONSTRAINT "fk_integration_team"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP CONSTRAINT "ck_survey_source"`);
    await queryRunner.query(`ALTER TABLE "pending_response" DROP COLUMN "resolution_band"`);
    await queryRunner.query(`ALTER TABLE "pending_response" DROP COLUMN "channel"`);
    await queryRunner.query(`ALTER TABLE "pending_response" DROP COLUMN "priority"`);
    await queryRunner.query(`ALTER TABLE "pending_response" DROP COLUMN "category"`);
    await queryRunner.query(`ALTER TABLE "response" DROP COLUMN "resolution_band"`);
    await queryRunner.query(`ALTER TABLE "response" DROP COLUMN "channel"`);
    await queryRunner.query(`ALTER TABLE "response" DROP COLUMN "priority"`);
    await queryRunner.query(`ALTER TABLE "response" DROP COLUMN "category"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "resolution_band"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "channel"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "priority"`);
    await queryRunner.query(`ALTER TABLE "invitation" DROP COLUMN "category"`);
    await queryRunner.query(`ALTER TABLE "survey" DROP COLUMN "source"`);
    await queryRunner.query(`DROP INDEX "public"."ix_follow_up_team_requested"`);
    await queryRunner.query(`DROP TABLE "follow_up"`);
    await queryRunner.query(`DROP INDEX "public"."uq_ticket_survey_survey"`);
    await queryRunner.query(`DROP TABLE "ticket_survey"`);
    await queryRunner.query(`DROP TABLE "ticket_survey_throttle"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_event_receipt_received"`);
    await queryRunner.query(`DROP TABLE "ticket_event_receipt"`);
    await queryRunner.query(`DROP INDEX "public"."uq_ticket_event_ticket"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_event_team_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_event_team_resolved"`);
    await queryRunner.query(`DROP INDEX "public"."ix_ticket_event_integration_updated"`);
    await queryRunner.query(`DROP TABLE "ticket_event"`);
    await queryRunner.query(`DROP TABLE "integration"`);
  }
}
