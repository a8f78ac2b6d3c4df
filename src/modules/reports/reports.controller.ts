import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  Api,
  CurrentPrincipal,
  Pages,
  type Principal,
  TeamScoped,
} from '../../common/access/access.decorator';
import { AuditService } from '../audit/audit.service';
import { CommentQueryDto } from './comment-query.dto';
import { CommentReportService } from './comment-report.service';
import {
  conditional,
  NO_STORE,
  notModified,
  representationTag,
  REVALIDATE,
  sendNotModified,
} from './conditional';
import { teamReportCsv } from './report-csv';
import { OverviewQueryDto, periodOf, ReportQueryDto } from './report-query.dto';
import { ReportsService } from './reports.service';

/** What a change object is (significance.ts), for the OpenAPI document. */
const CHANGE =
  '`null`, or `{ delta, low, high, significant, direction, smallSample }`: the difference of the two iNPS with its 95% interval; `significant` only when that interval excludes 0 (then `direction` is `up` or `down`, else `flat`); `smallSample` when either period has fewer than 30 responses. Present only when both periods are shown (docs/reports.md).';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AuditService,
  ) {}

  /** Every team the token may see (all of them), as on the overview page. */
  @Get('overview')
  @Api('reports:read')
  @ApiOperation({
    summary: 'Every team: iNPS of the period, change since the previous one, target, heatmap',
    description: `Each row has \`change\` (a number, for sorting) and \`changeDetail\`: ${CHANGE}`,
  })
  async overview(
    @Query() query: OverviewQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { grain, at } = periodOf(query);
    const sort = query.sort ?? 'name';
    const { value, etag } = await this.reports.overviewWithTag(
      'all',
      grain,
      at,
      sort,
      (query.dir ?? (sort === 'name' ? 'asc' : 'desc')) === 'desc',
    );
    return conditional(request, reply, etag !== null, value, REVALIDATE);
  }

  /** A team's report for one calendar period: the same numbers as its page. */
  @Get('teams/:slug')
  @Api('reports:read')
  @ApiOperation({
    summary: 'A team’s report for one calendar period: the same numbers as its page',
    description: `\`change\` (the headline against the previous period, and on each of \`subTeams\`): ${CHANGE} Each question has \`source\`: \`{ kind: 'pulse' | 'campaign', name }\`.`,
  })
  @TeamScoped()
  async team(
    @Param('slug') slug: string,
    @Query() query: ReportQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { grain, at } = periodOf(query);
    const { value, etag } = await this.reports.teamReportWithTag(slug, grain, at);
    return conditional(request, reply, etag !== null, value, NO_STORE);
  }

  /**
   * The "after tickets" figures of a team for one calendar period: iNPS of surveys after tickets
   * beside the pulse iNPS (closed periods only), its trend, by resolution-time band, comments, and
   * the service standards of the team's tickets.
   */
  @Get('teams/:slug/tickets')
  @Api('reports:read')
  @ApiOperation({
    summary: 'A team’s figures after tickets for one calendar period, and its service standards',
    description: `Each of \`sources\` has \`change\`: ${CHANGE}`,
  })
  @TeamScoped()
  tickets(@Param('slug') slug: string, @Query() query: ReportQueryDto) {
    const { grain, at } = periodOf(query);
    return this.reports.ticketReport(slug, grain, at);
  }

  /**
   * The "anonymous reviews" figures of a team for one calendar period: their iNPS (closed
   * periods only), its trend, and each open question's comments.
   */
  @Get('teams/:slug/reviews')
  @Api('reports:read')
  @TeamScoped()
  async reviews(
    @Param('slug') slug: string,
    @Query() query: ReportQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { grain, at } = periodOf(query);
    const { value, etag } = await this.reports.reviewReportWithTag(slug, grain, at);
    return conditional(request, reply, etag !== null, value, NO_STORE);
  }

  /** The same aggregates as CSV. */
  @Get('teams/:slug/csv')
  @Api('reports:read')
  @TeamScoped()
  async teamCsv(
    @Param('slug') slug: string,
    @Query() query: ReportQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return sendCsv(this.reports, this.audit, slug, query, principal, request, reply);
  }
}

/**
 * Comment search and themes of a team for one calendar period: the same comments, themes and
 * matches as its page, under the same rules (nothing while the period's comments are withheld).
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamCommentsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly comments: CommentReportService,
  ) {}

  @Get(':slug/comments')
  @Api('reports:read')
  @TeamScoped()
  async teamComments(@Param('slug') slug: string, @Query() query: CommentQueryDto) {
    const { grain, at } = periodOf(query);
    return this.comments.build(await this.reports.teamReport(slug, grain, at), query.q);
  }
}

/** The CSV export of a team page, for people signed in. */
@Controller('teams')
export class ReportExportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly audit: AuditService,
  ) {}

  @Get(':slug/export.csv')
  @Pages()
  @TeamScoped()
  async export(
    @Param('slug') slug: string,
    @Query() query: ReportQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return sendCsv(this.reports, this.audit, slug, query, principal, request, reply);
  }
}

async function sendCsv(
  reports: ReportsService,
  audit: AuditService,
  slug: string,
  query: ReportQueryDto,
  principal: Principal,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const { grain, at } = periodOf(query);
  const { value: report, etag } = await reports.teamReportWithTag(slug, grain, at);
  const csv = teamReportCsv(report);
  // The CSV holds no comment text, but it is an export: no cache keeps it (a shared PC).
  const tag = etag === null ? null : representationTag('csv', csv);
  if (tag !== null && notModified(request, tag)) return sendNotModified(reply, tag, NO_STORE);
  await audit.record({
    action: 'report.exported',
    actor: principal,
    target: slug,
    ip: request.ip,
    details: { period: grain, start: report.period.start },
  });
  if (tag !== null) reply.header('etag', tag).header('cache-control', NO_STORE);
  else reply.header('cache-control', 'no-store');
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header(
      'content-disposition',
      `attachment; filename="${slug}-${grain}-${report.period.start}.csv"`,
    )
    .send(csv);
}
