import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { AppConfig, LogFormat } from '../../config/app-config';

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

/**
 * Segments of a path that hold a secret: the one after `/s/`, after `/account/setup/`, after
 * `/services/pass/` (the service directory's reader links), after `/me/sign-in/` (an employee's
 * sign-in link) and after `/digest/unsubscribe/` (a person's unsubscribe token).
 */
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
        (i > 1 && decoded[i - 2] === 'account' && decoded[i - 1] === 'setup') ||
        (i > 1 && decoded[i - 2] === 'services' && decoded[i - 1] === 'pass') ||
        (i > 1 && decoded[i - 2] === 'me' && decoded[i - 1] === 'sign-in') ||
        (i > 1 && decoded[i - 2] === 'digest' && decoded[i - 1] === 'unsubscribe'))
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
 * One readable line per entry, for a person at a terminal: time, level, `[context]` and the
 * message; a request line as `GET /path 200 (3.1 ms)`. The same redaction applies: it formats
 * what pino has already serialised and censored.
 */
export function prettyLine(entry: Record<string, unknown>): string {
  const context = typeof entry.context === 'string' ? `[${entry.context}] ` : '';
  const req = entry.req as { method?: string; url?: string } | undefined;
  const res = entry.res as { statusCode?: number } | undefined;
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  if (req?.method) {
    const time =
      typeof entry.responseTime === 'number' ? ` (${entry.responseTime.toFixed(1)} ms)` : '';
    const status = res?.statusCode === undefined ? msg : String(res.statusCode);
    return `${context}${req.method} ${req.url ?? ''} ${status}${time}`;
  }
  return `${context}${msg}`;
}

/** What the readable format leaves out of each line (it is in the message, or noise there). */
const PRETTY_IGNORE = 'pid,hostname,context,req,res,responseTime,reqId';

function prettyStream(destination?: NodeJS.WritableStream): pino.DestinationStream {
  return pinoPretty({
    colorize: destination === undefined ? pinoPretty.isColorSupported : false,
    translateTime: 'SYS:HH:MM:ss',
    ignore: PRETTY_IGNORE,
    messageFormat: (entry) => prettyLine(entry),
    singleLine: true,
    sync: true,
    ...(destination ? { destination } : {}),
  });
}

/**
 * The one pino logger of a process, used by Fastify for request lines and by Nest through
 * PinoNestLogger: JSON lines on stdout (or on `stream`, for tests), or readable lines when
 * `format` is 'pretty' (see chooseLogFormat).
 */
export function createLogger(
  level: AppConfig['logLevel'],
  stream?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): Logger {
  const options: pino.LoggerOptions = {
    level: PINO_LEVEL[level],
    serializers,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  if (format === 'pretty') return pino(options, prettyStream(stream));
  return stream ? pino(options, stream as pino.DestinationStream) : pino(options);
}
