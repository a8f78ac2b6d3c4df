import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const TICKET_ERROR_CODES = [
  'follow_up.not_found',
  'integration.invalid',
  'integration.not_found',
  'ticket.not_dead',
  'webhook.array_too_long',
  'webhook.content_type',
  'webhook.forbidden_key',
  'webhook.malformed_json',
  'webhook.mixed_script',
  'webhook.rate_limited',
  'webhook.rejected_input',
  'webhook.signature_invalid',
  'webhook.signature_missing',
  'webhook.string_too_long',
  'webhook.timestamp_future',
  'webhook.timestamp_invalid',
  'webhook.timestamp_stale',
  'webhook.too_many_keys',
  'webhook.unknown_integration',
  'webhook.unprocessable',
] as const;
export type TicketErrorCode = (typeof TICKET_ERROR_CODES)[number];
const error = featureErrors(TICKET_ERROR_CODES);

/** What the tickets feature refuses, each with a stable code (mapped to HTTP in error.filter.ts). */
export const TicketErrors = {
  unknownIntegration: () =>
    error('not_found', 'webhook.unknown_integration', 'No active integration has this id.'),
  unauthorized: (code: TicketErrorCode, message: string) => error('unauthorized', code, message),
  /** 400, or 413 for a body beyond a limit of its shape (see safe-json.ts). */
  badBody: (code: TicketErrorCode, message: string, kind: 'invalid' | 'too_large' = 'invalid') =>
    error(kind, code, message),
  unprocessable: (message: string, code: TicketErrorCode = 'webhook.unprocessable') =>
    error('unprocessable', code, message),
  tooManyFailures: (retryAfterSeconds: number) =>
    error(
      'rate_limited',
      'webhook.rate_limited',
      'Too many refused deliveries from this address; try again later.',
      { retryAfterSeconds },
    ),
  integrationNotFound: (id: string) =>
    error('not_found', 'integration.not_found', `No integration ${id}.`),
  invalidIntegration: (problems: string[]) =>
    error(
      'invalid',
      'integration.invalid',
      `The integration is not valid: ${problems.join('; ')}`,
      problems,
    ),
  followUpNotFound: () =>
    error('not_found', 'follow_up.not_found', 'No open follow-up with this id.'),
  notDead: () =>
    error(
      'not_found',
      'ticket.not_dead',
      'No ticket of this integration has a failed survey with this id.',
    ),
};
