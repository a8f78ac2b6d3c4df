import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { Public } from '../../common/guards/public.decorator';
import {
  CSRF_COOKIE,
  CSRF_FIELD,
  csrfToken,
  csrfValid,
  newCsrfNonce,
} from '../../common/http/csrf';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { SurveyLink } from '../invitations/invitations.repository';
import { SurveysService } from '../surveys/surveys.service';
import { validateAnswers, type ValidatedForm } from './answer-validation';
import { ResponseErrors } from './responses.errors';
import { ResponsesService } from './responses.service';
import { surveyFormQuestions } from './survey-form.view';

/**
 * The personal survey link. GET only shows (scanners open links; a one-click score link only
 * pre-selects); only a POST carrying the form's CSRF token records anything.
 */
@Public()
@ApiExcludeController()
@Controller('s')
export class SurveyPagesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly surveys: SurveysService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':token')
  async show(
    @Param('token') token: string,
    @Query('score') score: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    privateHeaders(reply);
    const link = await this.open(token, request, reply);
    if (!link) return;
    const preselect = score !== undefined && /^(10|[0-9])$/.test(score) ? Number(score) : undefined;
    await this.renderForm(link, token, request, reply, 200, { preselectScore: preselect });
  }

  @Post(':token')
  async submit(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    privateHeaders(reply);
    const link = await this.open(token, request, reply);
    if (!link) return;
    const locale = this.localeFor(link, request);
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (
      !csrfValid(this.config.appSecret, request.cookies?.[CSRF_COOKIE], token, form[CSRF_FIELD])
    ) {
      await this.renderUnavailable(reply, ResponseErrors.badCsrf(), locale, token);
      return;
    }
    const questionnaire = await this.surveys.getQuestionnaire(link.questionnaireId);
    const validated = validateAnswers(questionnaire.questions ?? [], form, [CSRF_FIELD]);
    if (validated.errors.size > 0 || validated.formErrors.length > 0) {
      await this.renderForm(link, token, request, reply, 422, validated);
      return;
    }
    if (!(await this.responses.submit(link, validated.answers, locale))) {
      await this.renderUnavailable(reply, ResponseErrors.alreadyAnswered(), locale);
      return;
    }
    const info = this.i18n.info(locale);
    await reply.code(200).view('pages/survey/thanks.hbs', {
      locale,
      dir: info.dir,
      title: this.i18n.t(locale, 'thanks.title'),
      teamName: link.teamName,
      k: link.reportingThreshold,
    });
  }

  /** Finds the link or answers 404/410 itself, in the person's language where we know it. */
  private async open(
    token: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<SurveyLink | undefined> {
    const { link, problem } = await this.responses.openLink(token);
    if (!problem) return link;
    await this.renderUnavailable(
      reply,
      problem,
      this.i18n.negotiate(link?.locale, request.headers['accept-language']),
    );
    return undefined;
  }

  private localeFor(link: SurveyLink, request: FastifyRequest): string {
    return this.i18n.negotiate(link.locale, request.headers['accept-language']);
  }

  private async renderForm(
    link: SurveyLink,
    token: string,
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    state: Partial<ValidatedForm> & { preselectScore?: number },
  ): Promise<void> {
    const locale = this.localeFor(link, request);
    const info = this.i18n.info(locale);
    const questionnaire = await this.surveys.getQuestionnaire(link.questionnaireId);
    let nonce = request.cookies?.[CSRF_COOKIE];
    if (typeof nonce !== 'string' || nonce.length < 16) {
      nonce = newCsrfNonce();
      reply.setCookie(CSRF_COOKIE, nonce, {
        path: '/s/',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.config.baseUrl.startsWith('https:'),
        maxAge: 24 * 3600,
      });
    }
    const questions = surveyFormQuestions(questionnaire, locale, this.i18n, state);
    await reply.code(status).view('pages/survey/form.hbs', {
      locale,
      dir: info.dir,
      title: this.i18n.t(locale, 'survey.title', { team: link.teamName }),
      teamName: link.teamName,
      k: link.reportingThreshold,
      action: `/s/${token}`,
      csrfField: CSRF_FIELD,
      csrf: csrfToken(this.config.appSecret, nonce, token),
      questions,
      errorCount: state.errors?.size ?? 0,
      formErrors: (state.formErrors ?? []).map((e) => this.i18n.t(locale, e.key, e.vars)),
    });
  }

  private async renderUnavailable(
    reply: FastifyReply,
    error: DomainError,
    locale: string,
    token?: string,
  ) {
    const info = this.i18n.info(locale);
    const reason = error.code.replace('survey_link.', '');
    const status = { unknown: 404, answered: 410, expired: 410, csrf: 403 }[reason] ?? 400;
    await reply.code(status).view('pages/survey/unavailable.hbs', {
      locale,
      dir: info.dir,
      title: this.i18n.t(locale, `unavailable.${reason}.title`),
      reason,
      retryLink: token ? `/s/${token}` : undefined,
    });
  }
}

function privateHeaders(reply: FastifyReply): void {
  reply
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Robots-Tag', 'noindex, nofollow');
}
