import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Public } from '../access/access.decorator';
import { Metrics } from './metrics';

/**
 * GET /metrics for Prometheus. Public to the access guard, with its own rule: it exists only
 * when METRICS_TOKEN is set (404 otherwise, as for any unknown path), and then needs
 * `Authorization: Bearer <METRICS_TOKEN>` (401 without it). API tokens do not open it.
 */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('metrics')
  scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply) {
    reply.header('cache-control', 'no-store');
    const token = this.config.metricsToken;
    if (token === undefined)
      return reply.code(404).send({ statusCode: 404, error: 'not_found', message: 'Not found' });
    if (!sameToken(authorization?.match(/^Bearer (.+)$/i)?.[1] ?? '', token))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ statusCode: 401, error: 'unauthorized', message: 'METRICS_TOKEN needed' });
    return reply
      .code(200)
      .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .send(this.metrics.text());
  }
}

/** Compared as hashes: equal lengths, constant time. */
function sameToken(given: string, expected: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
