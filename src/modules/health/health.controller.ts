import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/access/access.decorator';
import { RETRY_AFTER_SECONDS } from '../../database/db-errors';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is up (whether or not the database is). */
  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok' };
  }

  /** The database answers and every migration is applied; 503 with the reason otherwise. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply) {
    const readiness = await this.readiness.check();
    reply.header('cache-control', 'no-store');
    if (readiness.ready) return reply.code(200).send({ status: 'ready' });
    return reply
      .code(503)
      .header('Retry-After', String(RETRY_AFTER_SECONDS))
      .send({ status: 'unavailable', reason: readiness.reason });
  }
}
