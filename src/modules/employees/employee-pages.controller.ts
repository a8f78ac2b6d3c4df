import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/access.decorator';
import { keyedHash } from '../../common/crypto/sealing';
import { type DomainError, rateLimited } from '../../common/errors/domain-error';
import {
  CSRF_COOKIE,
  CSRF_FIELD,
  csrfToken,
  csrfValid,
  ensureCsrfNonce,
} from '../../common/http/csrf';
import { showDomainErrors } from '../../common/http/form-errors';
import { sentFromThisSite } from '../../common/http/same-origin';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { RateLimitService } from '../../common/rate-limit/rate-limit.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RequestedLinksService } from '../invitations/requested-links.service';
import type { EmployeeOfSession } from './employee-sessions.repository';
import { EmployeeSessionsService } from './employee-sessions.service';
import { EmployeeErrors } from './employees.errors';

const CSRF_SCOPE = 'employee-sign-in';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** "Send me a sign-in link" per client address and per address (a keyed hash of it); re-mails per invitation. */
export const SIGN_IN_RATE_LIMITS = {
  perIp: { name: 'employee-sign-in-ip', limit: 10, windowSeconds: 900 },
  perAddress: { name: 'employee-sign-in-address', limit: 3, windowSeconds: 3600 },
  linkAgain: { name: 'employee-link-again', limit: 3, windowSeconds: 86_400 },
};

type Form = Record<string, unknown>;
const formOf = (body: unknown): Form =>
  (typeof body === 'object' && body !== null ? body : {}) as Form;

/**
 * The employee's own pages (docs/employees.md): signing in by a mailed single-use link, signing
 * out, and "my surveys". Public to the access guard (employees hold no inpulse account); each
 * page checks the employee session itself. These routes sit under /me, and the answer path under
 * /s: the session cookie is never sent there.
 */
@Public()
@ApiExcludeController()
@Controller('me')
export class EmployeePagesController {
  constructor(
    private readonly sessions: EmployeeSessionsService,
    private readonly invitations: RequestedLinksService,
    private readonly rateLimits: RateLimitService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  home(@Res() reply: FastifyReply) {
    return reply.redirect('/me/surveys', 303);
  }

  @Get('sign-in')
  async signInPage(
    @Query('sent') sent: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/sign-in');
    await this.renderSignIn(request, reply, page, 200, { sent: sent === '1' });
  }

  @Post('sign-in')
  async requestLink(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/sign-in');
    const form = formOf(body);
    const email = typeof form.email === 'string' ? form.email.slice(0, 320) : '';
    await showDomainErrors(
      reply,
      ['invalid', 'forbidden', 'rate_limited'],
      async () => {
        if (!this.authentic(request, form, CSRF_SCOPE)) throw EmployeeErrors.badForm();
        await this.limit(SIGN_IN_RATE_LIMITS.perIp, request.ip);
        const key = keyedHash(
          this.config.appSecret,
          'employee-sign-in-limit',
          email.trim().toLowerCase(),
        );
        await this.limit(SIGN_IN_RATE_LIMITS.perAddress, key.toString('base64url'));
        await this.sessions.requestLink(email);
        // Post/Redirect/Get: the same page whatever the address.
        return reply.redirect('/me/sign-in?sent=1', 303);
      },
      (error, status) =>
        this.renderSignIn(request, reply, page, status, {
          email,
          problem: this.message(page.locale, error),
        }),
    );
  }

  /** The mailed link: a page with one button (mail scanners open links: a GET changes nothing). */
  @Get('sign-in/:token')
  async linkPage(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/sign-in');
    reply.header('Referrer-Policy', 'no-referrer');
    const state = await this.sessions.linkState(token);
    if (state !== 'usable') return this.renderRefused(reply, page, state === 'unknown' ? 404 : 410);
    const nonce = this.nonce(request, reply);
    await reply.code(200).view('pages/employees/sign-in-link.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'employees.link.title'),
      action: `/me/sign-in/${token}`,
      csrf: csrfToken(this.config.appSecret, nonce, `${CSRF_SCOPE}:${token}`),
    });
  }

  @Post('sign-in/:token')
  async redeem(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/sign-in');
    reply.header('Referrer-Policy', 'no-referrer');
    if (!this.authentic(request, formOf(body), `${CSRF_SCOPE}:${token}`))
      return this.renderRefused(reply, page, 403);
    await showDomainErrors(
      reply,
      ['gone'],
      async () => {
        await this.sessions.redeem(token, reply);
        return reply.redirect('/me/surveys', 303);
      },
      () => this.renderRefused(reply, page, 410),
    );
  }

  @Post('sign-out')
  async signOut(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/sign-in');
    if (!this.authentic(request, formOf(body), 'employee-pages'))
      return this.renderRefused(reply, page, 403);
    await this.sessions.signOut(request, reply);
    return reply.redirect('/me/sign-in', 303);
  }

  /**
   * My surveys: the links still open for me, by survey, team and closing day, each with a button
   * that mails the link again (links are stored as hashes: none can be shown). Whether I answered
   * is not said: an answer is known only once released with others (then the link is no longer
   * listed), and this page never asks the answer path.
   */
  @Get('surveys')
  async surveys(
    @Query('mailed') mailed: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/surveys');
    const employee = await this.sessions.employeeOf(request);
    if (!employee) return reply.redirect('/me/sign-in', 303);
    await this.renderSurveys(request, reply, page, employee, 200, { mailed: mailed === '1' });
  }

  @Post('surveys/:invitationId/mail')
  async mailAgain(
    @Param('invitationId') invitationId: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/me/surveys');
    const employee = await this.sessions.employeeOf(request);
    if (!employee) return reply.redirect('/me/sign-in', 303);
    await showDomainErrors(
      reply,
      ['forbidden', 'not_found', 'rate_limited'],
      async () => {
        if (!this.authentic(request, formOf(body), 'employee-pages'))
          throw EmployeeErrors.badForm();
        if (!UUID.test(invitationId)) throw EmployeeErrors.surveyNotOpen();
        // The address changed lately: the link would go to the new one (docs/employees.md).
        if (this.sessions.onHold(employee)) throw EmployeeErrors.addressOnHold();
        const key = keyedHash(this.config.appSecret, 'employee-link-again', invitationId);
        await this.limit(SIGN_IN_RATE_LIMITS.linkAgain, key.toString('base64url'));
        if (
          !(await this.invitations.mailLinkAgain(
            { ...employee, id: employee.employeeId },
            invitationId,
          ))
        )
          throw EmployeeErrors.surveyNotOpen();
        return reply.redirect('/me/surveys?mailed=1', 303);
      },
      (error, status) =>
        this.renderSurveys(request, reply, page, employee, status, {
          problem: this.message(page.locale, error),
        }),
    );
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private page(request: FastifyRequest, reply: FastifyReply, path: string) {
    const query = request.query as Record<string, unknown>;
    const asked = typeof query.lang === 'string' ? this.i18n.match(query.lang) : undefined;
    const locale = this.i18n.negotiate(asked, request.headers['accept-language']);
    reply
      .header('Cache-Control', 'private, no-store')
      .header('Vary', 'Accept-Language, Cookie')
      .header('Content-Language', locale)
      .header('X-Robots-Tag', 'noindex, nofollow');
    return {
      locale,
      dir: this.i18n.info(locale).dir,
      servicesPage: true,
      languages: this.i18n.locales.map((l) => ({
        code: l.code,
        name: l.name,
        dir: l.dir,
        current: l.code === locale,
        href: `${path}?lang=${l.code}`,
      })),
    };
  }

  private nonce(request: FastifyRequest, reply: FastifyReply): string {
    return ensureCsrfNonce(request, reply, {
      path: '/me/',
      secure: this.config.baseUrl.startsWith('https:'),
    });
  }

  private authentic(request: FastifyRequest, form: Form, scope: string): boolean {
    return (
      sentFromThisSite(request.headers, this.config.baseUrl) &&
      csrfValid(this.config.appSecret, request.cookies?.[CSRF_COOKIE], scope, form[CSRF_FIELD])
    );
  }

  private message(locale: string, error: DomainError): string {
    const key = `employees.errors.${error.code.replace(/^employees\./, '')}`;
    const text = this.i18n.t(locale, key);
    return text === key ? this.i18n.t(locale, 'employees.errors.rate_limited') : text;
  }

  private async limit(rule: { name: string; limit: number; windowSeconds: number }, key: string) {
    const { allowed, retryAfterSeconds } = await this.rateLimits.hit(rule, key);
    if (!allowed) throw rateLimited('Too many requests. Try again later.', retryAfterSeconds);
  }

  private async renderSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    page: ReturnType<EmployeePagesController['page']>,
    status: number,
    extra: { sent?: boolean; email?: string; problem?: string },
  ): Promise<void> {
    const nonce = this.nonce(request, reply);
    await reply.code(status).view('pages/employees/sign-in.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'employees.sign_in.title'),
      csrf: csrfToken(this.config.appSecret, nonce, CSRF_SCOPE),
      minutes: this.config.employeeSignInLinkMinutes,
      oidc: this.config.oidc !== undefined,
      ...extra,
    });
  }

  private async renderSurveys(
    request: FastifyRequest,
    reply: FastifyReply,
    page: ReturnType<EmployeePagesController['page']>,
    employee: EmployeeOfSession,
    status: number,
    extra: { mailed?: boolean; problem?: string },
  ): Promise<void> {
    const nonce = this.nonce(request, reply);
    const links = await this.invitations.openLinksOf(employee.employeeId);
    await reply.code(status).view('pages/employees/surveys.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'employees.surveys.title'),
      name: employee.name,
      csrf: csrfToken(this.config.appSecret, nonce, 'employee-pages'),
      zone: this.config.organisationTimeZone,
      surveys: links.map((link) => ({
        id: link.invitationId,
        name: link.surveyTitles?.[page.locale] ?? link.surveyName,
        team: link.teamName,
        closesAt: link.closesAt,
      })),
      ...extra,
    });
  }

  private async renderRefused(
    reply: FastifyReply,
    page: ReturnType<EmployeePagesController['page']>,
    status: number,
  ): Promise<void> {
    await reply.code(status).view('pages/employees/link-refused.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'employees.link.refused_title'),
      forged: status === 403,
    });
  }
}
