import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openJson, sealJson, sealJsonAtSize } from '../../common/crypto/sealing';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { SessionsService } from '../accounts/sessions.service';
import { DirectoryService } from '../directory/directory.service';
import { EmployeeSessionsService } from '../employees/employee-sessions.service';
import type { BuiltMail, CancelledMail, ClaimedMail } from '../mail/mail.service';
import { MailService } from '../mail/mail.service';
import { ServicesErrors } from './services.errors';
import { ServicesClock } from './services-clock';
import { ServicesRepository } from './services.repository';

export const PASS_QUEUE = 'services.pass';
export const PASS_PURGE_QUEUE = 'services.pass-purge';
export const PASS_MAIL_KIND = 'services-pass';
export const PASS_COOKIE = 'inpulse_services_pass';
const PASS_PURPOSE = 'services-reader-pass';
const PASS_REQUEST_PURPOSE = 'services-pass-request';
/** Every sealed request is this many bytes before sealing: its length says nothing of the address. */
const SEALED_REQUEST_SIZE = 320;
/** How long a mailed link can be followed (the pass it gives lasts SERVICES_PASS_DAYS). */
export const PASS_LINK_HOURS = 24;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ADDRESS = /^[^\s@<>()",;:]{1,64}@[^\s@<>()",;:]{1,190}\.[^\s@<>()",;:]{1,63}$/;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Who may read the service directory (SERVICES_ACCESS, docs/directory.md). `network`: whoever
 * reaches the app. `link`: a person signed in to inpulse (any role), an employee signed in
 * (docs/employees.md), or a browser holding a
 * reader pass — a sealed HttpOnly cookie holding a pass id and its expiry, given for a
 * single-use link mailed to an active employee's work address, and honoured only while its
 * server-side row (services_reader_session, which names nobody) exists: an HR admin can revoke
 * every pass at once. A pass is not bound to a person, by design (docs/directory.md).
 */
@Injectable()
export class ReaderAccessService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ServicesRepository,
    private readonly sessions: SessionsService,
    private readonly directory: DirectoryService,
    private readonly mail: MailService,
    private readonly jobs: JobsService,
    private readonly clock: ServicesClock,
    private readonly employees: EmployeeSessionsService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ ref: string; sealed: string }>({
      name: PASS_QUEUE,
      handler: (data) => this.runPassRequest(data),
      retryLimit: 3,
    });
    await this.jobs.register({
      name: PASS_PURGE_QUEUE,
      handler: () => this.repository.purgePasses(this.clock.now()),
      cron: '17 3 * * *',
      retryLimit: 1,
    });
    this.mail.registerKind(PASS_MAIL_KIND, { build: (mails) => this.buildPassMails(mails) });
  }

  get mode(): AppConfig['servicesAccess'] {
    return this.config.servicesAccess;
  }

  /** Whether this request may read the directory. */
  async mayRead(request: FastifyRequest): Promise<boolean> {
    if (this.mode === 'network') return true;
    if (await this.holdsPass(request)) return true;
    // An employee signed in (docs/employees.md): their cookie is sent on /services too.
    if (await this.employees.employeeOf(request)) return true;
    const user = await this.sessions.authenticateSession(
      request.cookies?.[this.sessions.sessionCookie],
    );
    return user !== undefined;
  }

  private async holdsPass(request: FastifyRequest): Promise<boolean> {
    const raw = request.cookies?.[PASS_COOKIE];
    if (typeof raw !== 'string' || raw === '' || raw.length > 512) return false;
    const sealed = openJson<{ p?: unknown; e?: unknown }>(
      this.config.appSecret,
      PASS_PURPOSE,
      Buffer.from(raw, 'base64url'),
    );
    const now = this.clock.now();
    if (typeof sealed?.e !== 'number' || sealed.e <= now.getTime()) return false;
    if (typeof sealed.p !== 'string' || !UUID.test(sealed.p)) return false;
    return this.repository.sessionValid(sealed.p, now);
  }

  /** Ends every reader pass given so far (an HR admin's choice; the caller audits it). */
  revokeAllPasses(): Promise<number> {
    return this.repository.revokeSessions(this.clock.now());
  }

  /**
   * "Send me a link": checks only the address's form, then leaves the rest to a job, so the
   * answer (and its timing) is the same whether or not the address is an employee's.
   */
  async requestPass(address: unknown): Promise<void> {
    const email = typeof address === 'string' ? address.trim().toLowerCase() : '';
    if (email.length > 254 || !ADDRESS.test(email)) throw ServicesErrors.badAddress();
    // The job's payload holds the address sealed, at one size (pg-boss keeps payloads in its
    // tables); the job deletes itself, and its archived copy, once it ran.
    const sealed = sealJsonAtSize(
      this.config.appSecret,
      PASS_REQUEST_PURPOSE,
      { email },
      SEALED_REQUEST_SIZE,
    );
    if (!sealed) throw ServicesErrors.badAddress();
    const ref = randomUUID();
    await this.jobs.send(
      PASS_QUEUE,
      { ref, sealed: sealed.toString('base64') },
      { id: ref, retryLimit: 3 },
    );
  }

  /**
   * Job `services.pass`: opens the sealed address, mails a link when it is an active employee's
   * (sendPass), then deletes its own job from pg-boss's job table and archive. A run that fails
   * is retried by pg-boss, its payload sealed meanwhile.
   */
  async runPassRequest(data: { ref?: unknown; sealed?: unknown }): Promise<void> {
    const request =
      typeof data.sealed === 'string'
        ? openJson<{ email?: unknown }>(
            this.config.appSecret,
            PASS_REQUEST_PURPOSE,
            Buffer.from(data.sealed, 'base64'),
          )
        : undefined;
    if (typeof request?.email === 'string') await this.sendPass(request.email);
    if (typeof data.ref === 'string' && /^[0-9a-f-]{36}$/.test(data.ref))
      await this.jobs.deleteJobs(this.repository.jobsExecutor(), PASS_QUEUE, [data.ref], {
        archive: true,
      });
  }

  /** Job `services.pass`: a link mailed to `email` only when it is an active employee's. */
  async sendPass(email: string): Promise<void> {
    const employee = await this.directory.findActiveEmployee(email, null);
    if (!employee) return;
    await this.mail.queueMail({
      kind: PASS_MAIL_KIND,
      to: employee.email,
      locale: employee.locale ?? 'en',
      dedupeKey: `${PASS_MAIL_KIND}:${randomUUID()}`,
      context: { name: employee.name },
    });
  }

  /** At send time: a fresh link per mail, only its hash stored (never in the mail row). */
  private async buildPassMails(
    mails: readonly ClaimedMail[],
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const built = new Map<string, BuiltMail | CancelledMail>();
    const expiresAt = new Date(this.clock.now().getTime() + PASS_LINK_HOURS * 3_600_000);
    for (const mail of mails) {
      const token = randomBytes(32).toString('base64url');
      await this.repository.insertPass(hashOf(token), expiresAt);
      built.set(mail.id, {
        template: 'services-pass',
        subject: { key: 'services.mail.subject' },
        context: {
          name: (mail.context as { name?: string } | null)?.name ?? '',
          link: `${this.config.baseUrl}/services/pass/${token}`,
          hours: PASS_LINK_HOURS,
          days: this.config.servicesPassDays,
        },
      });
    }
    return built;
  }

  /** Whether a mailed link can still be followed (the page shows a button, or says why not). */
  passState(token: string) {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return Promise.resolve('unknown' as const);
    return this.repository.passState(hashOf(token), this.clock.now());
  }

  /** Uses the link once and gives this browser its pass; throws when it cannot be used. */
  async redeem(token: string, reply: FastifyReply): Promise<void> {
    const now = this.clock.now();
    const days = this.config.servicesPassDays;
    const expires = now.getTime() + days * 86_400_000;
    const id = randomUUID();
    const usable =
      /^[A-Za-z0-9_-]{20,100}$/.test(token) &&
      (await this.repository.usePassForSession(hashOf(token), now, id, new Date(expires)));
    if (!usable) throw ServicesErrors.passUnusable();
    reply.setCookie(
      PASS_COOKIE,
      sealJson(this.config.appSecret, PASS_PURPOSE, { p: id, e: expires }).toString('base64url'),
      {
        path: '/services',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.config.baseUrl.startsWith('https:'),
        maxAge: days * 86_400,
      },
    );
  }
}
