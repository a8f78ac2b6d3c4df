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
