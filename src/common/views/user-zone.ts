import type { FastifyRequest } from 'fastify';

/**
 * The time zone a signed-in page shows times in: the person's own (app_user.time_zone) when it
 * is one Intl knows, else UTC. Pages say which zone they use.
 */
export function userZone(request: FastifyRequest): string {
  const principal = request.principal;
  const zone = principal?.kind === 'user' ? principal.timeZone : undefined;
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}
