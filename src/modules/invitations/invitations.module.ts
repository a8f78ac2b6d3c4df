import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { FatigueModule } from '../fatigue/fatigue.module';
import { MailModule } from '../mail/mail.module';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { RequestedLinksService } from './requested-links.service';
import { TicketInvitationsRepository } from './ticket-invitations.repository';

@Module({
  imports: [ActionsModule, MailModule, FatigueModule],
  providers: [
    InvitationsService,
    InvitationsRepository,
    TicketInvitationsRepository,
    RequestedLinksService,
  ],
  exports: [InvitationsService, RequestedLinksService],
})
export class InvitationsModule {}
