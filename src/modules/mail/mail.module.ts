import { Module } from '@nestjs/common';
import { MailPagesController } from './mail-pages.controller';
import { MailController } from './mail.controller';
import { MailRepository } from './mail.repository';
import { MailService } from './mail.service';
import { OutboxController, OutboxPagesController } from './outbox.controller';
import { OutboxRepository } from './outbox.repository';

@Module({
  controllers: [OutboxController, OutboxPagesController, MailController, MailPagesController],
  providers: [MailService, MailRepository, OutboxRepository],
  exports: [MailService],
})
export class MailModule {}
