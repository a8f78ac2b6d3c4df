import { ActionsModule } from '../actions/actions.module';
import { Module } from '@nestjs/common';
import { InstanceSecretsService } from '../../database/instance-secrets';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DirectoryModule } from '../directory/directory.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { ResponsesModule } from '../responses/responses.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TeamsModule } from '../teams/teams.module';
import { TicketsModule } from '../tickets/tickets.module';
import { DemoBannerService } from './demo-banner.service';
import { DemoCampaignService } from './demo-campaign.service';
import { DemoPulsesService } from './demo-pulses.service';
import { DemoReviewsService } from './demo-reviews.service';
import { DemoTicketHistoryService } from './demo-ticket-history.service';
import { DemoService } from './demo.service';

@Module({
  imports: [
    TeamsModule,
    ActionsModule,
    DirectoryModule,
    InvitationsModule,
    SurveysModule,
    CampaignsModule,
    TicketsModule,
    ResponsesModule,
    ReviewsModule,
  ],
  providers: [
    DemoService,
    DemoPulsesService,
    DemoCampaignService,
    DemoTicketHistoryService,
    DemoReviewsService,
    DemoBannerService,
    InstanceSecretsService,
  ],
  exports: [DemoService],
})
export class DemoModule {}
