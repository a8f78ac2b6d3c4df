import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Api, Pages } from '../../common/access/access.decorator';
import { requestLocale, sharedI18n, tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { AuditFilter } from './audit.repository';
import { AuditService } from './audit.service';
import { AuditQueryDto } from './dto/audit-query.dto';

const filterOf = (q: AuditQueryDto): AuditFilter => ({
  user: q.user,
  action: q.action,
  from: q.from,
  to: q.to,
  limit: q.limit ?? 100,
  offset: q.offset ?? 0,
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Api('audit:read')
  async list(@Query() query: AuditQueryDto) {
    return { items: await this.audit.list(filterOf(query)) };
  }
}

/** "from must be …" as a sentence: "From must be …." */
const sentence = (message: string) =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;

/**
 * What is wrong with the filter, in the page's language: English pages say the API's own words
 * (as a sentence); other languages say each field's rule, by field and check.
 */
function problemsOf(
  errors: ValidationError[],
  locale: string,
  t: (key: string, vars?: Record<string, unknown>) => string,
  raw: Record<string, unknown>,
): string[] {
  const english = errors.flatMap((e) => Object.values(e.constraints ?? {}).map(sentence));
  if (locale === sharedI18n().fallback) return english;
  return errors.flatMap((e) =>
    Object.keys(e.constraints ?? {}).map((check, i) => {
      if (check === 'isNotBeforeFrom')
        return t('errors.codes.audit.to_before_from', { to: raw.to, from: raw.from });
      if (e.property === 'user') return t('errors.codes.audit.user');
      if (e.property === 'action') return t('errors.codes.audit.action');
      if (e.property === 'from' || e.property === 'to')
        return t('errors.codes.audit.day', { field: t(`admin.audit.${e.property}`) });
      if (e.property === 'limit' || e.property === 'offset') return t('errors.codes.audit.paging');
      return sentence(Object.values(e.constraints ?? {})[i]);
    }),
  );
}

@Controller('admin/audit')
export class AuditPagesController {
  constructor(
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The form sends every field, empty ones too (they mean "any"). A bad value shows the form
   * again with what is wrong, answered 400, rather than a bare error page: the same rules as the
   * API, checked here so that the page can say them.
   */
  @Get()
  @Pages('admin')
  @ApiExcludeEndpoint()
  async page(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const query = plainToInstance(AuditQueryDto, raw);
    const t = tr(request);
    const problems = problemsOf(
      await validate(query, { whitelist: true, forbidNonWhitelisted: true }),
      requestLocale(request),
      t,
      raw,
    );
    const [events, actions, lastPurge] = await Promise.all([
      problems.length > 0 ? Promise.resolve([]) : this.audit.list(filterOf(query)),
      this.audit.actions(),
      this.audit.lastPurge(),
    ]);
    const typed = (name: keyof AuditQueryDto) =>
      typeof raw[name] === 'string' ? (raw[name] as string) : '';
    const families = [...new Set(actions.map((a) => a.split('.')[0]).filter(Boolean))];
    return reply.status(problems.length > 0 ? 400 : 200).view(
      'pages/admin/audit.hbs',
      pageContext(request, t('admin.audit.title'), {
        events: events.map((e) => ({
          ...e,
          iso: e.at.toISOString(),
          details: e.details ? JSON.stringify(e.details) : '',
        })),
        limit: filterOf(query).limit,
        zoneName:
          request.principal?.kind === 'user' ? (request.principal.timeZone ?? 'UTC') : 'UTC',
        families: families.map((f) => ({ value: `${f}.`, selected: `${f}.` === raw.action })),
        actions: actions.map((a) => ({ value: a, selected: a === raw.action })),
        filter: { user: typed('user'), from: typed('from'), to: typed('to') },
        errors: problems,
        filtered: ['user', 'action', 'from', 'to'].some((n) => typed(n as keyof AuditQueryDto)),
        retention: {
          days: this.config.retention.auditDays,
          hold: this.config.retention.auditHold,
          last: lastPurge,
        },
      }),
    );
  }
}
