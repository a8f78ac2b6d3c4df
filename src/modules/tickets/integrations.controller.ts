import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Api, CurrentPrincipal, type Principal } from '../../common/access/access.decorator';
import {
  CreateIntegrationDto,
  DeliveriesQueryDto,
  RotateSecretDto,
  UpdateIntegrationDto,
} from './dto/integration.dto';
import { IntegrationsService } from './integrations.service';
import { TicketSurveysService } from './ticket-surveys.service';
import { TicketsService } from './tickets.service';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

/** Integrations, for HR (admin tokens): the same operations as /admin/integrations. */
@ApiTags('integrations')
@ApiBearerAuth()
@Controller('api/v1/integrations')
export class IntegrationsController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly tickets: TicketsService,
    private readonly surveys: TicketSurveysService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Get()
  @Api('admin')
  async list() {
    return { items: await this.integrations.list() };
  }

  /** Creates an integration. Its signing secret is in this answer only: keep it now. */
  @Post()
  @Api('admin')
  create(
    @Body() body: CreateIntegrationDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.integrations.create(principal, body, request.ip);
  }

  @Get(':id')
  @Api('admin')
  get(@Param('id') id: string) {
    return this.integrations.get(id);
  }

  @Patch(':id')
  @Api('admin')
  update(
    @Param('id') id: string,
    @Body() body: UpdateIntegrationDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.integrations.update(principal, id, body, request.ip);
  }

  /** A new signing secret (in this answer only); the old one stays valid for the overlap. */
  @Post(':id/rotate-secret')
  @Api('admin')
  rotate(
    @Param('id') id: string,
    @Body() body: RotateSecretDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.integrations.rotate(principal, id, body, request.ip);
  }

  /** Recent tickets with their survey state, counts per state, and failed surveys. */
  @Get(':id/tickets')
  @Api('admin')
  async activity(@Param('id') id: string) {
    await this.integrations.get(id);
    return this.tickets.activity(id);
  }

  /**
   * The delivery log, newest first: each delivery's time (a line may stand for identical ones,
   * `repeats`, up to `lastReceivedAt`), outcome, HTTP status, reason, event type, ticket (when
   * accepted), size and signature verdict. Never a body.
   */
  @Get(':id/deliveries')
  @Api('admin')
  async deliveryLog(@Param('id') id: string, @Query() query: DeliveriesQueryDto) {
    await this.integrations.get(id);
    return { items: await this.deliveries.list(id, query) };
  }

  /** Tries a failed survey (a dead letter) again. */
  @Post(':id/tickets/:ticket/retry')
  @Api('admin')
  async retry(@Param('id') id: string, @Param('ticket') ticket: string) {
    await this.integrations.get(id);
    await this.surveys.revive(id, ticket);
    return { status: 'queued' };
  }
}
