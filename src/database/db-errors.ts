/**
 * Errors that say "the database cannot be reached just now" rather than "this request is wrong"
 * or "the code is wrong": the socket was refused, reset or timed out, the server is shutting
 * down, starting up or out of connections. They end a request with 503 and Retry-After (the
 * caller may try again; nothing was half-written, transactions see to that), make start-up wait,
 * and turn /readyz to 503.
 */

/** What a client is told to wait before trying again while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: class 08 (connection exception), admin_shutdown, crash_shutdown,
 * cannot_connect_now (starting up, or in recovery), too_many_connections.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What `pg` and `pg-pool` say when a connection dies or cannot be had in time. */
const MESSAGES: [RegExp, string][] = [
  [/^Connection terminated due to connection timeout/i, 'connect timeout'],
  [/^Connection terminated/i, 'connection terminated'],
  [/^timeout exceeded when trying to connect/i, 'connect timeout'],
  [/^Query read timeout/i, 'query timeout'],
  [/not queryable/i, 'connection lost'],
];

/** TypeORM's error for the next statement of a transaction whose connection broke under it. */
const RELEASED_RUNNER = 'QueryRunnerAlreadyReleasedError';

/** A short name for a connection-class error (a code, an SQLSTATE or a few words), or undefined. */
export function connectionErrorLabel(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const e = error as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string') {
    if (SOCKET_CODES.has(e.code) || SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))
      return e.code;
  }
  if (typeof e.message === 'string')
    for (const [pattern, label] of MESSAGES) if (pattern.test(e.message)) return label;
  if (e.name === RELEASED_RUNNER) return 'connection lost';
  for (const inner of [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const label = connectionErrorLabel(inner, depth + 1);
    if (label) return label;
  }
  return undefined;
}

export function isConnectionError(error: unknown): boolean {
  return connectionErrorLabel(error) !== undefined;
}
