import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MailModule } from '../mail/mail.module';
import { ReportsModule } from '../reports/reports.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TeamsModule } from '../teams/teams.module';
import { CampaignMail } from './campaign-mail';
import { CampaignPagesController } from './campaign-pages.controller';
import { CampaignTestLinkController } from './campaign-test-link.controller';
import { CampaignsController } from './campaigns.controller';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { WavesService } from './waves.service';

@Module({
  imports: [
    TeamsModule,
    DirectoryModule,
    SurveysModule,
    InvitationsModule,
    MailModule,
    ReportsModule,
  ],
  controllers: [CampaignsController, CampaignPagesController, CampaignTestLinkController],
  providers: [CampaignsService, CampaignsRepository, WavesService, CampaignMail],
  exports: [CampaignsService, WavesService],
})
export class CampaignsModule {}
