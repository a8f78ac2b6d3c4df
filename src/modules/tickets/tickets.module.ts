import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MailModule } from '../mail/mail.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TeamsModule } from '../teams/teams.module';
import { FollowUpsController } from './follow-ups.controller';
import { FollowUpsService } from './follow-ups.service';
import { IntegrationPagesController } from './integration-pages.controller';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { TicketSurveysService } from './ticket-surveys.service';
import { TicketWebhooksService } from './ticket-webhooks.service';
import { FollowUpsRepository } from './follow-ups.repository';
import { IntegrationsRepository } from './integrations.repository';
import { TicketEventsRepository } from './ticket-events.repository';
import { TicketReportsRepository } from './ticket-reports.repository';
import { TicketSurveysRepository } from './ticket-surveys.repository';
import { TicketsService } from './tickets.service';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { TicketsRetentionService } from './tickets-retention.service';
import { WebhooksController } from './webhooks.controller';

/** Ticket webhooks, integrations, the survey after a ticket, follow-ups, service standards. */
@Module({
  imports: [TeamsModule, DirectoryModule, SurveysModule, InvitationsModule, MailModule],
  controllers: [
    WebhooksController,
    IntegrationsController,
    IntegrationPagesController,
    FollowUpsController,
  ],
  providers: [
    IntegrationsRepository,
    TicketEventsRepository,
    TicketSurveysRepository,
    FollowUpsRepository,
    TicketReportsRepository,
    IntegrationsService,
    TicketWebhooksService,
    TicketSurveysService,
    FollowUpsService,
    TicketsService,
    WebhookDeliveriesRepository,
    WebhookDeliveriesService,
    TicketsRetentionService,
  ],
  exports: [
    TicketsService,
    FollowUpsService,
    IntegrationsService,
    TicketSurveysService,
    TicketsRetentionService,
  ],
})
export class TicketsModule {}
