import type { FastifyRequest } from 'fastify';

/**
 * What every signed-in page gives its layout: the person (for the navigation), the CSRF token
 * of their session (for the forms, logout included). Admin pages are in English for now; survey
 * pages are the ones translated.
 */
export function pageContext(
  request: FastifyRequest,
  title: string,
  extra: Record<string, unknown> = {},
) {
  const user = request.principal?.kind === 'user' ? request.principal : undefined;
  return {
    locale: 'en',
    dir: 'ltr',
    title,
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
    ...extra,
  };
}
