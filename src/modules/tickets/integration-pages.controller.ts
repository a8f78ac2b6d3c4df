import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Pages, type SignedInUser } from '../../common/access/access.decorator';
import { Flash } from '../../common/http/flash';
import { errorText, showDomainErrors } from '../../common/http/form-errors';
import { asForm, type Form, textField } from '../../common/http/form-fields';
import { requestLocale, sharedI18n, tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { TeamsService } from '../teams/teams.service';
import { INTEGRATION_KINDS } from './entities/integration.entity';
import { DELIVERY_OUTCOMES } from './entities/webhook-delivery.entity';
import { inIntegrationFormWords, integrationWording } from './integration-form-labels';
import { type IntegrationInput, IntegrationsService } from './integrations.service';
import { SECRET_HEADER } from './signatures';
import { TicketSurveysService } from './ticket-surveys.service';
import { TicketsService } from './tickets.service';
import type { DeliveryLine } from './webhook-deliveries.repository';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

/** A delivery log line as the page shows it: labels are locale keys (`{{t key}}`). */
function deliveryRow(line: DeliveryLine) {
  return {
    ...line,
    iso: line.receivedAt.toISOString(),
    repeated: line.repeats > 1,
    outcomeKey: `deliveries.outcome_${line.outcome}`,
    signatureKey: `deliveries.signature_${line.signature}`,
  };
}

/** A ticket's survey state in the page's words (`skipped:not-sampled` → "skipped: not sampled"). */
function stateLabel(t: (key: string) => string, state: string): string {
  const key = `admin.integration.state.${state.replace(/^skipped:/, '').replace(/-/g, '_')}`;
  return sharedI18n().source('en', key) === undefined ? state : t(key);
}

/** Form fields as integration settings; what cannot be read is reported, not guessed. */
function settingsOf(
  form: Form,
  problems: string[],
  t: (key: string, vars?: Record<string, unknown>) => string,
): IntegrationInput {
  const number = (name: string, label: string): number | undefined => {
    const raw = textField(form, name).trim();
    if (raw === '') return undefined;
    if (!/^-?\d+$/.test(raw)) {
      problems.push(
        t('errors.codes.integration.whole_number', {
          field: t(`admin.integration.fields.${label}`),
        }),
      );
      return undefined;
    }
    return Number(raw);
  };
  const lines = (name: string) =>
    textField(form, name)
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  const mappingRules = lines('mappingRules').map((line, i) => {
    const [match, team, ...rest] = line.split('=>').map((part) => part.trim());
    if (!match || !team || rest.length > 0)
      problems.push(t('errors.codes.integration.rule_format', { n: i + 1 }));
    return { match: match ?? '', team: team ?? '' };
  });
  return {
    name: textField(form, 'name'),
    defaultTeam: textField(form, 'defaultTeam'),
    mappingRules,
    delayMinutes: number('delayMinutes', 'delay'),
    linkExpiryDays: number('linkExpiryDays', 'expiry'),
    throttleDays: number('throttleDays', 'throttle'),
    samplingPercent: number('samplingPercent', 'sampling'),
    excludedCategories: lines('excludedCategories'),
    excludeRequesterIsAssignee: textField(form, 'excludeRequesterIsAssignee') === 'on',
    active: textField(form, 'active') === 'on',
  };
}

/** HR's pages for integrations: create, configure, rotate the secret, watch what arrives. */
@ApiExcludeController()
@Controller('admin/integrations')
export class IntegrationPagesController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly tickets: TicketsService,
    private readonly surveys: TicketSurveysService,
    private readonly teams: TeamsService,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly flash: Flash,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Pages('admin')
  list(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderList(request, reply, 200, {});
  }

  @Post()
  @Pages('admin')
  async create(
    @CurrentUser() actor: SignedInUser,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        const { integration, secret } = await this.integrations.create(
          actor,
          {
            kind: textField(form, 'kind'),
            name: textField(form, 'name'),
            defaultTeam: textField(form, 'defaultTeam'),
            signingSecret: textField(form, 'signingSecret').trim() || undefined,
          },
          request.ip,
        );
        // Shown once on the page redirected to: a reload creates nothing more, shows it no more.
        const page = `/admin/integrations/${integration.id}`;
        this.flash.set(request, reply, page, { secret, created: true });
        return reply.redirect(page, 303);
      },
      (error, status) =>
        this.renderList(request, reply, status, {
          error: errorText(
            request,
            error,
            {},
            integrationWording(sharedI18n(), requestLocale(request)),
          ),
          form,
        }),
    );
  }

  @Get(':id')
  @Pages('admin')
  detail(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const once = this.flash.take<{ secret: string; created?: boolean; rotated?: boolean }>(
      request,
      reply,
      `/admin/integrations/${id}`,
    );
    return this.renderDetail(request, reply, id, 200, once ?? {});
  }

  @Post(':id')
  @Pages('admin')
  async update(
    @CurrentUser() actor: SignedInUser,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const problems: string[] = [];
    const input = settingsOf(form, problems, tr(request));
    if (problems.length > 0)
      return this.renderDetail(request, reply, id, 400, { error: problems.join(' '), form });
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        await this.integrations.update(actor, id, input, request.ip);
        return reply.redirect(`/admin/integrations/${id}?saved=1`, 303);
      },
      (error, status) =>
        this.renderDetail(request, reply, id, status, {
          error: errorText(
            request,
            error,
            {},
            integrationWording(sharedI18n(), requestLocale(request)),
          ),
          form,
        }),
    );
  }

  @Post(':id/rotate')
  @Pages('admin')
  async rotate(
    @CurrentUser() actor: SignedInUser,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const overlap = textField(form, 'overlapHours').trim();
    if (overlap !== '' && !/^\d+$/.test(overlap))
      return this.renderDetail(request, reply, id, 400, {
        rotateError: tr(request)('errors.codes.integration.overlap'),
      });
    return showDomainErrors(
      reply,
      ['invalid'],
      async () => {
        const { secret } = await this.integrations.rotate(
          actor,
          id,
          {
            signingSecret: textField(form, 'signingSecret').trim() || undefined,
            overlapHours: overlap === '' ? undefined : Number(overlap),
          },
          request.ip,
        );
        const page = `/admin/integrations/${id}`;
        this.flash.set(request, reply, page, { secret, rotated: true });
        return reply.redirect(page, 303);
      },
      (error, status) =>
        this.renderDetail(request, reply, id, status, {
          rotateError: errorText(
            request,
            error,
            {},
            integrationWording(sharedI18n(), requestLocale(request)),
          ),
        }),
    );
  }

  @Post(':id/tickets/:ticket/retry')
  @Pages('admin')
  async retry(
    @Param('id') id: string,
    @Param('ticket') ticket: string,
    @Res() reply: FastifyReply,
  ) {
    await this.integrations.get(id);
    await this.surveys.revive(id, ticket);
    return reply.redirect(`/admin/integrations/${id}?retried=1`, 303);
  }

  private async renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const [integrations, teams] = await Promise.all([this.integrations.list(), this.teams.list()]);
    return reply.code(status).view(
      'pages/admin/integrations.hbs',
      pageContext(request, tr(request)('admin.integrations.title'), {
        integrations: integrations.map((i) => ({
          ...i,
          kindKey: `admin.integrations.kinds.${i.kind}`,
        })),
        kinds: INTEGRATION_KINDS,
        teams: teams.map((t) => ({ slug: t.slug, name: t.name, depth: t.depth })),
        ...(requestLocale(request) === sharedI18n().fallback
          ? inIntegrationFormWords(extra)
          : extra),
      }),
    );
  }

  private async renderDetail(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    extra: Record<string, unknown>,
  ) {
    const integration = await this.integrations.get(id);
    const query = request.query as Record<string, unknown>;
    const outcome = DELIVERY_OUTCOMES.find((o) => o === query.outcome);
    const [activity, teams, log] = await Promise.all([
      this.tickets.activity(id),
      this.teams.list(),
      this.deliveries.overview(id, outcome),
    ]);
    const form = extra.form as Form | undefined;
    const t = tr(request);
    return reply.code(status).view(
      'pages/admin/integration.hbs',
      pageContext(request, integration.name, {
        integration,
        kindKey: `admin.integrations.kinds.${integration.kind}`,
        activity: {
          states: activity.states.map((s) => ({ ...s, label: stateLabel(t, s.state) })),
          recent: activity.recent.map((r) => ({
            ...r,
            statusKey: `admin.integration.status.${r.status}`,
            stateLabel: r.surveyState ? stateLabel(t, r.surveyState) : null,
          })),
          dead: activity.dead.map((d) => ({
            ...d,
            retryUrl: `/admin/integrations/${id}/tickets/${encodeURIComponent(d.externalTicketId)}/retry`,
          })),
        },
        deliveries: {
          filters: [undefined, ...DELIVERY_OUTCOMES].map((o) => ({
            key: o ? `deliveries.outcome_${o}` : 'deliveries.all',
            url: `/admin/integrations/${id}${o ? `?outcome=${o}` : ''}#deliveries-title`,
            current: o === outcome,
          })),
          lastDay: log.lastDay.map((r) => ({
            key: `deliveries.outcome_${r.outcome}`,
            n: r.deliveries,
          })),
          lines: log.lines.map(deliveryRow),
          keptDays: this.config.retention.webhookDays,
        },
        secretHeader: SECRET_HEADER,
        [`is_${integration.kind}`]: true,
        teams: teams.map((t) => ({
          slug: t.slug,
          name: t.name,
          depth: t.depth,
          selected: t.slug === (form ? textField(form, 'defaultTeam') : integration.defaultTeam),
        })),
        values: form
          ? {
              name: textField(form, 'name'),
              mappingRules: textField(form, 'mappingRules'),
              delayMinutes: textField(form, 'delayMinutes'),
              linkExpiryDays: textField(form, 'linkExpiryDays'),
              throttleDays: textField(form, 'throttleDays'),
              samplingPercent: textField(form, 'samplingPercent'),
              excludedCategories: textField(form, 'excludedCategories'),
              excludeRequesterIsAssignee: textField(form, 'excludeRequesterIsAssignee') === 'on',
              active: textField(form, 'active') === 'on',
            }
          : {
              ...integration,
              mappingRules: integration.mappingRules
                .map((r) => `${r.match} => ${r.team}`)
                .join('\n'),
              excludedCategories: integration.excludedCategories.join('\n'),
            },
        saved: query.saved === '1',
        retried: query.retried === '1',
        ...(requestLocale(request) === sharedI18n().fallback
          ? inIntegrationFormWords(extra)
          : extra),
      }),
    );
  }
}
