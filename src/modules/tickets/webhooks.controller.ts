import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/access.decorator';
import { RAW_BODY_ROUTE } from '../../common/http/raw-body';
import { TicketWebhooksService } from './ticket-webhooks.service';

/**
 * Where ticketing systems post. Public: each delivery proves itself with its integration's
 * signature, checked on the raw bytes (this route's body is never parsed before that; bodies
 * over WEBHOOK_MAX_BODY_KB get 413 before any work).
 */
@ApiTags('webhooks')
@Public()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: TicketWebhooksService) {}

  @Post(':integrationId')
  @RouteConfig(RAW_BODY_ROUTE)
  @ApiOperation({
    summary:
      'A ticket event from Jira Service Management, Zendesk, ServiceNow, Freshservice or any JSON source (see README)',
  })
  async receive(
    @Param('integrationId') integrationId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const result = await this.webhooks.receive(
      integrationId,
      request.headers,
      request.body,
      request.ip,
    );
    return reply
      .code(result.status === 'accepted' ? 202 : 200)
      .header('cache-control', 'no-store')
      .send(result);
  }
}
