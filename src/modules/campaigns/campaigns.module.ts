import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MailModule } from '../mail/mail.module';
import { ReportsModule } from '../reports/reports.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TeamsModule } from '../teams/teams.module';
import { CampaignAudienceService } from './campaign-audience.service';
import { CampaignMail } from './campaign-mail';
import { CampaignFormPagesController } from './campaign-form-pages.controller';
import { CampaignPagesController } from './campaign-pages.controller';
import { CampaignPreviewService } from './campaign-preview.service';
import { CampaignTestLinkController } from './campaign-test-link.controller';
import { CampaignTestLinks } from './campaign-test-links';
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
  controllers: [
    CampaignsController,
    CampaignPagesController,
    CampaignFormPagesController,
    CampaignTestLinkController,
  ],
  providers: [
    CampaignsService,
    CampaignsRepository,
    CampaignAudienceService,
    CampaignPreviewService,
    CampaignTestLinks,
    WavesService,
    CampaignMail,
  ],
  exports: [CampaignsService, WavesService],
})
export class CampaignsModule {}
