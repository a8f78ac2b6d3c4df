import pino, { type Logger } from 'pino';
import type { AppConfig } from '../../config/app-config';

/** inpulse's log levels (LOG_LEVEL, Nest's names) as pino levels. */
export const PINO_LEVEL: Record<AppConfig['logLevel'], pino.Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export const REDACTED = '[redacted]';

/**
 * Paths pino blanks out whatever is logged: credentials, the survey link and set-password
 * tokens, CSRF values and anything a person wrote. Request lines are built by the serializers
 * below and never carry headers or bodies; these are the safety net behind them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...['password', 'token', '_csrf', 'answers', 'text', 'comment'].flatMap((key) => [
    key,
    `*.${key}`,
  ]),
];

/** A request as the serializer sees it: Fastify's request, or Node's raw one. */
interface LoggedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** Segments of a path that hold a secret: the one after `/s/` and after `/account/setup/`. */
export function redactPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0];
  const segments = path.split('/');
  const decoded = segments.map((segment) => {
    try {
      return decodeURIComponent(segment).toLowerCase();
    } catch {
      return segment.toLowerCase();
    }
  });
  return segments
    .map((segment, i) =>
      i > 0 &&
      segment !== '' &&
      (decoded[i - 1] === 's' ||
        (i > 1 && decoded[i - 2] === 'account' && decoded[i - 1] === 'setup'))
        ? REDACTED
        : segment,
    )
    .join('/');
}

export const serializers = {
  req(request: LoggedRequest) {
    return {
      id: request.id,
      method: request.method,
      url: redactPath(request.url ?? ''),
      remoteAddress: request.ip ?? request.socket?.remoteAddress,
    };
  },
  res(reply: { statusCode?: number }) {
    return { statusCode: reply.statusCode };
  },
  err: pino.stdSerializers.err,
};

/**
 * The one pino logger of a process: JSON lines on stdout (or on `stream`, for tests), used by
 * Fastify for request lines and by Nest through PinoNestLogger.
 */
export function createLogger(level: AppConfig['logLevel'], stream?: NodeJS.WritableStream): Logger {
  const options: pino.LoggerOptions = {
    level: PINO_LEVEL[level],
    serializers,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  return stream ? pino(options, stream as pino.DestinationStream) : pino(options);
}
