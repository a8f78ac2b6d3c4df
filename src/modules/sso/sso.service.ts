import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import * as oidc from 'openid-client';
import { DomainError } from '../../common/errors/domain-error';
import { safeNext } from '../../common/http/safe-next';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AccountsService } from '../accounts/accounts.service';
import type { AppUser } from '../accounts/entities/app-user.entity';
import { ExternalSignIn, type ExternalSignInProvider } from '../accounts/external-sign-in';
import { SessionsService } from '../accounts/sessions.service';
import { AuditService } from '../audit/audit.service';
import {
  type EmployeeSessionStarted,
  EmployeeSessionsService,
} from '../employees/employee-sessions.service';
import { emailVerified, groupsOf, mapGroups } from './group-mapping';
import { OidcClient } from './oidc-client';
import { SsoErrors } from './sso.errors';
import { SsoRepository } from './sso.repository';

/** How long a sign-in may take at the provider before its state expires. */
export const STATE_MINUTES = 10;

/**
 * Sign-ins started per address: each keeps a row for STATE_MINUTES, so a flood would fill the
 * table. Far above what a person (or an office behind one address) needs.
 */
const STARTS_PER_IP = { name: 'sso-start-ip', limit: 60, windowSeconds: 600 };

/** Someone the identity provider vouches for, after every check of the ID token. */
export interface VerifiedIdentity {
  /** Lower-cased; the provider says it is verified (`email_verified`). */
  email: string;
  /** The provider's `sub`. */
  subject: string;
  /** The ID token's `iss` (already checked against OIDC_ISSUER); defaults to OIDC_ISSUER. */
  issuer?: string;
  /** The groups or roles of OIDC_GROUPS_CLAIM. */
  groups: string[];
  /** A display name, when the provider gives one. */
  name?: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/**
 * Staff sign-in through the OpenID Connect provider (docs/sso.md): starts the sign-in, checks
 * the provider's answer, maps groups to a role and teams, opens the session. Every refusal has
 * its code (SsoRefusal), its page and an `auth.sso_refused` audit entry.
 */
@Injectable()
export class SsoService implements OnModuleInit, ExternalSignInProvider {
  constructor(
    private readonly repository: SsoRepository,
    private readonly client: OidcClient,
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly external: ExternalSignIn,
    private readonly audit: AuditService,
    private readonly rateLimits: RateLimitService,
    private readonly employees: EmployeeSessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Without OIDC_ISSUER nothing registers: the sign-in page and passwords stay as they are.
    if (this.client.configured) this.external.register(this);
  }

  get configured(): boolean {
    return this.client.configured;
  }

  /**
   * A new sign-in: its state, nonce and PKCE verifier kept server-side (only the state's hash
   * names the row), single use, for STATE_MINUTES. Returns the provider's authorization URL and
   * the state, which the browser also keeps in a cookie (a callback from another browser is
   * refused).
   */
  async start(next: unknown, request: { ip: string }): Promise<{ url: string; state: string }> {
    await this.rateLimits.enforce(STARTS_PER_IP, request.ip, 'sign-ins started from this address');
    const checks = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const url = await this.client.authorizationUrl(checks);
    await this.repository.purgeStates();
    await this.repository.insertState(
      sha256(checks.state),
      { codeVerifier: checks.codeVerifier, nonce: checks.nonce, nextPath: safeNext(next) },
      STATE_MINUTES,
    );
    return { url, state: checks.state };
  }

  /**
   * The provider's answer at the redirect URI: state (single use, not expired, this browser's),
   * code exchange, ID token checks, verified e-mail, then the account (signInVerifiedIdentity).
   * Returns the new session's cookie value and where to go.
   */
  async callback(
    query: Record<string, unknown>,
    rawQuery: string,
    browserState: string | undefined,
    request: { ip: string },
  ): Promise<
    { sessionId: string; next: string } | { employee: EmployeeSessionStarted; next: string }
  > {
    let email: string | undefined;
    try {
      const state = typeof query.state === 'string' ? query.state : '';
      if (state.length < 16 || state.length > 200) throw SsoErrors.stateInvalid();
      const taken = await this.repository.takeState(sha256(state));
      if (!taken) throw SsoErrors.stateInvalid();
      if (taken.expired) throw SsoErrors.stateExpired();
      if (!browserState || !sameText(browserState, state)) throw SsoErrors.stateInvalid();
      const { claims, idToken } = await this.client.exchange(rawQuery, {
        state,
        nonce: taken.nonce,
        codeVerifier: taken.codeVerifier,
      });
      email = typeof claims.email === 'string' ? claims.email.slice(0, 320) : undefined;
      const identity = this.identityOf(claims);
      const user = await this.signInVerifiedIdentity(identity);
      if ('employee' in user)
        return { employee: user.employee, next: employeeNext(taken.nextPath) };
      const { sessionId } = await this.sessions.openSession(user, request, 'sso');
      await this.repository.insertSession(sha256(sessionId), idToken);
      return { sessionId, next: taken.nextPath };
    } catch (error) {
      if (error instanceof DomainError && error.code.startsWith('sso.')) {
        const detail = (error.details as { detail?: unknown } | undefined)?.detail;
        await this.audit.record({
          action: 'auth.sso_refused',
          target: email ?? null,
          ip: request.ip,
          details: {
            reason: error.code.slice('sso.'.length),
            ...(typeof detail === 'string' ? { detail: detail.slice(0, 300) } : {}),
          },
        });
      }
      throw error;
    }
  }

  /**
   * THE SEAM between a verified identity and a session. Every sign-in through the provider
   * reaches here once the ID token is checked, with `{ email, subject, groups }`:
   * - the account is the one bound to (issuer, subject) at an earlier sign-in, else the one with
   *   this e-mail; an e-mail whose account is bound to another subject is refused
   *   (`sso.email_reassigned`: the provider gave the address to someone else);
   * - a staff account that is disabled: refused (`sso.account_disabled`);
   * - the break-glass administrator: refused (`sso.break_glass`), its role never touched;
   * - groups that no mapping rule maps: refused (`sso.no_mapping`), and an existing account loses
   *   its access (disabled, role and teams stripped, every session ended);
   * - no account yet: created with the mapped role and teams when OIDC_ALLOW_CREATE, else
   *   refused (`sso.no_account`);
   * - else the account's role and teams become what the groups map to (recomputed each time).
   * A successful sign-in binds the account to (issuer, subject) when it is not bound yet.
   * Employees: where `noMapping` / `noAccount` would be thrown, an active employee of the
   * directory with this verified e-mail (not on an address-change hold) gets an employee
   * session instead (`{ employee }`, docs/employees.md); anyone else is refused as before.
   */
  async signInVerifiedIdentity(
    identity: VerifiedIdentity,
  ): Promise<AppUser | { employee: EmployeeSessionStarted }> {
    const issuer = identity.issuer ?? this.config.oidc?.issuer ?? '';
    const existing = await this.accountOf(identity, issuer);
    if (existing?.disabled) throw SsoErrors.accountDisabled();
    if (existing && existing.id === (await this.repository.setting()).breakGlassUserId)
      throw SsoErrors.breakGlass();
    const access = mapGroups(identity.groups, await this.repository.listRules());
    if (!access) {
      // The provider no longer gives this person any access: neither may a password or an open
      // session (docs/sso.md, "A group taken away").
      if (existing) await this.accounts.revokeProvidedAccess(existing, 'no_mapping');
      // The employee seam (docs/sso.md, "Employees"): an active employee of the directory (not
      // on an address-change hold) gets an employee session instead of the refusal.
      return this.asEmployee(identity, SsoErrors.noMapping());
    }
    if (!existing) {
      if (!this.config.oidc?.allowCreate) return this.asEmployee(identity, SsoErrors.noAccount());
      const created = await this.accounts.createFromProvider({
        email: identity.email,
        name: identity.name ?? identity.email,
        role: access.role,
        teamIds: access.teamIds,
      });
      await this.bind(issuer, identity.subject, created.id);
      return created;
    }
    await this.bind(issuer, identity.subject, existing.id);
    return this.accounts.applyProvidedAccess(existing, access.role, access.teamIds);
  }

  /**
   * The account bound to this person of the provider, else the one with their verified e-mail
   * unless that one is bound to someone else there.
   */
  private async accountOf(identity: VerifiedIdentity, issuer: string): Promise<AppUser | null> {
    const boundId = await this.repository.userBoundTo(issuer, identity.subject);
    if (boundId) return this.accounts.findUser(boundId);
    const byEmail = await this.accounts.findByEmail(identity.email);
    if (byEmail) {
      const subject = await this.repository.subjectOf(issuer, byEmail.id);
      if (subject !== undefined && subject !== identity.subject) throw SsoErrors.emailReassigned();
    }
    return byEmail;
  }

  /** Keeps (issuer, subject) for the account; refused when another subject got there first. */
  private async bind(issuer: string, subject: string, userId: string): Promise<void> {
    if ((await this.repository.bind(issuer, subject, userId)) !== subject)
      throw SsoErrors.emailReassigned();
  }

  private async asEmployee(identity: VerifiedIdentity, refusal: DomainError) {
    const session = await this.employees.startForVerifiedEmail(identity.email);
    if (!session) throw refusal;
    return { employee: session };
  }

  private identityOf(claims: Record<string, unknown>): VerifiedIdentity {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    // OpenID Connect Core 1.0 §2: `sub` is at most 255 ASCII characters (it is kept as such).
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    if (!subject || subject.length > 255)
      throw SsoErrors.tokenInvalid('sub is missing or too long');
    const issuer = typeof claims.iss === 'string' && claims.iss.length <= 500 ? claims.iss : '';
    if (!issuer) throw SsoErrors.tokenInvalid('iss is missing or too long');
    if (!email || email.length > 320 || !emailVerified(claims)) throw SsoErrors.emailUnverified();
    return {
      email,
      subject,
      issuer,
      groups: groupsOf(claims, this.config.oidc?.groupsClaim ?? 'groups'),
      name: typeof claims.name === 'string' ? claims.name : undefined,
    };
  }

  // How the provider changes signing in (ExternalSignInProvider, registered at start)

  async ssoOnly(): Promise<boolean> {
    return (await this.repository.setting()).ssoOnly;
  }

  async passwordAllowed(userId: string): Promise<boolean> {
    const setting = await this.repository.setting();
    return !setting.ssoOnly || setting.breakGlassUserId === userId;
  }

  async signOutUrl(sessionId: string): Promise<string | undefined> {
    if (typeof sessionId !== 'string' || sessionId.length > 100) return undefined;
    const idToken = await this.repository.idTokenOf(sha256(sessionId));
    if (!idToken) return undefined;
    return this.client.endSessionUrl(idToken, `${this.config.baseUrl}/login`);
  }
}

/** An employee goes back to their own pages or the service directory only; else "my surveys". */
function employeeNext(next: string): string {
  return /^\/(me|services)(\/|\?|$)/.test(next) ? next : '/me/surveys';
}

function sameText(a: string, b: string): boolean {
  const x = sha256(a);
  const y = sha256(b);
  return timingSafeEqual(x, y);
}
