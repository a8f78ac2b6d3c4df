import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Api, CurrentPrincipal, type Principal } from '../../common/access/access.decorator';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ReportsService } from '../reports/reports.service';
import { inputFromDto } from './campaign-form';
import { CAMPAIGN_TEMPLATES, TEMPLATE_KEYS } from './campaign-templates';
import { CampaignAudienceService } from './campaign-audience.service';
import { CampaignsService } from './campaigns.service';
import { AudienceCountDto, CampaignDto } from './dto/campaign.dto';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('api/v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly audiences: CampaignAudienceService,
    private readonly reports: ReportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private defaults() {
    return {
      timeZone: this.config.organisationTimeZone,
      reportingThreshold: this.config.reportingThreshold,
    };
  }

  /** The questionnaire templates a campaign can start from. */
  @Get('templates')
  @Api('surveys:read')
  templates() {
    return {
      items: TEMPLATE_KEYS.map((key) => ({ key, ...CAMPAIGN_TEMPLATES[key] })),
    };
  }

  /** How many people an audience holds now (the live count of the campaign form). */
  @Post('audience-count')
  @Api('surveys:read')
  countAudience(@Body() body: AudienceCountDto) {
    return this.audiences.count({
      subject: body.subject ?? 'teams',
      departments: body.departments ?? [],
      locations: body.locations ?? [],
      teamSlugs: body.teamSlugs ?? [],
      tenureBands: body.tenureBands ?? [],
      includeEmails: (body.includeEmails ?? []).map((e) => e.trim().toLowerCase()),
      excludeEmails: (body.excludeEmails ?? []).map((e) => e.trim().toLowerCase()),
    });
  }

  @Post()
  @Api('surveys:write')
  async create(
    @Body() body: CampaignDto,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
  ) {
    const created = await this.campaigns.create(inputFromDto(body, this.defaults()), {
      actor,
      ip: request.ip,
    });
    return this.campaigns.view(created.id);
  }

  @Get()
  @Api('surveys:read')
  async list() {
    return { items: await this.campaigns.list() };
  }

  @Get(':id')
  @Api('surveys:read')
  get(@Param('id', uuid) id: string) {
    return this.campaigns.view(id);
  }

  /** Replaces the campaign's settings for its next waves. */
  @Put(':id')
  @Api('surveys:write')
  async update(
    @Param('id', uuid) id: string,
    @Body() body: CampaignDto,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
  ) {
    await this.campaigns.update(id, inputFromDto(body, this.defaults()), { actor, ip: request.ip });
    return this.campaigns.view(id);
  }

  @Post(':id/pause')
  @Api('surveys:write')
  pause(
    @Param('id', uuid) id: string,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.campaigns.pause(id, { actor, ip: request.ip });
  }

  @Post(':id/resume')
  @Api('surveys:write')
  resume(
    @Param('id', uuid) id: string,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.campaigns.resume(id, { actor, ip: request.ip });
  }

  @Post(':id/archive')
  @Api('surveys:write')
  archive(
    @Param('id', uuid) id: string,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.campaigns.archive(id, { actor, ip: request.ip });
  }

  @Get(':id/waves')
  @Api('surveys:read')
  async waves(@Param('id', uuid) id: string) {
    await this.campaigns.get(id);
    return { items: await this.campaigns.waves(id) };
  }

  /** The campaign's results per wave and over time, under its threshold k. */
  @Get(':id/report')
  @Api('reports:read')
  async report(@Param('id', uuid) id: string) {
    const campaign = await this.campaigns.get(id);
    return this.reports.campaignReport(await this.campaigns.reportScope(campaign));
  }
}
