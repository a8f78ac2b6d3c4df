import { DomainError } from '../../common/errors/domain-error';

/** What the tickets feature refuses, each with a stable code (mapped to HTTP in error.filter.ts). */
export const TicketErrors = {
  unknownIntegration: () =>
    new DomainError(
      'not_found',
      'webhook.unknown_integration',
      'No active integration has this id.',
    ),
  unauthorized: (code: string, message: string) => new DomainError('unauthorized', code, message),
  /** 400, or 413 for a body beyond a limit of its shape (see safe-json.ts). */
  badBody: (code: string, message: string, kind: 'invalid' | 'too_large' = 'invalid') =>
    new DomainError(kind, code, message),
  unprocessable: (message: string, code = 'webhook.unprocessable') =>
    new DomainError('unprocessable', code, message),
  tooManyFailures: (retryAfterSeconds: number) =>
    new DomainError(
      'rate_limited',
      'webhook.rate_limited',
      'Too many refused deliveries from this address; try again later.',
      { retryAfterSeconds },
    ),
  integrationNotFound: (id: string) =>
    new DomainError('not_found', 'integration.not_found', `No integration ${id}.`),
  invalidIntegration: (problems: string[]) =>
    new DomainError(
      'invalid',
      'integration.invalid',
      `The integration is not valid: ${problems.join('; ')}`,
      problems,
    ),
  followUpNotFound: () =>
    new DomainError('not_found', 'follow_up.not_found', 'No open follow-up with this id.'),
  notDead: () =>
    new DomainError(
      'not_found',
      'ticket.not_dead',
      'No ticket of this integration has a failed survey with this id.',
    ),
};
