import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorKind, retryAfterOf, STATUS_OF_KIND } from '../errors/domain-error';
import { requestLocale, sharedI18n } from '../i18n/request-locale';

/**
 * The one way a page shows a domain error on its own form: runs `work`; a DomainError of one of
 * `kinds` is shown by `show(error, status)` (the form again, with the message) at the status the
 * one mapping gives its kind (STATUS_OF_KIND, as the error filter does, with Retry-After for a
 * rate limit). Any other error goes on to the error filter, which answers with an error page.
 */
export async function showDomainErrors<T, S>(
  reply: FastifyReply,
  kinds: readonly ErrorKind[],
  work: () => Promise<T>,
  show: (error: DomainError, status: number) => S | Promise<S>,
): Promise<T | S> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError) || !kinds.includes(error.kind)) throw error;
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    return show(error, STATUS_OF_KIND[error.kind]);
  }
}

/**
 * A domain error's message as a page shows it, in the page's language: `errors.codes.<code>` of
 * the catalogue, given the error's details (when they are an object) and `vars` as ICU arguments.
 * English pages show the error's own message (the same text the JSON API gives, often with more
 * detail), and so does every language for a code the catalogue does not have.
 */
export function errorText(
  request: FastifyRequest,
  error: DomainError,
  vars: Record<string, unknown> = {},
): string {
  const i18n = sharedI18n();
  const locale = requestLocale(request);
  const key = `errors.codes.${error.code}`;
  if (locale === i18n.fallback || i18n.source(locale, key) === undefined) return error.message;
  const details =
    typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details)
      ? (error.details as Record<string, unknown>)
      : {};
  return i18n.t(locale, key, { ...details, ...vars });
}
