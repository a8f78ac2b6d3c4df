import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { TeamsModule } from '../teams/teams.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ReportPagesController } from './report-pages.controller';
import {
  ReportExportsController,
  ReportsController,
  TeamCommentsController,
} from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';
import { OverviewReportService } from './overview-report.service';
import { ReportTreeService } from './report-tree.service';
import { TeamReportService } from './team-report.service';
import { TicketReportService } from './ticket-report.service';
import { ReviewReportService } from './review-report.service';
import { DigestReportService } from './digest-report.service';
import { DriverReportService } from './driver-report.service';
import { DriversController } from './drivers.controller';
import { DriversRepository } from './drivers.repository';
import { CommentReportRepository } from './comment-report.repository';
import { CommentReportService } from './comment-report.service';
import { ReportCache } from './report-cache';
import { ReportFragments } from './report-fragments';

@Module({
  imports: [TeamsModule, TicketsModule, ActionsModule],
  controllers: [
    ReportsController,
    ReportExportsController,
    ReportPagesController,
    DriversController,
    TeamCommentsController,
  ],
  providers: [
    ReportsService,
    ReportsRepository,
    ReportTreeService,
    OverviewReportService,
    TeamReportService,
    TicketReportService,
    ReviewReportService,
    DigestReportService,
    DriverReportService,
    DriversRepository,
    CommentReportService,
    CommentReportRepository,
    ReportCache,
    ReportFragments,
  ],
  exports: [ReportsService, DigestReportService],
})
export class ReportsModule {}
