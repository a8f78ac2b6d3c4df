import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../common/access/access.decorator';
import { hasControlCharacters } from '../../common/text';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { TeamsService } from '../teams/teams.service';
import {
  INTEGRATION_KINDS,
  type Integration,
  type IntegrationKind,
  type MappingRule,
} from './entities/integration.entity';
import { newSigningSecret, openSecret, sealSecret, signingSecretProblem } from './secrets';
import { TicketErrors } from './tickets.errors';
import { type DeliveryIntegration, IntegrationsRepository } from './integrations.repository';

/** What HR sets on an integration (pages and API alike); teams are named by slug. */
export interface IntegrationInput {
  kind?: string;
  name?: string;
  defaultTeam?: string;
  mappingRules?: { match: string; team: string }[];
  delayMinutes?: number;
  linkExpiryDays?: number;
  throttleDays?: number;
  samplingPercent?: number;
  excludedCategories?: string[];
  excludeRequesterIsAssignee?: boolean;
  active?: boolean;
  /** A secret made by the ticketing system (Zendesk makes its own); else one is generated. */
  signingSecret?: string;
}

/** An integration as pages and the API show it: never its secrets. */
export interface IntegrationView {
  id: string;
  kind: IntegrationKind;
  name: string;
  active: boolean;
  webhookUrl: string;
  defaultTeam: string;
  mappingRules: { match: string; team: string }[];
  delayMinutes: number;
  linkExpiryDays: number;
  throttleDays: number;
  samplingPercent: number;
  excludedCategories: string[];
  excludeRequesterIsAssignee: boolean;
  secretRotatedAt: Date;
  /** While the previous secret is still accepted after a rotation. */
  previousSecretValidUntil: Date | null;
}

export const LIMITS = {
  delayMinutes: { min: 0, max: 7 * 24 * 60 },
  linkExpiryDays: { min: 1, max: 60 },
  throttleDays: { min: 0, max: 365 },
  samplingPercent: { min: 0, max: 100 },
  rules: 200,
  categories: 100,
};

const DEFAULTS = {
  mappingRules: [],
  excludedCategories: [],
  delayMinutes: 60,
  linkExpiryDays: 14,
  throttleDays: 30,
  samplingPercent: 100,
  excludeRequesterIsAssignee: true,
};

/**
 * Integrations (HR): a ticketing system's kind, its signing secret (shown once; a rotation keeps
 * the old one valid for an overlap), the rules that map its groups to teams, and when and whom
 * its tickets survey.
 */
@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger('Integrations');

  constructor(
    private readonly integrations: IntegrationsRepository,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(): Promise<(IntegrationView & { tickets: number; dead: number })[]> {
    const [rows, slugs] = await Promise.all([
      this.integrations.listIntegrations(),
      this.teamSlugs(),
    ]);
    return rows.map((row) => ({
      ...this.view(row, slugs),
      tickets: row.tickets,
      dead: row.dead,
    }));
  }

  async get(id: string): Promise<IntegrationView> {
    return this.view(await this.find(id), await this.teamSlugs());
  }

  /** Creates an integration; its signing secret is returned this once and never shown again. */
  async create(
    actor: Principal | undefined,
    input: IntegrationInput,
    ip?: string,
  ): Promise<{ integration: IntegrationView; secret: string }> {
    const problems: string[] = [];
    const kind = INTEGRATION_KINDS.find((k) => k === input.kind);
    if (!kind) problems.push(`kind must be one of ${INTEGRATION_KINDS.join(', ')}`);
    if (input.name === undefined) problems.push('name is required');
    if (input.defaultTeam === undefined) problems.push('defaultTeam is required');
    if (kind === 'zendesk' && !input.signingSecret)
      problems.push(
        'signingSecret is required for Zendesk: paste the secret Zendesk shows for the webhook',
      );
    const values = await this.settings(input, problems);
    const secret = kind ? this.secretOf(kind, input.signingSecret, problems) : '';
    if (problems.length > 0) throw TicketErrors.invalidIntegration(problems);
    const saved = await this.integrations.insertIntegration({
      ...DEFAULTS,
      ...values,
      kind,
      secretSealed: sealSecret(this.config.appSecret, secret),
    });
    await this.audit.record({
      action: 'integration.created',
      actor,
      target: saved.id,
      ip,
      details: { kind, name: saved.name },
    });
    return { integration: await this.get(saved.id), secret };
  }

  async update(
    actor: Principal | undefined,
    id: string,
    input: IntegrationInput,
    ip?: string,
  ): Promise<IntegrationView> {
    await this.find(id);
    const problems: string[] = [];
    if (input.kind !== undefined) problems.push('kind cannot change: create another integration');
    if (input.signingSecret !== undefined)
      problems.push('a new signing secret is set by rotating it');
    const values = await this.settings(input, problems);
    if (problems.length > 0) throw TicketErrors.invalidIntegration(problems);
    await this.integrations.updateIntegration(id, values);
    await this.audit.record({
      action: 'integration.updated',
      actor,
      target: id,
      ip,
      details: { fields: Object.keys(values) },
    });
    return this.get(id);
  }

  /**
   * A new signing secret (generated, or the one the ticketing system made), returned this once.
   * The previous one stays valid for `overlapHours` (WEBHOOK_SECRET_OVERLAP_HOURS by default),
   * so deliveries keep flowing while the sender is switched over.
   */
  async rotate(
    actor: Principal | undefined,
    id: string,
    options: { signingSecret?: string; overlapHours?: number },
    ip?: string,
  ): Promise<{ secret: string; previousSecretValidUntil: Date | null }> {
    const integration = await this.find(id);
    const problems: string[] = [];
    const secret = this.secretOf(integration.kind, options.signingSecret, problems);
    const overlap = options.overlapHours ?? this.config.tickets.secretOverlapHours;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > 24 * 30)
      problems.push('overlapHours must be a whole number from 0 to 720');
    if (problems.length > 0) throw TicketErrors.invalidIntegration(problems);
    const until = overlap > 0 ? new Date(Date.now() + overlap * 3_600_000) : null;
    await this.integrations.updateIntegration(id, {
      secretSealed: sealSecret(this.config.appSecret, secret),
      previousSecretSealed: overlap > 0 ? integration.secretSealed : null,
      previousValidUntil: until,
      secretRotatedAt: new Date(),
    });
    await this.audit.record({
      action: 'integration.secret_rotated',
      actor,
      target: id,
      ip,
      details: { overlapHours: overlap },
    });
    return { secret, previousSecretValidUntil: until };
  }

  /**
   * The secrets a delivery may be signed with: the current one, and the previous one while its
   * overlap lasts. A secret sealed under another APP_SECRET cannot be opened: that is logged,
   * and such deliveries are refused until the secret is rotated.
   */
  secretsFor(integration: DeliveryIntegration): string[] {
    const secrets: string[] = [];
    for (const sealed of [integration.secretSealed, integration.previousSecretSealed]) {
      if (!sealed) continue;
      const secret = openSecret(this.config.appSecret, sealed);
      if (secret !== undefined) secrets.push(secret);
      else
        this.logger.error(
          `integration ${integration.id}: a signing secret cannot be opened (was APP_SECRET changed?); rotate it`,
        );
    }
    return secrets;
  }

  webhookUrl(id: string): string {
    return `${this.config.baseUrl}/webhooks/${id}`;
  }

  private async find(id: string): Promise<Integration> {
    const found = /^[0-9a-f-]{36}$/i.test(id) ? await this.integrations.findIntegration(id) : null;
    if (!found) throw TicketErrors.integrationNotFound(id);
    return found;
  }

  private async teamSlugs(): Promise<Map<string, string>> {
    return new Map((await this.teams.list()).map((t) => [t.id, t.slug]));
  }

  private view(row: Integration, slugs: Map<string, string>): IntegrationView {
    const slug = (id: string) => slugs.get(id) ?? id;
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      active: row.active,
      webhookUrl: this.webhookUrl(row.id),
      defaultTeam: slug(row.defaultTeamId),
      mappingRules: row.mappingRules.map((r) => ({ match: r.match, team: slug(r.teamId) })),
      delayMinutes: row.delayMinutes,
      linkExpiryDays: row.linkExpiryDays,
      throttleDays: row.throttleDays,
      samplingPercent: row.samplingPercent,
      excludedCategories: row.excludedCategories,
      excludeRequesterIsAssignee: row.excludeRequesterIsAssignee,
      secretRotatedAt: row.secretRotatedAt,
      previousSecretValidUntil:
        row.previousValidUntil && row.previousValidUntil.getTime() > Date.now()
          ? row.previousValidUntil
          : null,
    };
  }

  private secretOf(kind: IntegrationKind, given: string | undefined, problems: string[]): string {
    if (given === undefined || given === '') return newSigningSecret(kind);
    const problem = signingSecretProblem(kind, given.trim());
    if (problem) problems.push(`signingSecret: ${problem}`);
    return given.trim();
  }

  /** The settings given, checked and turned into columns; problems are collected. */
  private async settings(input: IntegrationInput, problems: string[]) {
    const values: Partial<Integration> = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (name.length < 1 || name.length > 200 || hasControlCharacters(name))
        problems.push('name must have 1 to 200 characters, on one line');
      else values.name = name;
    }
    const teams = await this.teams.list();
    const teamId = (slug: string, field: string) => {
      const id = teams.find((t) => t.slug === slug.trim())?.id;
      if (!id) problems.push(`${field}: no team "${slug.slice(0, 64)}"`);
      return id;
    };
    if (input.defaultTeam !== undefined) {
      const id = teamId(input.defaultTeam, 'defaultTeam');
      if (id) values.defaultTeamId = id;
    }
    if (input.mappingRules !== undefined) {
      if (input.mappingRules.length > LIMITS.rules)
        problems.push(`mappingRules: at most ${LIMITS.rules} rules`);
      const rules: MappingRule[] = [];
      input.mappingRules.forEach((rule, i) => {
        const match = rule.match.trim();
        if (match.length < 1 || match.length > 200 || hasControlCharacters(match))
          problems.push(`mappingRules[${i}]: match must have 1 to 200 characters`);
        const id = teamId(rule.team, `mappingRules[${i}]`);
        if (id && match) rules.push({ match, teamId: id });
      });
      values.mappingRules = rules;
    }
    for (const field of [
      'delayMinutes',
      'linkExpiryDays',
      'throttleDays',
      'samplingPercent',
    ] as const) {
      const value = input[field];
      if (value === undefined) continue;
      const { min, max } = LIMITS[field];
      if (!Number.isInteger(value) || value < min || value > max)
        problems.push(`${field} must be a whole number from ${min} to ${max}`);
      else values[field] = value;
    }
    if (input.excludedCategories !== undefined) {
      const categories = [
        ...new Set(input.excludedCategories.map((c) => c.trim()).filter((c) => c !== '')),
      ];
      if (categories.length > LIMITS.categories)
        problems.push(`excludedCategories: at most ${LIMITS.categories}`);
      if (categories.some((c) => c.length > 100 || hasControlCharacters(c)))
        problems.push('excludedCategories: each has at most 100 characters, on one line');
      values.excludedCategories = categories;
    }
    if (input.excludeRequesterIsAssignee !== undefined)
      values.excludeRequesterIsAssignee = input.excludeRequesterIsAssignee;
    if (input.active !== undefined) values.active = input.active;
    return values;
  }
}
