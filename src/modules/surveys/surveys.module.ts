import { Module } from '@nestjs/common';
import { InvitationsModule } from '../invitations/invitations.module';
import { TeamsModule } from '../teams/teams.module';
import { QuestionnairesController, SurveysController } from './surveys.controller';
import { SurveysRepository } from './surveys.repository';
import { SurveysService } from './surveys.service';

@Module({
  imports: [TeamsModule, InvitationsModule],
  controllers: [QuestionnairesController, SurveysController],
  providers: [SurveysService, SurveysRepository],
  exports: [SurveysService],
})
export class SurveysModule {}
