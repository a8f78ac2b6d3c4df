import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { ResponsesModule } from '../responses/responses.module';
import { TicketsModule } from '../tickets/tickets.module';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** The daily `retention.purge` (docs/retention.md): each feature deletes its own old rows. */
@Module({
  imports: [MailModule, ResponsesModule, TicketsModule],
  providers: [RetentionService, RetentionRepository],
  exports: [RetentionService],
})
export class RetentionModule {}
