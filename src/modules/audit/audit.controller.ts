import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Api, Pages } from '../../common/access/access.decorator';
import { pageContext } from '../../common/views/page-context';
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

const messagesOf = (errors: ValidationError[]): string[] =>
  errors.flatMap((e) => Object.values(e.constraints ?? {}));

/** "from must be …" as a sentence: "From must be …." */
const sentence = (message: string) =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`;

@Controller('admin/audit')
export class AuditPagesController {
  constructor(private readonly audit: AuditService) {}

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
    const problems = messagesOf(
      await validate(query, { whitelist: true, forbidNonWhitelisted: true }),
    );
    const [events, actions] = await Promise.all([
      problems.length > 0 ? Promise.resolve([]) : this.audit.list(filterOf(query)),
      this.audit.actions(),
    ]);
    const typed = (name: keyof AuditQueryDto) =>
      typeof raw[name] === 'string' ? (raw[name] as string) : '';
    const families = [...new Set(actions.map((a) => a.split('.')[0]).filter(Boolean))];
    return reply.status(problems.length > 0 ? 400 : 200).view(
      'pages/admin/audit.hbs',
      pageContext(request, 'Audit log', {
        events: events.map((e) => ({
          ...e,
          at: e.at.toISOString().replace('T', ' ').slice(0, 19),
          details: e.details ? JSON.stringify(e.details) : '',
        })),
        families: families.map((f) => ({ value: `${f}.`, selected: `${f}.` === raw.action })),
        actions: actions.map((a) => ({ value: a, selected: a === raw.action })),
        filter: { user: typed('user'), from: typed('from'), to: typed('to') },
        errors: problems.map(sentence),
        filtered: ['user', 'action', 'from', 'to'].some((n) => typed(n as keyof AuditQueryDto)),
      }),
    );
  }
}
