/**
 * Security headers of every response, computed once (a per-request middleware rebuilding the
 * Content-Security-Policy showed up in the submit benchmark). Scripts and styles come only from
 * the app itself: pages work on a closed network and no inline script can run.
 */
export function securityHeaders(
  options: { https: boolean },
  /** Only for the API's documentation page: see apiDocsHeaders. */
  styleSrc = "style-src 'self'",
): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    styleSrc,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
    ...(options.https
      ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }
      : {}),
  };
}

/**
 * The API's documentation page (`/api/docs`, Swagger UI) has a policy of its own: Swagger UI
 * writes style elements and attributes as it draws, which `style-src 'self'` blocks (and the
 * browser reports). Its styles may be inline; its scripts stay the app's own files, as
 * everywhere. The page shows only the app's own OpenAPI document, nobody's input.
 */
export function apiDocsHeaders(options: { https: boolean }): Record<string, string> {
  return securityHeaders(options, "style-src 'self' 'unsafe-inline'");
}

/** The addresses of the documentation page itself (its files and document keep the usual policy). */
export function isApiDocsPage(url: string): boolean {
  return /^\/api\/docs(\/|\/index\.html)?(\?|$)/.test(url);
}
