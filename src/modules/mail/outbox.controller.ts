import { Controller, DefaultValuePipe, Get, ParseIntPipe, Query, Render } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MailService } from './mail.service';

const limitPipe = new ParseIntPipe({ errorHttpStatusCode: 400 });

function clamp(limit: number): number {
  return Math.min(Math.max(limit, 1), 500);
}

@ApiTags('mail')
@ApiBearerAuth()
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly mail: MailService) {}

  /** Mail kept instead of sent (no SMTP_URL configured), newest first. */
  @Get()
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  async list(@Query('limit', new DefaultValuePipe(50), limitPipe) limit: number) {
    return { usesOutbox: this.mail.usesOutbox, items: await this.mail.listOutbox(clamp(limit)) };
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
