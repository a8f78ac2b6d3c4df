import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/access.decorator';
import { CSRF_COOKIE, CSRF_FIELD } from '../../common/http/csrf';
import { showDomainErrors } from '../../common/http/form-errors';
import { sentFromThisSite } from '../../common/http/same-origin';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ReaderAccessService } from '../services/reader-access.service';
import type { ServiceTeam } from '../teams/entities/service-team.entity';
import { reviewAddress, reviewFormAuthentic, reviewFormContext } from './review-form';
import { ReviewsService } from './reviews.service';

/**
 * The public pages of anonymous reviews: the request form of a team (GET; the service
 * directory's team page includes the same partial), the request (POST: Post/Redirect/Get), and
 * the one answer every request gets, whatever the address — known, unknown, inactive, or
 * already reviewed: the work happens in a job, so neither the page, its status, its headers nor
 * its timing says whether the address is in the directory. They are pages of the service
 * directory, so they follow its access rule (SERVICES_ACCESS): in `link` mode a browser with
 * neither a reader pass nor a session is sent to /services/access (303), nothing written.
 */
@Public()
@ApiExcludeController()
@Controller('services')
export class ReviewPagesController {
  constructor(
    private readonly reviews: ReviewsService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Whether this request may read the directory. The directory's module includes the review
   * form on its team pages (it imports this module), so its reader check is looked up at run
   * time rather than imported; without it, link mode lets nobody in.
   */
  private async mayRead(request: FastifyRequest): Promise<boolean> {
    if (this.config.servicesAccess === 'network') return true;
    let access: ReaderAccessService | undefined;
    try {
      access = this.moduleRef.get(ReaderAccessService, { strict: false });
    } catch {
      access = undefined;
    }
    return access ? access.mayRead(request) : false;
  }

  /** False (and a 303 to the access page) when the reader may not read the directory. */
  private async admitted(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (await this.mayRead(request)) return true;
    await reply.redirect('/services/access', 303);
    return false;
  }

  @Get(':slug/review')
  async form(
    @Param('slug') slug: string,
    @Query('lang') lang: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    privateHeaders(reply);
    if (!(await this.admitted(request, reply))) return;
    const team = await this.reviews.team(slug);
    await this.render(request, reply, team, this.locale(request, lang), 200, {});
  }

  @Post(':slug/review')
  async request(
    @Param('slug') slug: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    privateHeaders(reply);
    if (!(await this.admitted(request, reply))) return;
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const locale = this.locale(request, typeof form.lang === 'string' ? form.lang : undefined);
    const team = await this.reviews.team(slug);
    const authentic =
      sentFromThisSite(request.headers, this.config.baseUrl) &&
      reviewFormAuthentic(this.config, request.cookies?.[CSRF_COOKIE], slug, form[CSRF_FIELD]);
    const email = typeof form.email === 'string' ? form.email.slice(0, 320) : '';
    if (!authentic) {
      // A fresh form (and nonce) to send again: nothing was sent.
      await this.render(request, reply, team, locale, 403, {
        email,
        error: this.i18n.t(locale, 'review.errors.csrf'),
      });
      return;
    }
    const address = reviewAddress(form.email);
    if ('problem' in address) {
      await this.render(request, reply, team, locale, 400, {
        email,
        error: this.i18n.t(locale, `review.errors.${address.problem}`),
      });
      return;
    }
    await showDomainErrors(
      reply,
      ['rate_limited'],
      async () => {
        await this.reviews.request(team, address.email, request.ip);
        await reply
          .code(303)
          .redirect(`/services/${encodeURIComponent(slug)}/review/sent?lang=${locale}`);
      },
      (_error, status) =>
        this.render(request, reply, team, locale, status, {
          email,
          error: this.i18n.t(locale, 'review.errors.rate_limited'),
        }),
    );
  }

  /** The one answer to every accepted request. */
  @Get(':slug/review/sent')
  async sent(
    @Param('slug') slug: string,
    @Query('lang') lang: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    privateHeaders(reply);
    if (!(await this.admitted(request, reply))) return;
    await this.reviews.team(slug);
    const locale = this.locale(request, lang);
    await reply.code(200).view('pages/reviews/sent.hbs', {
      locale,
      dir: this.i18n.info(locale).dir,
      title: this.i18n.t(locale, 'review.sent.title'),
    });
  }

  private locale(request: FastifyRequest, lang: string | undefined): string {
    return this.i18n.negotiate(lang, request.headers['accept-language']);
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    team: ServiceTeam,
    locale: string,
    status: number,
    state: { email?: string; error?: string },
  ): Promise<void> {
    await reply.code(status).view('pages/reviews/request.hbs', {
      locale,
      dir: this.i18n.info(locale).dir,
      title: this.i18n.t(locale, 'review.page.title', { team: team.name }),
      teamName: team.name,
      k: this.config.reportingThreshold,
      reviewForm: reviewFormContext(request, reply, team.slug, this.config, locale),
      ...state,
    });
  }
}

function privateHeaders(reply: FastifyReply): void {
  reply
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Robots-Tag', 'noindex, nofollow');
}
