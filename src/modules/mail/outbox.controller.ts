import { Controller, Get, Query, Render } from '@nestjs/common';
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
  async list(@Query() query: ListOutboxDto) {
    return {
      usesOutbox: this.mail.usesOutbox,
      items: await this.mail.listOutbox(query.limit ?? 50),
    };
  }
}

/** The same list as a page, for the demo. Protected like the API (the browser asks for the key). */
@Controller('outbox')
export class OutboxPagesController {
  constructor(private readonly mail: MailService) {}

  @Get()
  @Render('pages/mail/outbox.hbs')
  async page() {
    const messages = await this.mail.listOutbox(100);
    return {
      locale: 'en',
      dir: 'ltr',
      title: 'Outbox',
      usesOutbox: this.mail.usesOutbox,
      messages: messages.map((m) => ({
        ...m,
        links: [...m.text.matchAll(/https?:\/\/\S+\/s\/[A-Za-z0-9_-]{43}/g)].map(
          (match) => match[0],
        ),
      })),
    };
  }
}
