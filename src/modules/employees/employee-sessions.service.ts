import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openJson, sealJson, sealJsonAtSize } from '../../common/crypto/sealing';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { ADDRESS_CHANGED_MAIL_KIND, DirectoryService } from '../directory/directory.service';
import type { BuiltMail, CancelledMail, ClaimedMail } from '../mail/mail.service';
import { MailService } from '../mail/mail.service';
import { EmployeeErrors } from './employees.errors';
import { type EmployeeOfSession, EmployeeSessionsRepository } from './employee-sessions.repository';

export const SIGN_IN_QUEUE = 'employees.sign-in';
export const SIGN_IN_PURGE_QUEUE = 'employees.sign-in-purge';
export const SIGN_IN_MAIL_KIND = 'employee-sign-in';
export const EMPLOYEE_COOKIE = 'inpulse_employee';
/**
 * The session cookie is set on these paths only — the employee's own pages and the service
 * directory (with its reviews) — so a browser never sends it to the answer path (/s/…).
 */
export const EMPLOYEE_COOKIE_PATHS = ['/me', '/services'] as const;
const SESSION_PURPOSE = 'employee-session';
const REQUEST_PURPOSE = 'employee-sign-in-request';
/** Every sealed request is this many bytes before sealing: its length says nothing of the address. */
const SEALED_REQUEST_SIZE = 320;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ADDRESS = /^[^\s@<>()",;:]{1,64}@[^\s@<>()",;:]{1,190}\.[^\s@<>()",;:]{1,63}$/;
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** A started employee session: what the cookie carries, and whom it signs in. */
export interface EmployeeSessionStarted {
  id: string;
  employeeId: string;
  expiresAt: Date;
  /** The sealed cookie value (see writeCookies). */
  cookie: string;
}

/**
 * Employees sign in (docs/employees.md): by a single-use link mailed to their directory address,
 * or — once the OIDC work wires it — through the company's identity provider
 * (startForVerifiedEmail). A session is bound to the employee, so "my surveys" can list their
 * open links; it is read only by the employee's pages and the service directory, never by the
 * answer path, which neither reads the cookie nor receives it (the cookie's paths).
 */
@Injectable()
export class EmployeeSessionsService implements OnModuleInit {
  /** Tests fix the clock (expiry); null: the real time. */
  private fixedNow: Date | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: EmployeeSessionsRepository,
    private readonly directory: DirectoryService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ ref: string; sealed: string }>({
      name: SIGN_IN_QUEUE,
      handler: (data) => this.runSignInRequest(data),
      retryLimit: 3,
    });
    await this.jobs.register({
      name: SIGN_IN_PURGE_QUEUE,
      handler: () => this.repository.purge(this.now()),
      cron: '23 3 * * *',
      retryLimit: 1,
    });
    this.mail.registerKind(SIGN_IN_MAIL_KIND, { build: (mails) => this.buildMails(mails) });
    this.mail.registerKind(ADDRESS_CHANGED_MAIL_KIND, {
      build: (mails) => this.buildAddressNotices(mails),
    });
  }

  /** For tests: the time sessions and links are judged at (undefined: the real time). */
  fixClock(at: Date | undefined): void {
    this.fixedNow = at ?? null;
  }

  private now(): Date {
    return this.fixedNow ?? new Date();
  }

  /**
   * "Send me a sign-in link": checks only the address's form, then leaves the rest to a job, so
   * the answer (and its timing) is the same whether or not the address is an active employee's.
   */
  async requestLink(address: unknown): Promise<void> {
    const email = typeof address === 'string' ? address.trim().toLowerCase() : '';
    if (email.length > 254 || !ADDRESS.test(email)) throw EmployeeErrors.badAddress();
    // The job's payload holds the address sealed, at one size (pg-boss keeps payloads in its
    // tables); the job deletes itself, and its archived copy, once it ran.
    const sealed = sealJsonAtSize(
      this.config.appSecret,
      REQUEST_PURPOSE,
      { email },
      SEALED_REQUEST_SIZE,
    );
    if (!sealed) throw EmployeeErrors.badAddress();
    const ref = randomUUID();
    await this.jobs.send(
      SIGN_IN_QUEUE,
      { ref, sealed: sealed.toString('base64') },
      { id: ref, retryLimit: 3 },
    );
  }

  /** Job `employees.sign-in`: mails a link when the address is an active employee's, then deletes itself. */
  async runSignInRequest(data: { ref?: unknown; sealed?: unknown }): Promise<void> {
    const request =
      typeof data.sealed === 'string'
        ? openJson<{ email?: unknown }>(
            this.config.appSecret,
            REQUEST_PURPOSE,
            Buffer.from(data.sealed, 'base64'),
          )
        : undefined;
    if (typeof request?.email === 'string') await this.sendLink(request.email);
    if (typeof data.ref === 'string' && UUID.test(data.ref))
      await this.jobs.deleteJobs(this.repository.jobsExecutor(), SIGN_IN_QUEUE, [data.ref], {
        archive: true,
      });
  }

  /**
   * Whether the employee's address changed less than EMPLOYEE_ADDRESS_HOLD_DAYS ago: then they
   * cannot sign in (link or provider) nor have a survey link mailed again, so whoever changed the
   * address to one they hold cannot take the person's links before the previous address is told.
   */
  onHold(employee: { emailChangedAt?: Date | string | null }): boolean {
    if (!employee.emailChangedAt) return false;
    const changed = new Date(employee.emailChangedAt).getTime();
    return this.now().getTime() - changed < this.config.employeeAddressHoldDays * 86_400_000;
  }

  /** A sign-in link mailed to `email` only when it is an active employee's, not on hold. */
  async sendLink(email: string): Promise<void> {
    const employee = await this.directory.findActiveEmployee(email, null);
    if (!employee || this.onHold(employee)) return;
    await this.mail.queueMail({
      kind: SIGN_IN_MAIL_KIND,
      to: employee.email,
      locale: employee.locale ?? 'en',
      dedupeKey: `${SIGN_IN_MAIL_KIND}:${randomUUID()}`,
      context: { name: employee.name, employeeId: employee.id },
    });
  }

  /** At send time: a fresh link per mail, only its hash stored (never in the mail row). */
  private async buildMails(
    mails: readonly ClaimedMail[],
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const built = new Map<string, BuiltMail | CancelledMail>();
    const minutes = this.config.employeeSignInLinkMinutes;
    const expiresAt = new Date(this.now().getTime() + minutes * 60_000);
    for (const mail of mails) {
      const context = (mail.context ?? {}) as { name?: string; employeeId?: string };
      if (typeof context.employeeId !== 'string' || !UUID.test(context.employeeId)) {
        built.set(mail.id, { cancel: 'no employee' });
        continue;
      }
      const token = randomBytes(32).toString('base64url');
      await this.repository.insertLink(hashOf(token), context.employeeId, expiresAt);
      built.set(mail.id, {
        template: 'employee-sign-in',
        subject: { key: 'employees.mail.subject' },
        context: {
          name: context.name ?? '',
          link: `${this.config.baseUrl}/me/sign-in/${token}`,
          minutes,
        },
      });
    }
    return built;
  }

  /** The notice to a previous address: no link, only what happened and whom to ask. */
  private buildAddressNotices(
    mails: readonly ClaimedMail[],
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const built = new Map<string, BuiltMail | CancelledMail>();
    for (const mail of mails) {
      const context = (mail.context ?? {}) as { name?: string };
      built.set(mail.id, {
        template: 'employee-address-changed',
        subject: { key: 'employees.address_mail.subject' },
        context: { name: context.name ?? '', days: this.config.employeeAddressHoldDays },
      });
    }
    return Promise.resolve(built);
  }

  /** Whether a mailed link can still be followed (the page shows a button, or says why not). */
  linkState(token: string) {
    if (!TOKEN.test(token)) return Promise.resolve('unknown' as const);
    return this.repository.linkState(hashOf(token), this.now());
  }

  /** Uses the link once and signs this browser in; throws when it cannot be used. */
  async redeem(token: string, reply: FastifyReply): Promise<void> {
    const id = randomUUID();
    const expiresAt = this.sessionExpiry();
    const employeeId = TOKEN.test(token)
      ? await this.repository.useLinkForSession(hashOf(token), this.now(), id, expiresAt)
      : undefined;
    if (!employeeId) throw EmployeeErrors.linkUnusable();
    // A link mailed before the address changed (or one the job sent in the same second).
    const employee = await this.repository.employeeOf(id, this.now());
    if (!employee || this.onHold(employee)) {
      await this.repository.deleteSession(id);
      throw EmployeeErrors.linkUnusable();
    }
    this.writeCookies(reply, { id, employeeId, expiresAt, cookie: this.seal(id, expiresAt) });
  }

  /**
   * For the identity provider's callback (OIDC): opens a session for the active employee whose
   * directory address is `email` — an address the provider has verified — or answers null when
   * there is none (unknown or inactive). The caller sets the cookie with writeCookies(reply, …)
   * and sends the browser on (e.g. to /me/surveys). Writes one employee_session row, nothing else.
   */
  async startForVerifiedEmail(email: string): Promise<EmployeeSessionStarted | null> {
    const employee = await this.directory.findActiveEmployee(email, null);
    if (!employee || this.onHold(employee)) return null;
    const id = randomUUID();
    const expiresAt = this.sessionExpiry();
    await this.repository.insertSession(id, employee.id, expiresAt);
    return { id, employeeId: employee.id, expiresAt, cookie: this.seal(id, expiresAt) };
  }

  /** Sets the session cookie on each of EMPLOYEE_COOKIE_PATHS (HttpOnly, SameSite=Lax, sealed). */
  writeCookies(reply: FastifyReply, session: EmployeeSessionStarted): void {
    const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
    for (const path of EMPLOYEE_COOKIE_PATHS)
      reply.setCookie(EMPLOYEE_COOKIE, session.cookie, { ...this.cookieOptions(path), maxAge });
  }

  /** The signed-in employee of this request, while the session lives and the person is active. */
  async employeeOf(request: FastifyRequest): Promise<EmployeeOfSession | undefined> {
    const id = this.sessionIdOf(request);
    return id ? this.repository.employeeOf(id, this.now()) : undefined;
  }

  /** Ends this browser's session: the row is deleted and the cookies cleared. */
  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = this.sessionIdOf(request);
    if (id) await this.repository.deleteSession(id);
    for (const path of EMPLOYEE_COOKIE_PATHS)
      reply.clearCookie(EMPLOYEE_COOKIE, this.cookieOptions(path));
  }

  private sessionIdOf(request: FastifyRequest): string | undefined {
    const raw = request.cookies?.[EMPLOYEE_COOKIE];
    if (typeof raw !== 'string' || raw === '' || raw.length > 512) return undefined;
    const sealed = openJson<{ s?: unknown; e?: unknown }>(
      this.config.appSecret,
      SESSION_PURPOSE,
      Buffer.from(raw, 'base64url'),
    );
    if (typeof sealed?.e !== 'number' || sealed.e <= this.now().getTime()) return undefined;
    return typeof sealed.s === 'string' && UUID.test(sealed.s) ? sealed.s : undefined;
  }

  private seal(id: string, expiresAt: Date): string {
    return sealJson(this.config.appSecret, SESSION_PURPOSE, {
      s: id,
      e: expiresAt.getTime(),
    }).toString('base64url');
  }

  private sessionExpiry(): Date {
    return new Date(this.now().getTime() + this.config.employeeSessionDays * 86_400_000);
  }

  private cookieOptions(path: string) {
    return {
      path,
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.baseUrl.startsWith('https:'),
    };
  }
}
