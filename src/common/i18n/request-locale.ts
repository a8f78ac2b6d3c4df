import type { FastifyRequest } from 'fastify';
import type { I18n } from './i18n.service';

/** The cookie that keeps the language chosen with the switch by someone not signed in. */
export const UI_LANG_COOKIE = 'inpulse_lang';

let shared: I18n | undefined;

/** Set once when the I18N provider is built, so plain functions (pageContext) can translate. */
export function useI18n(i18n: I18n): void {
  shared = i18n;
}

export function sharedI18n(): I18n {
  if (!shared) throw new Error('i18n: useI18n() was not called');
  return shared;
}

declare module 'fastify' {
  interface FastifyRequest {
    uiLocale?: string;
  }
}

/**
 * The language of a signed-in page: the person's own choice (saved on their account with the
 * switch in the header), else the switch's cookie, else the browser's Accept-Language, else English.
 */
export function requestLocale(request: FastifyRequest): string {
  if (request.uiLocale) return request.uiLocale;
  const i18n = sharedI18n();
  const principal = request.principal;
  const own = principal?.kind === 'user' ? principal.locale : undefined;
  const cookie = request.cookies?.[UI_LANG_COOKIE];
  const locale = i18n.match(own) ?? i18n.negotiate(cookie, request.headers['accept-language']);
  request.uiLocale = locale;
  return locale;
}

/** A translator bound to the request's language, for controllers: `tr(request)('nav.teams')`. */
export function tr(
  request: FastifyRequest,
): (key: string, vars?: Record<string, unknown>) => string {
  const locale = requestLocale(request);
  const i18n = sharedI18n();
  return (key, vars = {}) => i18n.t(locale, key, vars);
}
