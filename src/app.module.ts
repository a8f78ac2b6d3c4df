import { DynamicModule, Module } from '@nestjs/common';
import { CommonModule } from './common/common.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { JobsModule } from './jobs/jobs.module';
import { ActionsModule } from './modules/actions/actions.module';
import { ActionsWebModule } from './modules/actions/actions-web.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { CampaignsModule } from './modules/campaigns/campaigns.module';
import { AuditModule } from './modules/audit/audit.module';
import { DemoModule } from './modules/demo/demo.module';
import { DigestModule } from './modules/digest/digest.module';
import { DirectoryModule } from './modules/directory/directory.module';
import { EmployeesModule } from './modules/employees/employees.module';
import { HrisSyncModule } from './modules/hris-sync/hris-sync.module';
import { FatigueModule } from './modules/fatigue/fatigue.module';
import { HealthModule } from './modules/health/health.module';
import { InvitationsModule } from './modules/invitations/invitations.module';
import { MailModule } from './modules/mail/mail.module';
import { ReportsModule } from './modules/reports/reports.module';
import { RetentionModule } from './modules/retention/retention.module';
import { ReviewsModule } from './modules/reviews/reviews.module';
import { ResponsesModule } from './modules/responses/responses.module';
import { ScimModule } from './modules/scim/scim.module';
import { ServicesModule } from './modules/services/services.module';
import { SsoModule } from './modules/sso/sso.module';
import { SurveysModule } from './modules/surveys/surveys.module';
import { TeamsModule } from './modules/teams/teams.module';
import { TicketsModule } from './modules/tickets/tickets.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(
          databaseUrl,
          {
            connectTimeoutMs: config.database.connectTimeoutSeconds * 1000,
            preparedStatements: config.database.preparedStatements,
          },
          config.databaseReplica,
        ),
        JobsModule,
        CommonModule,
        AuditModule,
        AccountsModule,
        HealthModule,
        TeamsModule,
        DirectoryModule,
        SurveysModule,
        InvitationsModule,
        MailModule,
        FatigueModule,
        TicketsModule,
        ResponsesModule,
        ReportsModule,
        ReviewsModule,
        CampaignsModule,
        ActionsModule,
        ActionsWebModule,
        ServicesModule,
        DigestModule,
        ScimModule,
        SsoModule,
        EmployeesModule,
        HrisSyncModule,
        RetentionModule,
        // The demo organisation and its banner: demo mode only, never in production.
        ...(config.demo ? [DemoModule] : []),
      ],
    };
  }
}
