import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { Integration, type IntegrationKind, type MappingRule } from './entities/integration.entity';

/** What a delivery needs of its integration: one indexed read on the hot path. */
export interface DeliveryIntegration {
  id: string;
  kind: IntegrationKind;
  /** A paused integration's deliveries are refused (404), and logged. */
  active: boolean;
  secretSealed: Buffer;
  /** The previous secret while its overlap lasts, else null. */
  previousSecretSealed: Buffer | null;
  defaultTeamId: string;
  mappingRules: MappingRule[];
  delayMinutes: number;
}

/** Integrations (ticketing sources) and what a delivery needs of one. */
@Injectable()
export class IntegrationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get integrations() {
    return this.dataSource.getRepository(Integration);
  }

  insertIntegration(values: Partial<Integration>): Promise<Integration> {
    return this.integrations.save(this.integrations.create(values));
  }

  async updateIntegration(id: string, values: Partial<Integration>): Promise<boolean> {
    const result = await this.integrations.update({ id }, values);
    return (result.affected ?? 0) > 0;
  }

  findIntegration(id: string): Promise<Integration | null> {
    return this.integrations.findOneBy({ id });
  }

  listIntegrations(): Promise<(Integration & { tickets: number; dead: number })[]> {
    return this.dataSource.query(
      `SELECT i.id, i.kind, i.name, i.active, i.default_team_id AS "defaultTeamId",
              i.mapping_rules AS "mappingRules", i.delay_minutes AS "delayMinutes",
              i.link_expiry_days AS "linkExpiryDays", i.throttle_days AS "throttleDays",
              i.sampling_percent AS "samplingPercent", i.excluded_categories AS "excludedCategories",
              i.exclude_requester_is_assignee AS "excludeRequesterIsAssignee",
              i.secret_rotated_at AS "secretRotatedAt", i.previous_valid_until AS "previousValidUntil",
              i.created_at AS "createdAt", i.updated_at AS "updatedAt",
              (SELECT count(*)::int FROM ticket_event t WHERE t.integration_id = i.id) AS tickets,
              (SELECT count(*)::int FROM ticket_event t
                WHERE t.integration_id = i.id AND t.survey_state = 'dead') AS dead
         FROM integration i ORDER BY i.created_at`,
    );
  }

  async findForDelivery(id: string): Promise<DeliveryIntegration | undefined> {
    const rows = await preparedQuery<DeliveryIntegration>(
      this.dataSource,
      'tickets_integration_for_delivery',
      `SELECT id, kind, active, secret_sealed AS "secretSealed",
              CASE WHEN previous_valid_until > now() THEN previous_secret_sealed END AS "previousSecretSealed",
              default_team_id AS "defaultTeamId", mapping_rules AS "mappingRules",
              delay_minutes AS "delayMinutes"
         FROM integration WHERE id = $1`,
      [id],
    );
    return rows[0];
  }
}
