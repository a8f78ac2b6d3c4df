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
  badBody: (code: string, message: string) => new DomainError('invalid', code, message),
  unprocessable: (message: string) =>
    new DomainError('unprocessable', 'webhook.unprocessable', message),
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
