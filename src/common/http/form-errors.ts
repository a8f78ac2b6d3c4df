import type { FastifyReply } from 'fastify';
import { DomainError, type ErrorKind, retryAfterOf, STATUS_OF_KIND } from '../errors/domain-error';

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
