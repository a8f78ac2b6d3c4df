import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../common/access/access.decorator';
import { ROLES, type Role } from '../../common/access/roles';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { hasControlCharacters } from '../../common/text';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { MailService } from '../mail/mail.service';
import { TeamsService } from '../teams/teams.service';
import { secret, sha256 } from './account-secrets';
import { AccountErrors } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import { ApiTokensService } from './api-tokens.service';
import type { AppUser } from './entities/app-user.entity';
import { inviteMail } from './invite-mail';
import { hashPassword, passwordProblem } from './passwords';

const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;
const INVITE_DAYS = 7;

export interface RequestInfo {
  ip: string;
}

/**
 * People with an account: invited, changed, the first administrator, and what each may see.
 * Sessions are SessionsService's, API tokens ApiTokensService's (created through here too, as
 * the admin pages and the first start do).
 */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger('Accounts');

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly apiTokens: ApiTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  // People

  /**
   * Creates an account without a password and mails a link to set one. Returns the link. The mail
   * is in `input.locale` (the invited person's language, when the admin chose it), else in the
   * inviting person's own language, else English.
   */
  async invite(
    actor: Principal | undefined,
    input: { email: string; name: string; role: string; teamSlugs: string[]; locale?: string },
    request?: RequestInfo,
  ): Promise<{ userId: string; link: string }> {
    const email = input.email.trim().toLowerCase();
    const name = input.name.trim();
    if (!EMAIL.test(email) || email.length > 320)
      throw AccountErrors.invalid(`"${email}" is not a valid e-mail address.`);
    if (!name || name.length > 200 || hasControlCharacters(name))
      throw AccountErrors.invalid('The name must be 1–200 characters, without control characters.');
    const role = this.checkRole(input.role);
    const teamIds = await this.teamIdsOf(input.teamSlugs);
    if (await this.accounts.findUserByEmail(email)) throw AccountErrors.emailTaken(email);
    const user = await this.accounts.insertUser({ email, name, role, passwordHash: null }, teamIds);
    const link = await this.issueSetPasswordLink(user.id, 'invite');
    const locale =
      this.i18n.match(input.locale) ??
      this.i18n.match(actor?.kind === 'user' ? actor.locale : undefined) ??
      this.i18n.fallback;
    await this.mail.send({
      to: email,
      ...inviteMail(this.i18n, locale, { name, role, link, days: INVITE_DAYS }),
      kind: 'account-invite',
    });
    await this.audit.record({
      action: 'user.invited',
      actor,
      target: email,
      ip: request?.ip,
      details: { role, teams: input.teamSlugs },
    });
    return { userId: user.id, link };
  }

  async update(
    actor: Principal,
    userId: string,
    input: { role: string; disabled: boolean; teamSlugs: string[] },
    request: RequestInfo,
  ): Promise<void> {
    const user = await this.accounts.findUser(userId);
    if (!user) throw AccountErrors.userNotFound();
    const role = this.checkRole(input.role);
    const teamIds = await this.teamIdsOf(input.teamSlugs);
    const losesAdmin =
      user.role === 'admin' && !user.disabled && (role !== 'admin' || input.disabled);
    if (losesAdmin) {
      const admins = (await this.accounts.listUsersWithTeams()).filter(
        (u) => u.role === 'admin' && !u.disabled,
      );
      if (admins.length <= 1) throw AccountErrors.lastAdmin();
    }
    await this.accounts.updateUser(userId, { role, disabled: input.disabled, teamIds });
    const action =
      input.disabled && !user.disabled
        ? 'user.disabled'
        : !input.disabled && user.disabled
          ? 'user.enabled'
          : 'user.updated';
    await this.audit.record({
      action,
      actor,
      target: user.email,
      ip: request.ip,
      details: { role: { from: user.role, to: role }, teams: input.teamSlugs },
    });
  }

  /** One account by id (null when there is none), without its teams. */
  findUser(id: string) {
    return this.accounts.findUserById(id);
  }

  listUsers() {
    return this.accounts.listUsersWithTeams();
  }

  async acceptSetPasswordLink(
    token: string,
    password: string,
    request: RequestInfo,
  ): Promise<void> {
    const found = await this.accounts.findUsableAccountToken(sha256(token));
    if (!found) throw AccountErrors.linkInvalid();
    const user = await this.accounts.findUser(found.userId);
    if (!user || user.disabled) throw AccountErrors.linkInvalid();
    const problem = passwordProblem(password, user.email);
    if (problem) throw AccountErrors.invalid(problem);
    if (!(await this.accounts.useAccountToken(found.id))) throw AccountErrors.linkInvalid();
    await this.accounts.setPassword(user.id, await hashPassword(password));
    await this.audit.record({ action: 'auth.password_set', target: user.email, ip: request.ip });
  }

  async setPasswordLinkIsUsable(token: string): Promise<boolean> {
    return (await this.accounts.findUsableAccountToken(sha256(token))) !== null;
  }

  /** For the command line and first start: an administrator with a password. */
  async createAdmin(emailInput: string, name: string, password: string): Promise<string> {
    const email = emailInput.trim().toLowerCase();
    if (!EMAIL.test(email))
      throw AccountErrors.invalid(`"${email}" is not a valid e-mail address.`);
    const problem = passwordProblem(password, email);
    if (problem) throw AccountErrors.invalid(problem);
    if (await this.accounts.findUserByEmail(email)) throw AccountErrors.emailTaken(email);
    const user = await this.accounts.insertUser(
      { email, name, role: 'admin', passwordHash: await hashPassword(password) },
      [],
    );
    await this.audit.record({
      action: 'user.created',
      target: email,
      details: { role: 'admin', via: 'cli-or-environment' },
    });
    return user.id;
  }

  /** The account with this e-mail address (any case), or null. */
  findByEmail(email: string) {
    return this.accounts.findUserByEmail(email.trim().toLowerCase());
  }

  /**
   * An account created on a first sign-in through the identity provider (OIDC_ALLOW_CREATE), with
   * no password: it signs in through the provider only.
   */
  async createFromProvider(input: {
    email: string;
    name: string;
    role: Role;
    teamIds: string[];
  }): Promise<AppUser> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email) || email.length > 320)
      throw AccountErrors.invalid(`"${email.slice(0, 320)}" is not a valid e-mail address.`);
    const name = cleanName(input.name) || email;
    const user = await this.accounts.insertUser(
      { email, name, role: input.role, passwordHash: null },
      input.teamIds,
    );
    await this.audit.record({
      action: 'user.created',
      target: email,
      details: { role: input.role, teams: input.teamIds, via: 'sso' },
    });
    return user;
  }

  /**
   * Role and teams as the identity provider's groups map them, applied at each sign-in through
   * it (a group taken away takes its role away). Audited only when something changed.
   */
  async applyProvidedAccess(user: AppUser, role: Role, teamIds: string[]): Promise<AppUser> {
    const before = (await this.accounts.directTeamIds(user.id)).sort();
    const after = [...new Set(teamIds)].sort();
    if (user.role === role && before.join() === after.join()) return user;
    await this.accounts.updateUser(user.id, { role, disabled: user.disabled, teamIds: after });
    await this.audit.record({
      action: 'user.updated',
      target: user.email,
      details: {
        role: { from: user.role, to: role },
        teams: { from: before, to: after },
        via: 'sso',
      },
    });
    return { ...user, role };
  }

  /**
   * Takes away what the identity provider gave, when it gives nothing any more (none of the
   * person's groups maps): the account is disabled with the weakest role and no teams, so that
   * neither its password nor an open session (every one ends) keeps the old access; an admin
   * may enable it again on /admin/users. Audited as `user.disabled` with why.
   */
  async revokeProvidedAccess(user: AppUser, reason: 'no_mapping'): Promise<void> {
    const before = (await this.accounts.directTeamIds(user.id)).sort();
    await this.accounts.updateUser(user.id, { role: 'viewer', disabled: true, teamIds: [] });
    await this.audit.record({
      action: 'user.disabled',
      target: user.email,
      details: {
        role: { from: user.role, to: 'viewer' },
        teams: { from: before, to: [] },
        via: 'sso',
        reason,
      },
    });
  }

  /** The language of this person's pages and mails (null: their browser's). */
  async setLanguage(userId: string, locale: string | null): Promise<void> {
    await this.accounts.setLanguage(userId, locale);
  }

  async hasAccount(email: string): Promise<boolean> {
    return (await this.accounts.findUserByEmail(email.trim().toLowerCase())) !== null;
  }

  /**
   * Sets a password the app chose itself, with no link: the demo's accounts, whose passwords
   * the demo banner prints (demo mode only). People set their own through a link.
   */
  async setChosenPassword(userId: string, password: string): Promise<void> {
    await this.accounts.setPassword(userId, await hashPassword(password));
  }

  /** On a database with no account at all, creates the admin named by INITIAL_ADMIN_*. */
  async bootstrapAdmin(): Promise<void> {
    if ((await this.accounts.countUsers()) > 0) return;
    const { initialAdminEmail, initialAdminPassword } = this.config;
    if (initialAdminEmail && initialAdminPassword) {
      await this.createAdmin(initialAdminEmail, 'Administrator', initialAdminPassword);
      this.logger.log(`created the first administrator, ${initialAdminEmail}`);
    } else if (!this.config.demo) {
      this.logger.warn(
        'no accounts yet: run `npm run cli -- create-admin <email>` or set INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD',
      );
    }
  }

  private async issueSetPasswordLink(userId: string, kind: 'invite' | 'reset'): Promise<string> {
    const token = secret();
    await this.accounts.insertAccountToken(userId, kind, sha256(token), INVITE_DAYS);
    return `${this.config.baseUrl}/account/setup/${token}`;
  }

  // API tokens (see ApiTokensService)

  createApiToken(...args: Parameters<ApiTokensService['createApiToken']>) {
    return this.apiTokens.createApiToken(...args);
  }

  listApiTokens() {
    return this.apiTokens.listApiTokens();
  }

  revokeApiToken(...args: Parameters<ApiTokensService['revokeApiToken']>): Promise<void> {
    return this.apiTokens.revokeApiToken(...args);
  }

  // What a principal may see

  /** The ids of the teams a principal may read, or 'all'. */
  async visibleTeams(principal: Principal | undefined): Promise<'all' | Set<string>> {
    if (!principal) return new Set();
    if (principal.kind === 'token') return 'all';
    if (principal.role === 'admin') return 'all';
    return new Set(await this.accounts.visibleTeamIds(principal.id));
  }

  async teamIdBySlug(slug: unknown): Promise<string | undefined> {
    // Only what a slug can look like reaches the database (guards run before the pipes).
    if (typeof slug !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug) || slug.length > 64)
      return undefined;
    return (await this.teams.findBySlug(slug))?.id;
  }

  private checkRole(role: string): Role {
    if (!(ROLES as readonly string[]).includes(role))
      throw AccountErrors.invalid(`role must be one of ${ROLES.join(', ')}.`);
    return role as Role;
  }

  private async teamIdsOf(slugs: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const slug of [...new Set(slugs)]) {
      const team = await this.teams.findBySlug(slug);
      if (!team) throw AccountErrors.invalid(`No team "${slug}".`);
      ids.push(team.id);
    }
    return ids;
  }
}

/** A display name from the provider: trimmed, control characters dropped, at most 200. */
function cleanName(raw: string): string {
  return (
    raw
      // eslint-disable-next-line no-control-regex -- dropping control characters is the point
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .trim()
      .slice(0, 200)
  );
}
