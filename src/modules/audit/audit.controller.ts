import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { Api, Pages } from '../../common/access/access.decorator';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { pageContext } from '../../common/views/page-context';
import { AuditService } from './audit.service';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'only what this user did' })
  @IsOptional()
  @IsUUID('all', { message: 'user must be a user id (UUID)' })
  user?: string;

  @ApiPropertyOptional({ example: 'auth.', description: 'actions starting with this' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_.]{1,64}$/, {
    message: 'action must be letters, dots and underscores, e.g. auth.login',
  })
  action?: string;
}

const filterOf = (q: AuditQueryDto) => ({
  userId: q.user,
  action: q.action,
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

@Controller('admin/audit')
export class AuditPagesController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Pages('admin')
  @Render('pages/admin/audit.hbs')
  async page(@Query() query: AuditQueryDto, @Req() request: FastifyRequest) {
    const [events, actions] = await Promise.all([
      this.audit.list(filterOf(query)),
      this.audit.actions(),
    ]);
    return pageContext(request, 'Audit log', {
      events: events.map((e) => ({
        ...e,
        at: e.at.toISOString().replace('T', ' ').slice(0, 19),
        details: e.details ? JSON.stringify(e.details) : '',
      })),
      actions: actions.map((a) => ({ value: a, selected: a === query.action })),
      filter: query,
    });
  }
}
