import { DomainError } from '../errors/domain-error';
import type { ErrorBody } from './error.filter';

/** SCIM 2.0 (RFC 7644 §3.12): every answer under /scim/ is `application/scim+json`. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export function isScimRequest(url: string): boolean {
  return /^\/scim(\/|$|\?)/i.test(url);
}

/**
 * The error filter's answer in SCIM's shape: `status` as a string, the `scimType` the feature
 * gave (details.scimType) or the one RFC 7644 names for the failure, and `detail`.
 */
export function scimErrorBody(body: ErrorBody, exception: unknown) {
  const given =
    exception instanceof DomainError
      ? (exception.details as { scimType?: unknown } | undefined)?.scimType
      : undefined;
  const scimType = typeof given === 'string' ? given : defaultScimType(body);
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(body.statusCode),
    ...(scimType ? { scimType } : {}),
    detail: body.message,
  };
}

function defaultScimType(body: ErrorBody): string | undefined {
  if (body.statusCode === 409) return 'uniqueness';
  if (body.statusCode !== 400) return undefined;
  if (body.error === 'validation_failed' || body.error === 'input.rejected') return 'invalidValue';
  return 'invalidSyntax';
}
