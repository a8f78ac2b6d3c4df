import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/access.decorator';
import type { DomainError } from '../../common/errors/domain-error';
import { showDomainErrors } from '../../common/http/form-errors';
import { tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SessionsService } from '../accounts/sessions.service';
import { EmployeeSessionsService } from '../employees/employee-sessions.service';
import { SsoErrors } from './sso.errors';
import { SsoService, STATE_MINUTES } from './sso.service';

/** The browser's copy of its sign-in's state: a provider answer from another browser is refused. */
export const STATE_COOKIE = 'inpulse_sso_state';

/**
 * Signing in through the identity provider: `/sso/start` sends the browser there, the provider
 * sends it back to `/sso/callback` (OIDC_REDIRECT_URI). Both public: the person is not signed in
 * yet. A refusal is a page of its own, in the page's language, with a 4xx status.
 */
@ApiExcludeController()
@Controller('sso')
export class SsoPagesController {
  constructor(
    private readonly sso: SsoService,
    private readonly sessions: SessionsService,
    private readonly employees: EmployeeSessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('start')
  @Public()
  async start(
    @Query('next') next: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    if (!this.sso.configured) throw SsoErrors.notConfigured();
    reply.header('Cache-Control', 'no-store');
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        const { url, state } = await this.sso.start(next, { ip: request.ip });
        reply.setCookie(STATE_COOKIE, state, {
          path: '/sso',
          httpOnly: true,
          // Lax: the provider sends the browser back with a top-level GET from its own site.
          sameSite: 'lax',
          secure: this.config.baseUrl.startsWith('https:'),
          maxAge: STATE_MINUTES * 60,
        });
        return reply.redirect(url, 303);
      },
      (error, status) => this.refused(request, reply, error, status),
    );
  }

  @Get('callback')
  @Public()
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.sso.configured) throw SsoErrors.notConfigured();
    // The URL holds a one-time code: no caching, and not sent on as a referrer.
    reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer');
    const at = request.url.indexOf('?');
    const rawQuery = at >= 0 ? request.url.slice(at + 1) : '';
    const query = (request.query ?? {}) as Record<string, unknown>;
    const browserState = request.cookies?.[STATE_COOKIE];
    reply.clearCookie(STATE_COOKIE, { path: '/sso' });
    return showDomainErrors(
      reply,
      ['invalid', 'forbidden', 'gone'],
      async () => {
        const done = await this.sso.callback(query, rawQuery, browserState, {
          ip: request.ip,
        });
        if ('employee' in done) {
          this.employees.writeCookies(reply, done.employee);
          return reply.redirect(done.next, 303);
        }
        const { sessionId, next } = done;
        reply.setCookie(this.sessions.sessionCookie, sessionId, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: this.config.baseUrl.startsWith('https:'),
          maxAge: this.config.sessionAbsoluteHours * 3600,
        });
        return reply.redirect(next, 303);
      },
      (error, status) => this.refused(request, reply, error, status),
    );
  }

  private refused(
    request: FastifyRequest,
    reply: FastifyReply,
    error: DomainError,
    status: number,
  ) {
    const reason = error.code.replace(/^sso\./, '');
    const t = tr(request);
    return reply.code(status).view(
      'pages/sso/refused.hbs',
      pageContext(request, t(`sso.refused.${reason}.title`), {
        // The language links come back to the sign-in page, never to this URL (its code).
        returnTo: '/login',
        reason,
        body: t(`sso.refused.${reason}.body`),
      }),
    );
  }
}
