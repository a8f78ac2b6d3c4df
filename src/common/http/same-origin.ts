/**
 * Whether a form post comes from this site's own pages, as the browser tells it: a defence
 * beside the CSRF tokens (OWASP's "verifying origin with standard headers"), used by every form
 * that changes something (survey answers, sign-in, set-password, signed-in pages).
 *
 * - `Sec-Fetch-Site: same-origin` or `none` (typed, bookmarked): ours. Every current browser
 *   sends it, and a page cannot forge it.
 * - `Origin` equal to BASE_URL's origin: ours.
 * - Any other `Sec-Fetch-Site` (cross-site, same-site) or `Origin`: refused.
 * - Neither header (old browsers, scripts, the tests' injected requests), or `Origin: null`
 *   from a browser without `Sec-Fetch-Site`: left to the CSRF token, as before. Pages sent with
 *   `Referrer-Policy: no-referrer` (survey, set-password) make browsers post their own forms
 *   with `Origin: null`; newer browsers add `Sec-Fetch-Site: same-origin` to tell them apart.
 */
export function sentFromThisSite(
  headers: { origin?: string | string[]; 'sec-fetch-site'?: string | string[] },
  baseUrl: string,
): boolean {
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  if (Array.isArray(origin) || Array.isArray(site)) return false;
  if (site === 'same-origin' || site === 'none') return true;
  if (origin !== undefined && sameOrigin(origin, baseUrl)) return true;
  if (site !== undefined) return false;
  return origin === undefined || origin === 'null';
}

function sameOrigin(origin: string, baseUrl: string): boolean {
  try {
    return new URL(origin).origin === new URL(baseUrl).origin;
  } catch {
    return false;
  }
}
