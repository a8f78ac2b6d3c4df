import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { SignedInUser } from '../../common/access/access.decorator';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { AuditService } from '../audit/audit.service';
import { secret, sha256 } from './account-secrets';
import { AccountErrors } from './accounts.errors';
import { AccountsRepository } from './accounts.repository';
import type { RequestInfo } from './accounts.service';
import type { AppUser } from './entities/app-user.entity';
import { ExternalSignIn } from './external-sign-in';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { type SignInClient, SignInThrottle } from './sign-in-throttle';

export const PURGE_QUEUE = 'accounts.purge';

/** Signing in and out, sessions, the CSRF check and one's own password. */
@Injectable()
export class SessionsService implements OnModuleInit {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly audit: AuditService,
    private readonly rateLimits: RateLimitService,
    private readonly throttle: SignInThrottle,
    private readonly jobs: JobsService,
    private readonly external: ExternalSignIn,
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
    if (!(await this.external.passwordAllowed(user?.id ?? ''))) {
      // SSO only, and this is not the break-glass administrator: the same answer whether the
      // password is right or wrong (or the account unknown), and the password is never checked,
      // so neither the answer nor its time tells a right password from a wrong one.
      await this.audit.record({
        action: 'auth.login_failed',
        target: email,
        ip: request.ip,
        actor: undefined,
        details: { reason: 'sso_only' },
      });
      throw AccountErrors.passwordsOff();
    }
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
    const { sessionId, user: signedIn } = await this.openSession(user, request, 'password');
    return { sessionId, user: signedIn, device: this.throttle.newDevice(email) };
  }

  /**
   * A new session for someone already identified (by password, or by the identity provider):
   * a new id every time, audited as `auth.login` with how they signed in.
   */
  async openSession(
    user: AppUser,
    request: RequestInfo,
    via: 'password' | 'sso',
  ): Promise<{ sessionId: string; user: SignedInUser }> {
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
      locale: user.locale,
      timeZone: user.timeZone,
    };
    await this.audit.record({
      action: 'auth.login',
      actor: signedIn,
      target: user.email,
      ip: request.ip,
      ...(via === 'sso' ? { details: { via } } : {}),
    });
    return { sessionId, user: signedIn };
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
      locale: row.locale,
      timeZone: row.time_zone,
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
}
