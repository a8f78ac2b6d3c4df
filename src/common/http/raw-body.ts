import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * Route config (`@RouteConfig(RAW_BODY_ROUTE)`) of routes that read their body as raw bytes:
 * a webhook's signature is checked on exactly what was sent, before anything parses it. Such
 * routes get the webhook body cap (WEBHOOK_MAX_BODY_KB) instead of the usual one; see
 * app.factory.ts.
 */
export const RAW_BODY_ROUTE = { rawBody: true } as const;

export function wantsRawBody(request: FastifyRequest): boolean {
  return (request.routeOptions?.config as { rawBody?: boolean } | undefined)?.rawBody === true;
}

/** A request refused before its handler ran, as the error filter answers it. */
export interface EarlyRefusal {
  statusCode: number;
  error: string;
  message: string;
}

type Listener = (request: FastifyRequest, refusal: EarlyRefusal) => Promise<void>;

/**
 * Refusals of raw-body routes that happen before their handler runs — Fastify's own: a body
 * over the cap (413), a Content-Length that does not match, a content type with no parser. The
 * handler never sees them, so app.factory.ts reports them here, and the feature that owns the
 * route listens (the webhook delivery log). A listener's failure is its own to handle.
 */
@Injectable()
export class RawBodyRefusals {
  private readonly listeners: Listener[] = [];

  listen(listener: Listener): void {
    this.listeners.push(listener);
  }

  async report(request: FastifyRequest, refusal: EarlyRefusal): Promise<void> {
    for (const listener of this.listeners) await listener(request, refusal);
  }
}
