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
import { CommentReportRepository } from './comment-report.repository';
import { CommentReportService } from './comment-report.service';

@Module({
  imports: [TeamsModule, TicketsModule, ActionsModule],
  controllers: [
    ReportsController,
    ReportExportsController,
    ReportPagesController,
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
    CommentReportService,
    CommentReportRepository,
  ],
  exports: [ReportsService],
})
export class ReportsModule {}
