import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CurrentUser,
  Pages,
  Public,
  type SignedInUser,
} from '../../common/access/access.decorator';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { ACCOUNT_WORDING } from './account-page-words';
import { CSRF_COOKIE, csrfToken, csrfValid, ensureCsrfNonce } from '../../common/http/csrf';
import { asForm, textField } from '../../common/http/form-fields';
import { safeNext } from '../../common/http/safe-next';
import { sentFromThisSite } from '../../common/http/same-origin';
import { pageContext } from '../../common/views/page-context';
import { sharedI18n, tr, UI_LANG_COOKIE } from '../../common/i18n/request-locale';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { DomainError } from '../../common/errors/domain-error';
import { AccountErrors } from './accounts.errors';
import { AccountsService } from './accounts.service';
import { ExternalSignIn } from './external-sign-in';
import { SessionsService } from './sessions.service';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem, passwordProblemKind } from './passwords';
import { SignInThrottle } from './sign-in-throttle';

const LANG_COOKIE_OPTIONS = {
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  maxAge: 365 * 86_400,
};

/** Sign-in, sign-out, password change, and the set-password link of an invitation. */
@ApiExcludeController()
@Controller()
export class AccountPagesController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
    private readonly throttle: SignInThrottle,
    private readonly external: ExternalSignIn,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('login')
  @Public()
  async loginPage(
    @Query('next') next: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    if (await this.sessions.authenticateSession(request.cookies?.[this.sessions.sessionCookie])) {
      return reply.redirect(safeNext(next), 303);
    }
    return this.renderLogin(request, reply, 200, { next: safeNext(next) });
  }

  @Post('login')
  @Public()
  async login(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const form = asForm(body);
    const next = safeNext(form.next);
    if (!sentFromThisSite(request.headers, this.config.baseUrl)) {
      return this.renderLogin(request, reply, 403, {
        next,
        error: tr(request)('errors.codes.auth.cross_site'),
      });
    }
    if (!csrfValid(this.config.appSecret, request.cookies?.[CSRF_COOKIE], 'login', form._csrf)) {
      return this.renderLogin(request, reply, 403, {
        next,
        error: tr(request)('errors.codes.auth.form_expired'),
      });
    }
    return showDomainErrors(
      reply,
      ['unauthorized', 'forbidden', 'rate_limited'],
      async () => {
        const { sessionId, device } = await this.sessions.login(
          textField(form, 'email'),
          textField(form, 'password'),
          { ip: request.ip, device: request.cookies?.[this.throttle.deviceCookie] },
        );
        const secure = this.config.baseUrl.startsWith('https:');
        reply.setCookie(this.sessions.sessionCookie, sessionId, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: this.config.sessionAbsoluteHours * 3600,
        });
        // Lets this browser sign in to this account even while others are throttled for it.
        reply.setCookie(this.throttle.deviceCookie, device, {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure,
          maxAge: this.throttle.deviceMaxAgeSeconds,
        });
        return reply.redirect(next, 303);
      },
      (error, status) =>
        this.renderLogin(request, reply, status, {
          next,
          error: errorText(request, error),
          email: textField(form, 'email').slice(0, 320),
        }),
    );
  }

  @Post('logout')
  @Pages()
  async logout(
    @CurrentUser() user: SignedInUser,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const sessionId = request.cookies?.[this.sessions.sessionCookie];
    // Read before the session ends: a session opened by the identity provider signs out there too.
    const providerSignOut = await this.external.signOutUrl(sessionId);
    await this.sessions.logout(sessionId, user, { ip: request.ip });
    reply.clearCookie(this.sessions.sessionCookie, { path: '/' });
    if (!providerSignOut) return reply.redirect('/login', 303);
    request.principal = undefined; // signed out: the page shows no navigation
    // A page that moves on by itself, not a redirect: the form's CSP (`form-action 'self'`)
    // would stop a redirect of this POST to the provider's site.
    return reply
      .code(200)
      .view(
        'pages/sso/signing-out.hbs',
        pageContext(request, tr(request)('sso.signing_out.title'), { refreshTo: providerSignOut }),
      );
  }

  /**
   * The language switch of signed-in pages: saved on the account (pages and mails to this person
   * follow it) and in a cookie; `auto` goes back to the browser's language.
   */
  @Post('account/language')
  @Pages()
  async chooseLanguage(
    @CurrentUser() user: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const asked = textField(form, 'locale');
    const i18n = sharedI18n();
    const locale = asked === 'auto' ? null : i18n.has(asked) ? asked : undefined;
    if (locale === undefined)
      throw AccountErrors.invalid(
        tr(request)('errors.codes.account.unknown_language', {
          asked: asked.slice(0, 20),
          codes: i18n.locales.map((l) => l.code).join(', '),
        }),
      );
    await this.accounts.setLanguage(user.id, locale);
    if (locale) reply.setCookie(UI_LANG_COOKIE, locale, LANG_COOKIE_OPTIONS);
    else reply.clearCookie(UI_LANG_COOKIE, { path: '/' });
    return reply.redirect(safeNext(textField(form, 'next')), 303);
  }

  /** The switch on pages before signing in (the sign-in page): a cookie only. */
  @Get('language')
  @Public()
  async chooseLanguageSignedOut(
    @Query('lang') lang: unknown,
    @Query('next') next: unknown,
    @Res() reply: FastifyReply,
  ) {
    const i18n = sharedI18n();
    if (typeof lang === 'string' && i18n.has(lang))
      reply.setCookie(UI_LANG_COOKIE, lang, LANG_COOKIE_OPTIONS);
    return reply.redirect(safeNext(next), 303);
  }

  @Get('account/password')
  @Pages()
  async passwordPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const done = (request.query as Record<string, unknown>).changed === '1';
    return reply.view(
      'pages/accounts/password.hbs',
      pageContext(request, tr(request)('account.password.title'), { min: PASSWORD_MIN, done }),
    );
  }

  @Post('account/password')
  @Pages()
  async changePassword(
    @CurrentUser() user: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        if (textField(form, 'password') !== textField(form, 'confirm'))
          throw AccountErrors.invalid(tr(request)('errors.codes.account.passwords_differ'));
        await this.sessions.changePassword(
          user,
          String(request.cookies?.[this.sessions.sessionCookie]),
          textField(form, 'current'),
          textField(form, 'password'),
          { ip: request.ip },
        );
        return reply.redirect('/account/password?changed=1', 303);
      },
      (error, status) =>
        reply.code(status).view(
          'pages/accounts/password.hbs',
          pageContext(request, tr(request)('account.password.title'), {
            min: PASSWORD_MIN,
            error: passwordErrorText(request, error, textField(form, 'password'), user.email),
          }),
        ),
    );
  }

  @Get('account/setup/:token')
  @Public()
  async setupPage(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store');
    if (!(await this.accounts.setPasswordLinkIsUsable(token)))
      return this.renderSetup(request, reply, token, 410, { gone: true });
    return this.renderSetup(request, reply, token, 200, {});
  }

  @Post('account/setup/:token')
  @Public()
  async setup(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store');
    const form = asForm(body);
    if (!sentFromThisSite(request.headers, this.config.baseUrl)) {
      return this.renderSetup(request, reply, token, 403, {
        error: tr(request)('errors.codes.auth.cross_site'),
      });
    }
    if (
      !csrfValid(
        this.config.appSecret,
        request.cookies?.[CSRF_COOKIE],
        `setup\n${token}`,
        form._csrf,
      )
    ) {
      return this.renderSetup(request, reply, token, 403, {
        error: tr(request)('errors.codes.auth.form_expired'),
      });
    }
    return showDomainErrors(
      reply,
      ['invalid', 'gone'],
      async () => {
        if (textField(form, 'password') !== textField(form, 'confirm'))
          throw AccountErrors.invalid(tr(request)('errors.codes.account.passwords_differ'));
        await this.accounts.acceptSetPasswordLink(token, textField(form, 'password'), {
          ip: request.ip,
        });
        return reply.redirect('/login', 303);
      },
      (error, status) =>
        this.renderSetup(request, reply, token, status, {
          error: passwordErrorText(request, error, textField(form, 'password')),
          gone: error.kind === 'gone',
        }),
    );
  }

  private nonce(request: FastifyRequest, reply: FastifyReply): string {
    return ensureCsrfNonce(request, reply, {
      path: '/',
      secure: this.config.baseUrl.startsWith('https:'),
    });
  }

  private async renderLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const csrf = csrfToken(this.config.appSecret, this.nonce(request, reply), 'login');
    const sso = this.external.enabled;
    return reply.code(status).view('pages/accounts/login.hbs', {
      ...pageContext(request, tr(request)('account.login.title')),
      loginCsrf: csrf,
      sso,
      ssoOnly: sso && (await this.external.ssoOnly()),
      ssoStart: `/sso/start?next=${encodeURIComponent(String(extra.next ?? '/'))}`,
      ...extra,
    });
  }

  private renderSetup(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const csrf = csrfToken(this.config.appSecret, this.nonce(request, reply), `setup\n${token}`);
    return reply.code(status).view('pages/accounts/setup.hbs', {
      ...pageContext(request, tr(request)('account.setup.title')),
      setupCsrf: csrf,
      action: `/account/setup/${token}`,
      min: PASSWORD_MIN,
      ...extra,
    });
  }
}

/**
 * A refused password in the page's language: a broken password rule by its name (the service
 * says it in English, as the API does), any other error by its code.
 */
function passwordErrorText(
  request: FastifyRequest,
  error: DomainError,
  password: string,
  email?: string,
): string {
  const kind = passwordProblemKind(password, email);
  if (kind && error.message === passwordProblem(password, email))
    return tr(request)(`errors.codes.account.password.${kind}`, {
      min: PASSWORD_MIN,
      max: PASSWORD_MAX,
    });
  return errorText(request, error, {}, ACCOUNT_WORDING);
}
