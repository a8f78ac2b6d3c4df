import { Module } from '@nestjs/common';
import { InvitationsModule } from '../invitations/invitations.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ResponsesRepository } from './responses.repository';
import { ResponsesService } from './responses.service';
import { SurveyPagesController } from './survey-pages.controller';

@Module({
  imports: [InvitationsModule, SurveysModule, TicketsModule],
  controllers: [SurveyPagesController],
  providers: [ResponsesService, ResponsesRepository],
  exports: [ResponsesService],
})
export class ResponsesModule {}
