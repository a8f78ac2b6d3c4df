import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Api, TeamScoped } from '../../common/access/access.decorator';
import { DriverReportService } from './driver-report.service';
import { periodOf, ReportQueryDto } from './report-query.dto';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class DriversController {
  constructor(private readonly reports: DriverReportService) {}

  /**
   * What drives a team's iNPS in one calendar period: its rating and effort questions ranked by
   * the correlation of their favourable answers with the iNPS category, with "focus here" — the
   * same numbers as the team page, under the same access rule and scope as the team report.
   */
  @Get(':slug/drivers')
  @Api('reports:read')
  @TeamScoped()
  team(@Param('slug') slug: string, @Query() query: ReportQueryDto) {
    const { grain, at } = periodOf(query);
    return this.reports.forTeam(slug, grain, at);
  }
}
