import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CSRF_COOKIE = 'inpulse_csrf';
export const CSRF_FIELD = '_csrf';

export function newCsrfNonce(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Signed double-submit token: the form carries HMAC(secret, cookie nonce + scope). A forged
 * request from another site cannot read the cookie, so it cannot produce the field; the scope
 * (e.g. the survey link) keeps a token from being replayed on another form.
 */
export function csrfToken(secret: string, nonce: string, scope: string): string {
  return createHmac('sha256', secret).update(`${nonce}\n${scope}`).digest('base64url');
}

export function csrfValid(
  secret: string,
  nonce: unknown,
  scope: string,
  presented: unknown,
): boolean {
  if (typeof nonce !== 'string' || typeof presented !== 'string' || nonce.length < 16) return false;
  const expected = Buffer.from(csrfToken(secret, nonce, scope));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The CSRF nonce of this browser, set as an HttpOnly cookie on `path` when it has none yet. */
export function ensureCsrfNonce(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { path: string; secure: boolean },
): string {
  const existing = request.cookies?.[CSRF_COOKIE];
  if (typeof existing === 'string' && existing.length >= 16) return existing;
  const nonce = newCsrfNonce();
  reply.setCookie(CSRF_COOKIE, nonce, {
    path: options.path,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    maxAge: 24 * 3600,
  });
  return nonce;
}
