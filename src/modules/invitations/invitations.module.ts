import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { FatigueModule } from '../fatigue/fatigue.module';
import { MailModule } from '../mail/mail.module';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';

@Module({
  imports: [ActionsModule, MailModule, FatigueModule],
  providers: [InvitationsService, InvitationsRepository],
  exports: [InvitationsService],
})
export class InvitationsModule {}
