import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's start-up chatter: a line per module, controller and route (over a hundred). Written at
 * debug level, so that a start shows what matters (migrations, where it listens, the banner);
 * LOG_LEVEL=debug brings them back.
 */
export const START_UP_NOISE = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Nest's Logger, written through pino: one JSON line `{ context, msg }` per message, at the
 * level pino is set to. Nest passes the context (the `new Logger('Name')` name) as the last
 * extra argument, and for errors the stack before it.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams, true);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams, true);
  }

  private write(level: Level, message: unknown, params: unknown[], withStack = false): void {
    const rest = [...params];
    const last = rest.at(-1);
    const lastIsStack = withStack && rest.length === 1 && typeof last === 'string' && isStack(last);
    const context =
      rest.length > 0 && !lastIsStack && (typeof last === 'string' || last === undefined)
        ? (rest.pop() as string | undefined)
        : undefined;
    if (level === 'info' && context !== undefined && START_UP_NOISE.has(context)) level = 'debug';
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let msg = '';
    if (message instanceof Error) {
      fields.err = message;
      msg = message.message;
    } else if (typeof message === 'object' && message !== null) {
      // Logged as fields, not as a string: the redaction paths still apply to them. A `msg`
      // field is the line's message.
      const { msg: text, ...rest } = message as Record<string, unknown>;
      Object.assign(fields, rest);
      if (typeof text === 'string') msg = text;
    } else {
      msg = String(message);
    }
    if (withStack && !fields.err) {
      const stack = rest.find((p) => typeof p === 'string' && p.length > 0);
      if (stack) fields.err = { stack };
    }
    if (context) fields.context = context;
    this.pino[level](fields, msg);
  }
}

function isStack(value: string): boolean {
  return /\n\s+at /.test(value);
}
