import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/access/access.decorator';
import { ROLES, type Role } from '../../common/access/roles';
import { hasControlCharacters } from '../../common/text';
import { AccountsService } from '../accounts/accounts.service';
import { AuditService } from '../audit/audit.service';
import { TeamsService } from '../teams/teams.service';
import { OidcClient } from './oidc-client';
import { SsoErrors } from './sso.errors';
import { SsoRepository } from './sso.repository';

/**
 * What HR edits at /admin/sso: the group → role (+ team) rules and the SSO-only switch with its
 * break-glass administrator. Every change is audited.
 */
@Injectable()
export class SsoSettingsService {
  constructor(
    private readonly repository: SsoRepository,
    private readonly client: OidcClient,
    private readonly accounts: AccountsService,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
  ) {}

  /** The rules, each with its team's slug and name (none for an admin rule). */
  async rules() {
    const [rules, teams] = await Promise.all([this.repository.listRules(), this.teams.list()]);
    const byId = new Map(teams.map((t) => [t.id, t]));
    return rules.map((rule) => ({
      id: rule.id,
      groupName: rule.groupName,
      role: rule.role,
      team: rule.teamId ? byId.get(rule.teamId) : undefined,
    }));
  }

  setting() {
    return this.repository.setting();
  }

  async addRule(
    actor: Principal | undefined,
    input: { groupName: string; role: string; teamSlug: string },
    request: { ip: string },
  ): Promise<void> {
    const groupName = input.groupName.trim();
    if (!groupName || groupName.length > 200 || hasControlCharacters(groupName))
      throw SsoErrors.ruleInvalid(
        'The group must be 1–200 characters, without control characters.',
      );
    if (!(ROLES as readonly string[]).includes(input.role))
      throw SsoErrors.ruleInvalid(`The role must be one of ${ROLES.join(', ')}.`);
    const role = input.role as Role;
    let teamId: string | null = null;
    if (role !== 'admin') {
      if (!input.teamSlug)
        throw SsoErrors.ruleInvalid('A lead or viewer rule needs a team: choose one.');
      const team = await this.teams.findBySlug(input.teamSlug.slice(0, 64));
      if (!team) throw SsoErrors.ruleInvalid(`No team "${input.teamSlug.slice(0, 64)}".`);
      teamId = team.id;
    }
    const rule = { groupName, role, teamId };
    if (await this.repository.ruleExists(rule))
      throw SsoErrors.ruleInvalid('This rule exists already.');
    await this.repository.insertRule(rule);
    await this.audit.record({
      action: 'sso.rule_added',
      actor,
      target: groupName,
      ip: request.ip,
      details: { role, team: role === 'admin' ? null : input.teamSlug },
    });
  }

  async removeRule(actor: Principal, id: string, request: { ip: string }): Promise<void> {
    const removed = await this.repository.deleteRule(id);
    if (!removed) return; // already gone: a reload of the form changes nothing
    await this.audit.record({
      action: 'sso.rule_removed',
      actor,
      target: removed.groupName,
      ip: request.ip,
      details: { role: removed.role, teamId: removed.teamId },
    });
  }

  /**
   * The SSO-only switch. Turning it on needs a configured provider and a break-glass
   * administrator: an active admin account with a password.
   */
  async saveSwitch(
    actor: Principal,
    input: { ssoOnly: boolean; breakGlassUserId: string },
    request: { ip: string },
  ): Promise<void> {
    let breakGlassUserId: string | null = null;
    if (input.breakGlassUserId) {
      const user = /^[0-9a-f-]{36}$/i.test(input.breakGlassUserId)
        ? await this.accounts.findUser(input.breakGlassUserId)
        : null;
      if (!user || user.role !== 'admin' || user.disabled || !user.passwordHash)
        throw SsoErrors.breakGlassRequired();
      breakGlassUserId = user.id;
    }
    if (input.ssoOnly) {
      if (!this.client.configured)
        throw SsoErrors.ruleInvalid(
          'Set up the identity provider (OIDC_ISSUER) before turning SSO only on.',
        );
      if (!breakGlassUserId) throw SsoErrors.breakGlassRequired();
    }
    const before = await this.repository.setting();
    await this.repository.saveSetting({ ssoOnly: input.ssoOnly, breakGlassUserId });
    await this.audit.record({
      action: 'sso.settings_changed',
      actor,
      target: 'sso',
      ip: request.ip,
      details: {
        ssoOnly: { from: before.ssoOnly, to: input.ssoOnly },
        breakGlassUserId: { from: before.breakGlassUserId, to: breakGlassUserId },
      },
    });
  }
}
