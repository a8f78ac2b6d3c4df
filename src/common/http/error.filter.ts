import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Inject,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { connectionErrorLabel, RETRY_AFTER_SECONDS } from '../../database/db-errors';
import { DomainError, retryAfterOf, STATUS_OF_KIND } from '../errors/domain-error';
import { I18N } from '../i18n/i18n.provider';
import type { I18n } from '../i18n/i18n.service';
import { pageContext } from '../views/page-context';
import { requestLocale } from '../i18n/request-locale';
import { errorText, requestErrorText } from './form-errors';
import { isScimRequest, SCIM_CONTENT_TYPE, scimErrorBody } from './scim-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/**
 * Maps every error to a response, in one place: JSON under /api and for clients that ask for
 * JSON, an error page otherwise. Unexpected errors are logged with their stack and answered with
 * a plain 500 that reveals nothing. A database that cannot be reached (db-errors.ts) is not a
 * bug of ours nor the caller's: 503 with Retry-After, so that senders try again.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Error');

  constructor(@Inject(I18N) private readonly i18n: I18n) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toBody(exception, request);
    if (reply.sent) return;
    const retryAfter = exception instanceof DomainError ? retryAfterOf(exception) : undefined;
    if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    if (body.statusCode === 503) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    if (body.error === 'auth.login_required' && !wantsJson(request) && request.method === 'GET') {
      // A page needs a signed-in person: go and sign in, then come back here.
      void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    if (isScimRequest(request.url)) {
      // SCIM clients (identity providers) read errors in SCIM's own shape and content type.
      void reply
        .status(body.statusCode)
        .header('content-type', SCIM_CONTENT_TYPE)
        .send(JSON.stringify(scimErrorBody(body, exception)));
      return;
    }
    if (wantsJson(request)) {
      void reply.status(body.statusCode).send(body);
      return;
    }
    const locale = requestLocale(request);
    const info = this.i18n.info(locale);
    void reply.status(body.statusCode).view('pages/error.hbs', {
      // A signed-in person keeps the navigation (and a way back) on error pages.
      ...pageContext(request, this.i18n.t(locale, `errors.title_${titleKeyOf(body.statusCode)}`)),
      locale,
      dir: info.dir,
      status: body.statusCode,
      titleKey: `errors.title_${titleKeyOf(body.statusCode)}`,
      message:
        body.statusCode === 503
          ? this.i18n.t(locale, 'errors.unavailable')
          : body.statusCode === 404 || body.statusCode >= 500
            ? undefined
            : exception instanceof DomainError
              ? errorText(request, exception)
              : requestErrorText(request, body),
    });
  }

  private toBody(exception: unknown, request: FastifyRequest): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: STATUS_OF_KIND[exception.kind],
        error: exception.code,
        message: exception.message,
        ...(exception.details === undefined ? {} : { details: exception.details }),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const messages =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: unknown }).message
          : exception.message;
      if (Array.isArray(messages)) {
        return {
          statusCode: status,
          error: 'validation_failed',
          message: `The request is not valid: ${messages.join('; ')}`,
          details: messages,
        };
      }
      if (status >= 500) return this.internal(exception, request);
      return { statusCode: status, error: httpCode(status), message: String(messages) };
    }
    const unreachable = connectionErrorLabel(exception);
    if (unreachable !== undefined) {
      // One line, no stack: an outage would otherwise print one per request.
      this.logger.warn(
        `${request.method} ${request.routeOptions?.url ?? '?'} answered 503: database unreachable (${unreachable})`,
      );
      return {
        statusCode: 503,
        error: 'database_unavailable',
        message: 'The service cannot reach its database just now. Try again in a few seconds.',
      };
    }
    return fastifyClientError(exception) ?? this.internal(exception, request);
  }

  private internal(exception: unknown, request: FastifyRequest): ErrorBody {
    this.logger.error(
      `${request.method} ${request.routeOptions?.url ?? '?'} failed: ${
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)
      }`,
    );
    return { statusCode: 500, error: 'internal', message: 'Something went wrong on our side.' };
  }
}

/**
 * Fastify's own client errors (bad JSON, body too large, unsupported media type…) as answered;
 * undefined for anything else.
 */
export function fastifyClientError(exception: unknown): ErrorBody | undefined {
  const status = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return {
    statusCode: status,
    error: httpCode(status),
    message: fastifyMessage(exception as Error & { code?: string }),
  };
}

function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/webhooks/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

function titleKeyOf(status: number): string {
  if ([400, 401, 403, 404, 410, 413, 429, 503].includes(status)) return String(status);
  return status >= 500 ? '500' : '400';
}

function httpCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    409: 'conflict',
    410: 'gone',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'unprocessable',
    429: 'too_many_requests',
  };
  return codes[status] ?? 'bad_request';
}

function fastifyMessage(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than this endpoint accepts.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'This content type is not accepted here; send application/json (or text/csv for imports).';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request has a JSON content type but an empty body.';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The Content-Length header does not match the body.';
    default:
      return error instanceof SyntaxError || /JSON/i.test(error.message)
        ? `The body is not valid JSON: ${error.message}`
        : error.message;
  }
}
