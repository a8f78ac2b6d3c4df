import { Module } from '@nestjs/common';
import { MailService } from './mail.service';
import { OutboxController, OutboxPagesController } from './outbox.controller';
import { OutboxRepository } from './outbox.repository';

@Module({
  controllers: [OutboxController, OutboxPagesController],
  providers: [MailService, OutboxRepository],
  exports: [MailService],
})
export class MailModule {}
