import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { AuditModule } from '../audit/audit.module';
import { DirectoryModule } from '../directory/directory.module';
import { EmployeesModule } from '../employees/employees.module';
import { MailModule } from '../mail/mail.module';
import { ReportsModule } from '../reports/reports.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ReaderAccessService } from './reader-access.service';
import { ReaderPassesController, ReaderPassesPagesController } from './reader-passes.controller';
import { ServicesPagesController } from './services-pages.controller';
import { ServicesClock } from './services-clock';
import { ServicesRepository } from './services.repository';
import { ServicesService } from './services.service';

/** The service directory for employees: /services and a team's page (docs/directory.md). */
@Module({
  imports: [
    ReportsModule,
    TicketsModule,
    ActionsModule,
    DirectoryModule,
    MailModule,
    ReviewsModule,
    AuditModule,
    EmployeesModule,
  ],
  controllers: [ServicesPagesController, ReaderPassesController, ReaderPassesPagesController],
  providers: [ServicesService, ServicesRepository, ReaderAccessService, ServicesClock],
  exports: [ServicesService],
})
export class ServicesModule {}
