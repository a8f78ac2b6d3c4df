import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Pages, Public } from '../../common/access/access.decorator';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { requestLocale, tr } from '../../common/i18n/request-locale';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { showDomainErrors } from '../../common/http/form-errors';
import { asForm, textField } from '../../common/http/form-fields';
import { MULTIPART_FORM_ROUTE } from '../../common/http/multipart';
import { pageContext } from '../../common/views/page-context';
import { DigestService } from './digest.service';
import type { DigestProblem } from './digest.errors';
import type { DomainError } from '../../common/errors/domain-error';

const FIELDS = ['enabled', 'weekday', 'hour', 'grain', 'locale', 'timeZone'];

/**
 * HR's digest settings (`/admin/digest`, linked from the settings page), and the unsubscribe
 * link of each mail: its page says where the person stands with one button (unsubscribe, or
 * subscribe again); the same address takes RFC 8058's one-click POST from mail clients. A GET
 * changes nothing (mail scanners open links).
 */
@ApiExcludeController()
@Controller()
export class DigestPagesController {
  constructor(
    private readonly digest: DigestService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('admin/digest')
  @Pages('admin')
  async settings(
    @Query('saved') saved: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const values = await this.digest.settings();
    return this.renderSettings(request, reply, 200, {
      saved: saved === '1',
      form: { ...values, enabled: values.enabled, timeZone: values.timeZone ?? '' },
    });
  }

  @Post('admin/digest')
  @Pages('admin')
  async save(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const form = asForm(body);
    const input = Object.fromEntries(FIELDS.map((f) => [f, textField(form, f)]));
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.digest.saveSettings(input);
        return reply.redirect('/admin/digest?saved=1', 303);
      },
      (error, status) =>
        this.renderSettings(request, reply, status, {
          error: this.problemsText(request, error),
          form: { ...input, enabled: input.enabled === 'on' },
        }),
    );
  }

  @Get('digest/unsubscribe/:token')
  @Public()
  async unsubscribePage(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const person = await this.digest.personOfToken(token);
    if (!person) return this.renderBadLink(request, reply);
    request.uiLocale = this.i18n.match(person.locale) ?? request.uiLocale;
    const subscribed = await this.digest.isSubscribed(person.id);
    const t = tr(request);
    return reply.code(200).view(
      'pages/digest/unsubscribe.hbs',
      pageContext(request, t('digest.page.title'), {
        subscribed,
        action: `/digest/unsubscribe/${encodeURIComponent(token)}`,
      }),
    );
  }

  /** The refused form's problems in the page's language (English: the service's own text). */
  private problemsText(request: FastifyRequest, error: DomainError): string {
    const locale = requestLocale(request);
    const fields = (error.details as { fields?: Omit<DigestProblem, 'text'>[] } | undefined)
      ?.fields;
    if (locale === this.i18n.fallback || !fields) return error.message;
    const label: Record<string, string> = {
      weekday: 'digest.settings.weekday',
      hour: 'digest.settings.hour',
      grain: 'digest.settings.grain',
      locale: 'digest.settings.locale',
    };
    return fields
      .map((p) =>
        this.i18n.t(locale, `digest.problems.${p.kind}`, {
          ...p.vars,
          field: label[p.field] ? this.i18n.t(locale, label[p.field]) : p.field,
        }),
      )
      .join(' ');
  }

  /** The button of the page (form post, then back to the page) or a mail client's one click. */
  @Post('digest/unsubscribe/:token')
  @Public()
  @RouteConfig(MULTIPART_FORM_ROUTE)
  async unsubscribe(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const person = await this.digest.personOfToken(token);
    if (!person) return this.renderBadLink(request, reply);
    await this.digest.setSubscribed(token, false);
    // RFC 8058: the one-click POST carries List-Unsubscribe=One-Click, urlencoded or multipart.
    if (textField(asForm(body), 'List-Unsubscribe') === 'One-Click')
      return reply.code(200).type('text/plain; charset=utf-8').send('unsubscribed\n');
    return reply.redirect(`/digest/unsubscribe/${encodeURIComponent(token)}`, 303);
  }

  @Post('digest/unsubscribe/:token/resubscribe')
  @Public()
  async resubscribe(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const person = await this.digest.personOfToken(token);
    if (!person) return this.renderBadLink(request, reply);
    await this.digest.setSubscribed(token, true);
    return reply.redirect(`/digest/unsubscribe/${encodeURIComponent(token)}`, 303);
  }

  private renderBadLink(request: FastifyRequest, reply: FastifyReply) {
    const t = tr(request);
    return reply
      .code(404)
      .view(
        'pages/digest/unsubscribe.hbs',
        pageContext(request, t('digest.page.title'), { badLink: true }),
      );
  }

  private renderSettings(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: { form: Record<string, unknown>; error?: string; saved?: boolean },
  ) {
    const t = tr(request);
    const form = extra.form;
    const weekdays = Array.from({ length: 7 }, (_, i) => ({
      value: i + 1,
      // 2024-01-01 was a Monday.
      label: this.i18n.date(requestLocale(request), `2024-01-0${i + 1}`, { weekday: 'long' }),
      selected: String(form.weekday) === String(i + 1),
    }));
    const hours = Array.from({ length: 24 }, (_, h) => ({
      value: h,
      label: `${String(h).padStart(2, '0')}:00`,
      selected: String(form.hour) === String(h),
    }));
    return reply.code(status).view(
      'pages/digest/settings.hbs',
      pageContext(request, t('digest.settings.title'), {
        ...extra,
        organisationZone: this.config.organisationTimeZone,
        weekdays,
        hours,
        grains: ['week', 'month', 'quarter'].map((g) => ({
          value: g,
          label: t(`digest.settings.grain_${g}`),
          selected: form.grain === g,
        })),
        languages: this.i18n.locales.map((l) => ({
          value: l.code,
          label: l.name,
          selected: form.locale === l.code,
        })),
      }),
    );
  }
}
