import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ReportPagesController } from './report-pages.controller';
import { ReportExportsController, ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

@Module({
  imports: [TeamsModule, TicketsModule],
  controllers: [ReportsController, ReportExportsController, ReportPagesController],
  providers: [ReportsService, ReportsRepository],
  exports: [ReportsService],
})
export class ReportsModule {}
