import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorKind, retryAfterOf, STATUS_OF_KIND } from '../errors/domain-error';
import { COMMON_PROBLEM_RULES, type ProblemWording, wordProblems } from '../i18n/form-problems';
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
 *
 * With a `wording`, an error that lists the checks' English problems (its details), or whose code
 * the catalogue does not have (`account.invalid`: the message is the problem itself), is worded by
 * the rules of form-problems.ts: the problems alone, or given to the code's message as
 * `{problems}` ("The integration is not valid: {problems}").
 */
export function errorText(
  request: FastifyRequest,
  error: DomainError,
  vars: Record<string, unknown> = {},
  wording?: ProblemWording,
): string {
  const i18n = sharedI18n();
  const locale = requestLocale(request);
  const key = `errors.codes.${error.code}`;
  if (locale === i18n.fallback) return error.message;
  const known = i18n.source(locale, key) !== undefined;
  const listed =
    Array.isArray(error.details) && error.details.every((p) => typeof p === 'string')
      ? (error.details as string[])
      : undefined;
  if (wording && (listed || !known)) {
    const problems = wordProblems(i18n, locale, listed ?? [error.message], wording).join(' ');
    return known ? i18n.t(locale, key, { ...vars, problems }) : problems;
  }
  if (!known) return error.message;
  const details =
    typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details)
      ? (error.details as Record<string, unknown>)
      : {};
  return i18n.t(locale, key, { ...details, ...vars });
}

/**
 * A request the edge refused (the validation pipe's `validation_failed`, or another client error
 * that is no domain error), as an error page says it in the page's language: the validation
 * problems worded by the common rules, else nothing beyond the page's title (Fastify's and Nest's
 * own messages are English only). English pages show the message the API gives.
 */
export function requestErrorText(
  request: FastifyRequest,
  body: { error: string; message: string; details?: unknown },
): string | undefined {
  const i18n = sharedI18n();
  const locale = requestLocale(request);
  if (locale === i18n.fallback) return body.message;
  if (body.error !== 'validation_failed' || !Array.isArray(body.details)) return undefined;
  const problems = wordProblems(i18n, locale, body.details.map(String), {
    rules: COMMON_PROBLEM_RULES,
    field: () => undefined,
    english: (problem) => problem,
  });
  return i18n.t(locale, 'errors.codes.validation_failed', { problems: problems.join(' ') });
}
