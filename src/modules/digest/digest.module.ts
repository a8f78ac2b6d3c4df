import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ActionsModule } from '../actions/actions.module';
import { MailModule } from '../mail/mail.module';
import { ReportsModule } from '../reports/reports.module';
import { TeamsModule } from '../teams/teams.module';
import { TicketsModule } from '../tickets/tickets.module';
import { DigestMails } from './digest-mails';
import { DigestPagesController } from './digest-pages.controller';
import { DigestRepository } from './digest.repository';
import { DigestService } from './digest.service';

/** The weekly digest and score-drop alerts to leads and HR (docs/digest.md). */
@Module({
  imports: [AccountsModule, TeamsModule, TicketsModule, ActionsModule, ReportsModule, MailModule],
  controllers: [DigestPagesController],
  providers: [DigestService, DigestRepository, DigestMails],
  exports: [DigestService],
})
export class DigestModule {}
