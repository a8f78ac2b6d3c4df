import { Module } from '@nestjs/common';
import { MailPagesController } from './mail-pages.controller';
import { MailController } from './mail.controller';
import { MailRepository } from './mail.repository';
import { MailService } from './mail.service';
import { MailKinds } from './mail-kinds';
import { MailQueueService } from './mail-queue.service';
import { MailRetentionRepository } from './mail-retention.repository';
import { MailRetentionService } from './mail-retention.service';
import { MailRenderer } from './mail-renderer';
import { MailSenderService } from './mail-sender.service';
import { OutboxController, OutboxPagesController } from './outbox.controller';
import { OutboxRepository } from './outbox.repository';

@Module({
  controllers: [OutboxController, OutboxPagesController, MailController, MailPagesController],
  providers: [
    MailService,
    MailKinds,
    MailQueueService,
    MailSenderService,
    MailRenderer,
    MailRepository,
    OutboxRepository,
    MailRetentionRepository,
    MailRetentionService,
  ],
  exports: [MailService, MailRetentionService],
})
export class MailModule {}
