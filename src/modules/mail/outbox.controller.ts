import { Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Api, Pages } from '../../common/access/access.decorator';
import { tr } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MailService } from './mail.service';

export class ListOutboxDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

@ApiTags('mail')
@ApiBearerAuth()
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly mail: MailService) {}

  /** Mail kept instead of sent (no SMTP_URL configured), newest first. */
  @Get()
  @Api('mail:read')
  async list(@Query() query: ListOutboxDto) {
    return {
      usesOutbox: this.mail.usesOutbox,
      items: await this.mail.listOutbox(query.limit ?? 50),
    };
  }
}

/** The same list as a page, for administrators. */
@Controller('outbox')
export class OutboxPagesController {
  constructor(private readonly mail: MailService) {}

  @Get()
  @Pages('admin')
  @Render('pages/mail/outbox.hbs')
  async page(@Req() request: FastifyRequest) {
    const messages = await this.mail.listOutbox(100);
    return pageContext(request, tr(request)('mail_admin.outbox.title'), {
      usesOutbox: this.mail.usesOutbox,
      messages: messages.map((m) => ({
        ...m,
        iso: new Date(m.createdAt).toISOString(),
        links: [...m.text.matchAll(/https?:\/\/\S+\/s\/[A-Za-z0-9_-]{43}/g)].map(
          (match) => match[0],
        ),
      })),
    });
  }
}
