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
import { ReviewsService } from '../reviews/reviews.service';
import { ReaderAccessService } from './reader-access.service';
import { SEARCH_MAX_LENGTH } from './service-search';
import { ServicesErrors } from './services.errors';
import { ServicesService } from './services.service';

export const LANG_COOKIE = 'inpulse_services_lang';
const CSRF_SCOPE = 'services-access';

/** "Send me a link" per address (a keyed hash of it) and per client address. */
export const PASS_RATE_LIMITS = {
  perIp: { name: 'services-pass-ip', limit: 10, windowSeconds: 900 },
  perAddress: { name: 'services-pass-address', limit: 3, windowSeconds: 3600 },
};

/**
 * The service directory for employees (docs/directory.md). Every route is public to the access
 * guard and checks the directory's own rule (SERVICES_ACCESS) first: in `link` mode, a reader
 * without a session or pass is sent to /services/access (303). Pages are in the reader's
 * language: ?lang=, then the language chosen on the page (a cookie), then Accept-Language.
 */
@Public()
@ApiExcludeController()
@Controller('services')
export class ServicesPagesController {
  constructor(
    private readonly services: ServicesService,
    private readonly access: ReaderAccessService,
    private readonly rateLimits: RateLimitService,
    private readonly reviews: ReviewsService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async directory(
    @Query('q') q: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, '/services');
    if (!(await this.access.mayRead(request))) return this.toAccess(reply);
    let query: string | undefined;
    let problem: string | undefined;
    if (q !== undefined) {
      if (typeof q !== 'string' || q.length > SEARCH_MAX_LENGTH) {
        problem = this.message(page.locale, ServicesErrors.queryTooLong());
      } else query = q;
    }
    const view = await this.services.directory(page.locale, query);
    await reply.code(problem ? 400 : 200).view('pages/services/index.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'services.title'),
      ...view,
      query: typeof q === 'string' ? q.slice(0, SEARCH_MAX_LENGTH * 2) : '',
      maxLength: SEARCH_MAX_LENGTH,
      problem,
    });
  }

  @Get('access')
  async accessPage(
    @Query('sent') sent: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.access.mode === 'network') return this.toDirectory(reply);
    const page = this.page(request, reply, '/services/access');
    await this.renderAccess(request, reply, page, 200, { sent: sent === '1' });
  }

  @Post('access')
  async requestPass(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.access.mode === 'network') return this.toDirectory(reply);
    const page = this.page(request, reply, '/services/access');
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const email = typeof form.email === 'string' ? form.email.slice(0, 320) : '';
    await showDomainErrors(
      reply,
      ['invalid', 'forbidden', 'rate_limited'],
      async () => {
        const authentic =
          sentFromThisSite(request.headers, this.config.baseUrl) &&
          csrfValid(
            this.config.appSecret,
            request.cookies?.[CSRF_COOKIE],
            CSRF_SCOPE,
            form[CSRF_FIELD],
          );
        if (!authentic) throw ServicesErrors.badForm();
        await this.limit(PASS_RATE_LIMITS.perIp, request.ip);
        const key = keyedHash(
          this.config.appSecret,
          'services-pass-limit',
          email.trim().toLowerCase(),
        );
        await this.limit(PASS_RATE_LIMITS.perAddress, key.toString('base64url'));
        await this.access.requestPass(email);
        // Post/Redirect/Get: the same page whatever the address.
        return reply.redirect('/services/access?sent=1', 303);
      },
      (error, status) =>
        this.renderAccess(request, reply, page, status, {
          email,
          problem: this.message(page.locale, error),
        }),
    );
  }

  @Get('pass/:token')
  async passPage(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.access.mode === 'network') return this.toDirectory(reply);
    const page = this.page(request, reply, '/services/pass');
    reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store');
    const state = await this.access.passState(token);
    if (state !== 'usable')
      return this.renderPassRefused(reply, page, state === 'unknown' ? 404 : 410);
    const nonce = ensureCsrfNonce(request, reply, {
      path: '/services/',
      secure: this.config.baseUrl.startsWith('https:'),
    });
    await reply.code(200).view('pages/services/pass.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'services.pass.title'),
      action: `/services/pass/${token}`,
      csrf: csrfToken(this.config.appSecret, nonce, `${CSRF_SCOPE}:${token}`),
    });
  }

  @Post('pass/:token')
  async redeem(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (this.access.mode === 'network') return this.toDirectory(reply);
    const page = this.page(request, reply, '/services/pass');
    reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store');
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const authentic =
      sentFromThisSite(request.headers, this.config.baseUrl) &&
      csrfValid(
        this.config.appSecret,
        request.cookies?.[CSRF_COOKIE],
        `${CSRF_SCOPE}:${token}`,
        form[CSRF_FIELD],
      );
    if (!authentic) return this.renderPassRefused(reply, page, 403);
    await showDomainErrors(
      reply,
      ['gone'],
      async () => {
        await this.access.redeem(token, reply);
        return reply.redirect('/services', 303);
      },
      () => this.renderPassRefused(reply, page, 410),
    );
  }

  @Get(':slug')
  async team(
    @Param('slug') slug: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const page = this.page(request, reply, `/services/${encodeURIComponent(slug)}`);
    if (!(await this.access.mayRead(request))) return this.toAccess(reply);
    await showDomainErrors(
      reply,
      ['not_found'],
      async () => {
        const view = await this.services.teamPage(slug, page.locale);
        await reply.code(200).view('pages/services/team.hbs', {
          ...page,
          title: view.team.name,
          ...view,
          // The anonymous review request form (the reviews feature's partial and context).
          reviewForm: this.reviews.formContext(request, reply, view.team.slug, page.locale),
        });
      },
      (_error, status) =>
        reply.code(status).view('pages/services/not-found.hbs', {
          ...page,
          title: this.i18n.t(page.locale, 'services.not_found.title'),
        }),
    );
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** The reader's language (and the cookie when ?lang= chose it), and the layout's context. */
  private page(request: FastifyRequest, reply: FastifyReply, path: string) {
    const query = request.query as Record<string, unknown>;
    const asked = typeof query.lang === 'string' ? this.i18n.match(query.lang) : undefined;
    if (asked && asked === query.lang)
      reply.setCookie(LANG_COOKIE, asked, {
        path: '/services',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.config.baseUrl.startsWith('https:'),
        maxAge: 365 * 86_400,
      });
    const chosen = asked === query.lang ? asked : undefined;
    const cookie = request.cookies?.[LANG_COOKIE];
    const locale = chosen ?? this.i18n.negotiate(cookie, request.headers['accept-language']);
    reply
      .header('Cache-Control', 'private, no-store')
      .header('Vary', 'Accept-Language, Cookie')
      .header('Content-Language', locale);
    const q = typeof query.q === 'string' ? `&q=${encodeURIComponent(query.q.slice(0, 200))}` : '';
    return {
      locale,
      dir: this.i18n.info(locale).dir,
      servicesPage: true,
      languages: this.i18n.locales.map((l) => ({
        code: l.code,
        name: l.name,
        dir: l.dir,
        current: l.code === locale,
        href: `${path}?lang=${l.code}${q}`,
      })),
    };
  }

  private message(locale: string, error: DomainError): string {
    const key = `services.errors.${error.code.replace(/^services\./, '')}`;
    const text = this.i18n.t(locale, key, { max: SEARCH_MAX_LENGTH });
    return text === key ? this.i18n.t(locale, 'services.errors.rate_limited') : text;
  }

  private async limit(rule: { name: string; limit: number; windowSeconds: number }, key: string) {
    const { allowed, retryAfterSeconds } = await this.rateLimits.hit(rule, key);
    if (!allowed)
      throw rateLimited('Too many links asked for. Try again later.', retryAfterSeconds);
  }

  private async renderAccess(
    request: FastifyRequest,
    reply: FastifyReply,
    page: ReturnType<ServicesPagesController['page']>,
    status: number,
    extra: { sent?: boolean; email?: string; problem?: string },
  ): Promise<void> {
    const nonce = ensureCsrfNonce(request, reply, {
      path: '/services/',
      secure: this.config.baseUrl.startsWith('https:'),
    });
    await reply.code(status).view('pages/services/access.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'services.access.title'),
      csrf: csrfToken(this.config.appSecret, nonce, CSRF_SCOPE),
      hours: 24,
      ...extra,
    });
  }

  private async renderPassRefused(
    reply: FastifyReply,
    page: ReturnType<ServicesPagesController['page']>,
    status: number,
  ): Promise<void> {
    await reply.code(status).view('pages/services/pass-refused.hbs', {
      ...page,
      title: this.i18n.t(page.locale, 'services.pass.refused_title'),
      forged: status === 403,
    });
  }

  private toAccess(reply: FastifyReply) {
    return reply.redirect('/services/access', 303);
  }

  private toDirectory(reply: FastifyReply) {
    return reply.redirect('/services', 303);
  }
}
