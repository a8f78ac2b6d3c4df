/**
 * The one error type services throw. `kind` decides the HTTP status (in one place:
 * error.filter.ts); `code` is a stable, machine-readable name; `message` says what is wrong.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
};

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The seconds a rate-limited caller is told to wait (details.retryAfterSeconds), if any. */
export function retryAfterOf(error: DomainError): number | undefined {
  if (error.kind !== 'rate_limited') return undefined;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds > 0 ? seconds : undefined;
}

/**
 * The constructor of one feature's errors, typed by its code list (`<feature>.errors.ts`): a
 * feature can only answer with a code its list names, and the list is the feature's contract
 * with API clients (test/architecture/error-codes.spec.ts checks the lists against each other).
 */
export function featureErrors<Code extends string>(codes: readonly Code[]) {
  void codes;
  return (kind: ErrorKind, code: Code, message: string, details?: unknown): DomainError =>
    new DomainError(kind, code, message, details);
}

/** Too many attempts: 429 with Retry-After (the rate limiter's and the sign-in throttle's). */
export function rateLimited(message: string, retryAfterSeconds: number): DomainError {
  return new DomainError('rate_limited', 'rate_limited', message, { retryAfterSeconds });
}

/** Codes of the cross-cutting pieces (src/common, the error filter), no feature's. */
export const COMMON_ERROR_CODES = [
  'input.rejected',
  'rate_limited',
  'validation_failed',
  'database_unavailable',
  'internal',
] as const;
