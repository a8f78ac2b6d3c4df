import type { FastifyRequest } from 'fastify';
import { requestLocale, sharedI18n } from '../i18n/request-locale';

/**
 * What every signed-in page gives its layout: the language and direction of the page (the
 * person's choice, else the browser's; see request-locale.ts), the person (for the navigation),
 * the CSRF token of their session (for the forms, logout included), and the languages offered by
 * the switch in the header. `title` is already translated by the caller.
 */
export function pageContext(
  request: FastifyRequest,
  title: string,
  extra: Record<string, unknown> = {},
) {
  const user = request.principal?.kind === 'user' ? request.principal : undefined;
  const i18n = sharedI18n();
  const locale = requestLocale(request);
  const info = i18n.info(locale);
  return {
    locale,
    dir: info.dir,
    title,
    uiLanguages: i18n.locales.map((l) => ({
      code: l.code,
      name: l.name,
      dir: l.dir,
      current: l.code === locale,
    })),
    returnTo: request.url,
    user: user
      ? {
          name: user.name,
          email: user.email,
          role: user.role,
          isAdmin: user.role === 'admin',
          canFollowUp: user.role === 'admin' || user.role === 'lead',
        }
      : undefined,
    csrf: user?.csrfToken,
    /** The person's time zone for `formatDate … zone=@root.timeZone` (UTC when unset). */
    timeZone: usableZone(user?.timeZone),
    ...extra,
  };
}

/** A stored zone Intl can use, else UTC: a page never fails over a zone this Node does not know. */
function usableZone(zone: string | null | undefined): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}
