import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { TeamsModule } from '../teams/teams.module';
import { ActionChangesService } from './action-changes.service';
import { ActionRemindersService } from './action-reminders.service';
import { ActionsRepository } from './actions.repository';
import { ActionsService } from './actions.service';

/**
 * Action plans: the data, its rules and reminders. Other features (reports' trend markers, the
 * directory, the thank-you page, invitations) read it through ActionsService; the pages and the
 * API live in ActionsWebModule, which also reads reports (so this module imports none of them).
 */
@Module({
  imports: [TeamsModule, MailModule],
  providers: [ActionsService, ActionsRepository, ActionChangesService, ActionRemindersService],
  exports: [ActionsService, ActionChangesService, ActionRemindersService],
})
export class ActionsModule {}
