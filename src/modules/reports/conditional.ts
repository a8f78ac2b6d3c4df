import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cache-Control of a report from the report cache: any cache may keep it only for this person
 * (`private`) and must ask again before each use (`max-age=0, must-revalidate`), with its ETag;
 * the answer is then 304 while the closed period's results are unchanged.
 */
export const REVALIDATE = 'private, max-age=0, must-revalidate';

/** Whether the request's If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

export function sendNotModified(reply: FastifyReply, etag: string): FastifyReply {
  return reply.code(304).header('etag', etag).header('cache-control', REVALIDATE).send();
}

/**
 * Sends a JSON answer with its ETag and Cache-Control, or 304 when the client holds it already.
 * No ETag (an open period): `no-store` and the body. The ETag is only compared after the route's
 * access checks have passed, for the same URL.
 */
export function conditional<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: string | null,
  value: T,
): FastifyReply {
  if (etag === null) return reply.header('cache-control', 'no-store').send(value);
  if (notModified(request, etag)) return sendNotModified(reply, etag);
  return reply.header('etag', etag).header('cache-control', REVALIDATE).send(value);
}
