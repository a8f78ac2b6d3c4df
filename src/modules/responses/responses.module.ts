import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TicketsModule } from '../tickets/tickets.module';
import { RawAnswersRetentionRepository } from './raw-answers-retention.repository';
import { RawAnswersRetentionService } from './raw-answers-retention.service';
import { ResponsesRepository } from './responses.repository';
import { ResponsesService } from './responses.service';
import { SurveyPagesController } from './survey-pages.controller';

@Module({
  imports: [ActionsModule, InvitationsModule, SurveysModule, TicketsModule],
  controllers: [SurveyPagesController],
  providers: [
    ResponsesService,
    ResponsesRepository,
    RawAnswersRetentionService,
    RawAnswersRetentionRepository,
  ],
  exports: [ResponsesService, RawAnswersRetentionService],
})
export class ResponsesModule {}
