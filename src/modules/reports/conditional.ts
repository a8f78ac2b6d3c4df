import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagOf } from './report-cache';

/**
 * Cache-Control of a closed period's figures without any comment text (the overview): only this
 * person's cache may keep it (`private`) and must ask again before each use (`no-cache`), with
 * its ETag; the answer is then 304 while the representation is unchanged.
 */
export const REVALIDATE = 'private, no-cache';

/**
 * Cache-Control of anything holding comment texts (the team report, the reviews) and of CSV
 * exports: no cache keeps it, not even a browser's on a shared PC. Its ETag still answers 304 to
 * a client that sends If-None-Match itself (an API client).
 */
export const NO_STORE = 'private, no-store';

/** Whether the request's If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

export function sendNotModified(reply: FastifyReply, etag: string, policy: string): FastifyReply {
  return reply.code(304).header('etag', etag).header('cache-control', policy).send();
}

/**
 * The weak ETag of a representation: a hash of what is sent, with the comment samples' order
 * left out (each view shows the same sample in a new random order: weak, "the same content").
 * So anything the cache key misses — a question's text, a campaign's name — changes the tag.
 */
export function representationTag(kind: 'json' | 'csv', body: string | unknown): string {
  if (typeof body === 'string') return etagOf(kind, body);
  return etagOf(
    kind,
    JSON.stringify(body, (name, v: unknown) =>
      name === 'texts' && Array.isArray(v) ? [...(v as string[])].sort() : v,
    ),
  );
}

/**
 * Sends a JSON answer with its ETag and Cache-Control, or 304 when the client holds it already.
 * `closed` false (an open period): no ETag, `no-store`. The ETag is only compared after the
 * route's access checks have passed, for the same URL.
 */
export function conditional<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  closed: boolean,
  value: T,
  policy: string,
): FastifyReply {
  if (!closed) return reply.header('cache-control', 'no-store').send(value);
  const etag = representationTag('json', value);
  if (notModified(request, etag)) return sendNotModified(reply, etag, policy);
  return reply.header('etag', etag).header('cache-control', policy).send(value);
}
