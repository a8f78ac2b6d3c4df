import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Principal, SignedInUser, TokenPrincipal } from '../../common/access/access.decorator';
import { ROLES, type Role, SCOPES, type Scope } from '../../common/access/roles';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { hasControlCharacters } from '../../common/text';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { AuditService } from '../audit/audit.service';
import { MailService } from '../mail/mail.service';
import { TeamsService } from '../teams/teams.service';
import { AccountErrors } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { type SignInClient, SignInThrottle } from './sign-in-throttle';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const secret = () => randomBytes(32).toString('base64url');
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;
const INVITE_DAYS = 7;

export interface RequestInfo {
  ip: string;
}

export const PURGE_QUEUE = 'accounts.purge';

@Injectable()
export class AccountsService implements OnModuleInit {
  private readonly logger = new Logger('Accounts');

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly rateLimits: RateLimitService,
    private readonly throttle: SignInThrottle,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: PURGE_QUEUE,
      cron: '17 * * * *',
      handler: () => this.purge(),
      retryLimit: 2,
    });
  }

  /** Job `accounts.purge`, hourly: drops ended sessions and rate-limit windows long past. */
  async purge(): Promise<void> {
    await this.accounts.purgeSessions(this.config.sessionIdleMinutes);
    await this.rateLimits.purge();
  }

  get sessionCookie(): string {
    return this.config.baseUrl.startsWith('https:') ? '__Host-inpulse_session' : 'inpulse_session';
  }

  // Sign-in

  /**
   * Checks the password and opens a new session (a new id every time: no fixation). Throttled
   * (SignInThrottle: per account and address with back-off, per address, per account); every
   * failure is audited. Returns a device cookie value that lets this browser in later even while
   * the account is under attack.
   */
  async login(
    emailInput: string,
    password: string,
    request: SignInClient,
  ): Promise<{ sessionId: string; user: SignedInUser; device: string }> {
    const email = emailInput.trim().toLowerCase().slice(0, 320);
    const admission = await this.throttle.admit(email, request);
    const user = await this.accounts.findUserByEmail(email);
    const ok = await verifyPassword(
      password.slice(0, 1000),
      user && !user.disabled ? user.passwordHash : null,
    );
    if (!user || !ok) {
      await this.audit.record({
        action: 'auth.login_failed',
        target: email,
        ip: request.ip,
        actor: undefined,
      });
      throw AccountErrors.badCredentials();
    }
    await this.throttle.succeeded(admission);
    const sessionId = secret();
    const csrfToken = secret();
    await this.accounts.insertSession(
      sha256(sessionId),
      user.id,
      csrfToken,
      this.config.sessionAbsoluteHours,
    );
    const signedIn: SignedInUser = {
      kind: 'user',
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      csrfToken,
    };
    await this.audit.record({
      action: 'auth.login',
      actor: signedIn,
      target: user.email,
      ip: request.ip,
    });
    return { sessionId, user: signedIn, device: this.throttle.newDevice(email) };
  }

  async logout(
    sessionId: string | undefined,
    user: SignedInUser | undefined,
    request: RequestInfo,
  ): Promise<void> {
    if (sessionId) await this.accounts.deleteSession(sha256(sessionId));
    if (user)
      await this.audit.record({
        action: 'auth.logout',
        actor: user,
        target: user.email,
        ip: request.ip,
      });
  }

  /** The person behind a session cookie, if the session is still alive. */
  async authenticateSession(sessionId: unknown): Promise<SignedInUser | undefined> {
    if (typeof sessionId !== 'string' || sessionId.length < 20 || sessionId.length > 100)
      return undefined;
    const idHash = sha256(sessionId);
    const row = await this.accounts.findLiveSession(idHash, this.config.sessionIdleMinutes);
    if (!row) return undefined;
    if (row.touch) await this.accounts.touchSession(idHash);
    return {
      kind: 'user',
      id: row.user_id,
      email: row.email,
      name: row.name,
      role: row.role,
      csrfToken: row.csrf_token,
    };
  }

  csrfMatches(user: SignedInUser, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const a = sha256(presented);
    const b = sha256(user.csrfToken);
    return timingSafeEqual(a, b);
  }

  async changePassword(
    user: SignedInUser,
    sessionId: string,
    current: string,
    next: string,
    request: RequestInfo,
  ) {
    const account = await this.accounts.findUser(user.id);
    if (!account || !(await verifyPassword(current.slice(0, 1000), account.passwordHash))) {
      await this.audit.record({
        action: 'auth.password_change_failed',
        actor: user,
        target: user.email,
        ip: request.ip,
      });
      throw AccountErrors.invalid('The current password is not right.');
    }
    const problem = passwordProblem(next, user.email);
    if (problem) throw AccountErrors.invalid(problem);
    await this.accounts.setPassword(user.id, await hashPassword(next), sha256(sessionId));
    await this.audit.record({
      action: 'auth.password_changed',
      actor: user,
      target: user.email,
      ip: request.ip,
    });
  }

  // People

  /** Creates an account without a password and mails a link to set one. Returns the link. */
  async invite(
    actor: Principal | undefined,
    input: { email: string; name: string; role: string; teamSlugs: string[] },
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
    await this.mail.send({
      to: email,
      subject: 'You have been invited to inpulse',
      text: `Hello ${name},\n\nYou have been given access to inpulse as ${role}. Choose your password here (the link works once, for ${INVITE_DAYS} days):\n\n${link}\n`,
      html: `<p>Hello ${escapeHtml(name)},</p><p>You have been given access to inpulse as ${role}. Choose your password here (the link works once, for ${INVITE_DAYS} days):</p><p><a href="${link}">${link}</a></p>`,
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

  // API tokens

  async createApiToken(
    actor: Principal | undefined,
    input: { name: string; scopes: string[] },
    request?: RequestInfo,
  ) {
    const name = input.name.trim();
    if (!name || name.length > 100 || hasControlCharacters(name))
      throw AccountErrors.invalid('The token name must be 1–100 characters.');
    const scopes = [...new Set(input.scopes)];
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      throw AccountErrors.invalid(
        `Choose at least one scope among ${SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
      );
    }
    const value = `inp_${secret()}`;
    const token = await this.accounts.insertApiToken({
      name,
      tokenHash: sha256(value),
      prefix: value.slice(0, 12),
      scopes: scopes as Scope[],
      createdBy: actor?.kind === 'user' ? actor.id : null,
    });
    await this.audit.record({
      action: 'api_token.created',
      actor,
      target: name,
      ip: request?.ip,
      details: { scopes },
    });
    return { id: token.id, name, scopes, value };
  }

  listApiTokens() {
    return this.accounts.listApiTokens();
  }

  async revokeApiToken(actor: Principal, id: string, request: RequestInfo): Promise<void> {
    const revoked = await this.accounts.revokeApiToken(id);
    if (!revoked) throw AccountErrors.tokenNotFound();
    await this.audit.record({
      action: 'api_token.revoked',
      actor,
      target: revoked.name,
      ip: request.ip,
    });
  }

  async authenticateToken(value: string): Promise<TokenPrincipal | undefined> {
    if (!value.startsWith('inp_') || value.length > 100) return undefined;
    const token = await this.accounts.useApiToken(sha256(value));
    return token
      ? { kind: 'token', id: token.id, name: token.name, scopes: token.scopes }
      : undefined;
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

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
