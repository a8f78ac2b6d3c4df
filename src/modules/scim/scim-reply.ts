import type { FastifyReply } from 'fastify';
import { SCIM_CONTENT_TYPE } from '../../common/http/scim-error';

/**
 * A SCIM answer: the body as application/scim+json, and for one resource its weak ETag
 * (meta.version, RFC 7644 §3.14) and, when just created, its Location.
 */
export function scimReply(
  reply: FastifyReply,
  body: Record<string, unknown>,
  options: { created?: boolean; ifNoneMatch?: string } = {},
): string {
  reply.header('content-type', SCIM_CONTENT_TYPE);
  const meta = body.meta as { version?: unknown; location?: unknown } | undefined;
  if (typeof meta?.version === 'string') reply.header('etag', meta.version);
  // A GET with If-None-Match naming the current version: 304, nothing to send again.
  if (
    options.ifNoneMatch !== undefined &&
    typeof meta?.version === 'string' &&
    options.ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//i, ''))
      .includes(meta.version.replace(/^W\//i, ''))
  ) {
    reply.status(304);
    return '';
  }
  if (options.created) {
    reply.status(201);
    if (typeof meta?.location === 'string') reply.header('location', meta.location);
  }
  return JSON.stringify(body);
}
