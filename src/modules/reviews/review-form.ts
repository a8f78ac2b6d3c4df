import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken, csrfValid, ensureCsrfNonce } from '../../common/http/csrf';
import type { AppConfig } from '../../config/app-config';

/** The CSRF nonce cookie of the review forms: sent with every POST under /services/. */
export const REVIEW_COOKIE_PATH = '/services/';

/** The longest address accepted (RFC 5321's limit of a path). */
export const REVIEW_EMAIL_MAX_LENGTH = 320;
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;

/** What views/partials/review-request.hbs needs (besides the page's `locale` at its root). */
export interface ReviewFormContext {
  /** The team's slug: the form posts to /services/<slug>/review. */
  slug: string;
  /** The form's CSRF token (its nonce is the cookie this helper sets). */
  csrf: string;
  /** The page's language, posted back so that the answer page speaks it. */
  lang: string;
}

function scope(slug: string): string {
  return `review-request:${slug}`;
}

/**
 * The context of the review request form for a team's page (the service directory's, or the
 * review page itself): sets the CSRF nonce cookie on `reply` when the browser has none yet.
 * Include the partial with it as its context — `{{> review-request reviewForm}}` — or field by
 * field: `{{> review-request slug=reviewForm.slug csrf=reviewForm.csrf lang=locale}}`.
 */
export function reviewFormContext(
  request: FastifyRequest,
  reply: FastifyReply,
  slug: string,
  config: Pick<AppConfig, 'appSecret' | 'baseUrl'>,
  lang = 'en',
): ReviewFormContext {
  const nonce = ensureCsrfNonce(request, reply, {
    path: REVIEW_COOKIE_PATH,
    secure: config.baseUrl.startsWith('https:'),
  });
  return { slug, csrf: csrfToken(config.appSecret, nonce, scope(slug)), lang };
}

/** Whether a posted review form carries the token its page gave it. */
export function reviewFormAuthentic(
  config: Pick<AppConfig, 'appSecret'>,
  nonce: unknown,
  slug: string,
  presented: unknown,
): boolean {
  return csrfValid(config.appSecret, nonce, scope(slug), presented);
}

/** The address of a posted form, normalised, or why it cannot be one. */
export function reviewAddress(
  raw: unknown,
): { email: string } | { problem: 'missing' | 'invalid' } {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === ''))
    return { problem: 'missing' };
  if (typeof raw !== 'string') return { problem: 'invalid' };
  const email = raw.trim().toLowerCase();
  if (email.length > REVIEW_EMAIL_MAX_LENGTH || !EMAIL.test(email)) return { problem: 'invalid' };
  return { email };
}
