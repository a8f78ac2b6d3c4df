import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainError } from '../../common/errors/domain-error';
import { Public } from '../../common/access/access.decorator';
import {
  CSRF_COOKIE,
  CSRF_FIELD,
  csrfToken,
  csrfValid,
  ensureCsrfNonce,
} from '../../common/http/csrf';
import { sentFromThisSite } from '../../common/http/same-origin';
import { I18N } from '../../common/i18n/i18n.provider';
import { RATE_LIMITS, RateLimitService } from '../../common/rate-limit/rate-limit.service';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { youSaidItems } from '../../common/i18n/you-said';
import { ActionsService } from '../actions/actions.service';
import type { SurveyLink } from '../invitations/invitations.service';
import { SurveysService } from '../surveys/surveys.service';
import {
  CONTACT_FIELDS,
  type ContactForm,
  FOLLOW_UP_MAX_LENGTH,
  FollowUpsService,
} from '../tickets/follow-ups.service';

import { ResponseErrors } from './responses.errors';
import { ResponsesService } from './responses.service';
import { checkForm, type FormState, formContextOf, surveyFormView } from './survey-form.view';
import {
  CONTEXT_FIELD,
  decodeContext,
  encodeContext,
  formScope,
  type SurveyFormContext,
} from './survey-form-context';

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
    private readonly followUps: FollowUpsService,
    private readonly rateLimits: RateLimitService,
    private readonly actions: ActionsService,
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
    if (await this.rateLimits.blocked(RATE_LIMITS.linkMissPerIp, request.ip)) {
      await this.refuse(token, request, reply, { problem: ResponseErrors.tooManyMisses() });
      return;
    }
    const opened = await this.responses.openLink(token);
    const { link } = opened;
    if (!link || opened.problem) {
      await this.refuse(token, request, reply, opened);
      return;
    }
    const questionnaire = await this.surveys.getQuestionnaire(link.questionnaireId);
    const context = formContextOf(
      link,
      questionnaire,
      this.i18n.negotiate(link.locale, request.headers['accept-language']),
    );
    const preselect = score !== undefined && /^(10|[0-9])$/.test(score) ? Number(score) : undefined;
    await this.renderForm(context, token, request, reply, 200, { preselectScore: preselect });
  }

  @Post(':token')
  async submit(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    privateHeaders(reply);
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const rawContext = typeof form[CONTEXT_FIELD] === 'string' ? form[CONTEXT_FIELD] : '';
    const authentic =
      sentFromThisSite(request.headers, this.config.baseUrl) &&
      csrfValid(
        this.config.appSecret,
        request.cookies?.[CSRF_COOKIE],
        formScope(token, rawContext),
        form[CSRF_FIELD],
      );
    const context = authentic ? decodeContext(rawContext) : undefined;
    if (!context) {
      await this.refuse(token, request, reply, undefined, ResponseErrors.badCsrf());
      return;
    }
    const questionnaire = await this.surveys.getQuestionnaire(context.questionnaireId);
    // After a ticket, "you may contact me" is read apart from the answers (it is not anonymous).
    const contact = context.ticket ? this.followUps.readForm(form) : undefined;
    const answers = context.ticket
      ? Object.fromEntries(Object.entries(form).filter(([key]) => !CONTACT_FIELDS.includes(key)))
      : form;
    const checked = checkForm(questionnaire, context, answers);
    if (checked.invalid || contact?.error) {
      const state = checked.invalid ? checked.state : {};
      await this.renderForm(context, token, request, reply, 422, { ...state, contact });
      return;
    }
    // "You may contact me" is a separate, non-anonymous record, passed on within the hour; it is
    // written in the answer's transaction (see FollowUpsService), or not at all.
    const contacted = contact?.wanted === true;
    const stored = await this.responses.submit(
      token,
      context,
      questionnaire,
      checked.blocks,
      contacted
        ? (manager) => this.followUps.request(manager, context.invitationId, contact.message)
        : undefined,
    );
    if (!stored) {
      // Not claimed: answered meanwhile, expired, or unknown. Say which.
      await this.refuse(token, request, reply, undefined, ResponseErrors.alreadyAnswered());
      return;
    }
    const info = this.i18n.info(context.locale);
    await reply.code(200).view('pages/survey/thanks.hbs', {
      heading: this.i18n.t(context.locale, 'thanks.heading'),
      locale: context.locale,
      dir: info.dir,
      title: this.i18n.t(context.locale, 'thanks.title'),
      // A review is released per team and week, not when a survey closes.
      body: context.review
        ? this.i18n.t(context.locale, 'review.thanks', {
            team: context.teamName,
            k: context.k,
            m: this.config.mixBatchSize,
          })
        : undefined,
      teamName: context.teamName,
      k: context.k,
      contacted,
      youSaid: await this.youSaid(context),
      youSaidTeam: context.blocks ? undefined : context.teamName,
    });
  }

  /**
   * "You said, we did" of the team(s) the survey rates (every block's, answered or not): the
   * same for every respondent of the survey, so it says nothing about this answer. At most 3.
   * A failure to read them costs the section, never the thank-you page.
   */
  private async youSaid(context: SurveyFormContext) {
    const teams = (
      context.blocks ?? [{ teamId: context.teamId, teamName: context.teamName }]
    ).slice(0, YOU_SAID_TEAMS);
    try {
      const actions = await this.actions.publishedFor(
        teams.map((t) => t.teamId),
        context.locale,
        YOU_SAID_MAX,
      );
      return youSaidItems(actions, context.locale, this.i18n, {
        max: YOU_SAID_MAX,
        teamNames: teams.length > 1 ? new Map(teams.map((t) => [t.teamId, t.teamName])) : undefined,
      });
    } catch {
      return [];
    }
  }

  /**
   * Answers a link that cannot be used: 404 when unknown (the same page for every miss), 410
   * when used or expired, else `fallback`. In the person's language where the link is known.
   */
  private async refuse(
    token: string,
    request: FastifyRequest,
    reply: FastifyReply,
    known?: { link?: SurveyLink; problem?: DomainError },
    fallback?: DomainError,
  ): Promise<void> {
    const { link, problem } = known ?? (await this.responses.openLink(token));
    let error = problem ?? fallback ?? ResponseErrors.alreadyAnswered();
    if (error.code === 'survey_link.unknown') {
      // Guessing links is pointless (256 random bits), and still slowed down: per address.
      const { allowed, retryAfterSeconds } = await this.rateLimits.hit(
        RATE_LIMITS.linkMissPerIp,
        request.ip,
      );
      if (!allowed) {
        error = ResponseErrors.tooManyMisses();
        reply.header('Retry-After', String(retryAfterSeconds));
      }
    }
    const locale = this.i18n.negotiate(link?.locale, request.headers['accept-language']);
    const info = this.i18n.info(locale);
    const reason = error.code.replace('survey_link.', '');
    const status =
      { unknown: 404, answered: 410, expired: 410, csrf: 403, rate_limited: 429 }[reason] ?? 400;
    await reply.code(status).view('pages/survey/unavailable.hbs', {
      locale,
      dir: info.dir,
      title: this.i18n.t(locale, `unavailable.${reason}.title`),
      reason,
      retryLink: reason === 'csrf' ? `/s/${token}` : undefined,
    });
  }

  private async renderForm(
    context: SurveyFormContext,
    token: string,
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    state: FormState & { contact?: ContactForm },
  ): Promise<void> {
    const questionnaire = await this.surveys.getQuestionnaire(context.questionnaireId);
    const nonce = ensureCsrfNonce(request, reply, {
      path: '/s/',
      secure: this.config.baseUrl.startsWith('https:'),
    });
    const rawContext = encodeContext(context);
    const view = surveyFormView(questionnaire, context, this.i18n, state);
    const contactError = state.contact?.error
      ? this.i18n.t(context.locale, state.contact.error.key, state.contact.error.vars)
      : undefined;
    // A one-click score link chose a score: say that nothing is recorded until the form is sent.
    const chosen = state.preselectScore;
    const oneClick =
      chosen !== undefined &&
      [...view.questions, ...(view.blocks ?? []).flatMap((b) => b.questions)].some(
        (q) => q.isNps && q.scale.some((o) => o.checked && o.value === String(chosen)),
      )
        ? { score: chosen }
        : undefined;
    await reply.code(status).view('pages/survey/form.hbs', {
      ...view,
      oneClick,
      ...(context.ticket
        ? {
            contact: {
              wanted: state.contact?.wanted ?? false,
              message: state.contact?.message ?? '',
              error: contactError,
              maxLength: FOLLOW_UP_MAX_LENGTH,
            },
            errorCount: view.errorCount + (contactError ? 1 : 0),
            errorItems: [
              ...view.errorItems,
              ...(contactError ? [{ id: 'contact', label: contactError }] : []),
            ],
          }
        : {}),
      action: `/s/${token}`,
      hidden: [
        { name: CONTEXT_FIELD, value: rawContext },
        {
          name: CSRF_FIELD,
          value: csrfToken(this.config.appSecret, nonce, formScope(token, rawContext)),
        },
      ],
    });
  }
}

/** The thank-you page's "you said, we did": at most this many actions, of this many teams. */
const YOU_SAID_MAX = 3;
const YOU_SAID_TEAMS = 10;

function privateHeaders(reply: FastifyReply): void {
  reply
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Robots-Tag', 'noindex, nofollow');
}
