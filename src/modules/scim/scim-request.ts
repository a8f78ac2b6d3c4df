import SCIMMY from 'scimmy';
import { MAX_COUNT } from './scim-schemas';
import { ScimErrors } from './scim.errors';

/** The query parameters of a SCIM list (RFC 7644 §3.4.2). */
export interface ListQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
  attributes?: string;
  excludedAttributes?: string;
}

/**
 * The query as single strings: a parameter given twice (`?filter=a&filter=b`) is a 400, not a
 * list some later code would take for a string.
 */
export function singleValues(query: Record<string, unknown>): ListQuery {
  const single: Record<string, string> = {};
  for (const [name, value] of Object.entries(query ?? {})) {
    if (typeof value !== 'string')
      throw ScimErrors.invalidValue(
        `The query parameter ${name.slice(0, 40)} is given more than once.`,
      );
    single[name] = value;
  }
  return single;
}

/** `startIndex` (1-based, under 1 taken as 1) and `count` (at most MAX_COUNT, default 100). */
export function pageOf(query: ListQuery): { startIndex: number; count: number } {
  const number = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined || value === '') return fallback;
    if (!/^-?\d{1,9}$/.test(value.trim()))
      throw ScimErrors.invalidValue(`${name} must be an integer, not "${value.slice(0, 40)}".`);
    return Number(value);
  };
  return {
    startIndex: Math.max(1, number('startIndex', query.startIndex, 1)),
    count: Math.min(MAX_COUNT, Math.max(0, number('count', query.count, 100))),
  };
}

/**
 * The `attributes` / `excludedAttributes` of a request as scimmy's attribute filter (both at
 * once is an error; RFC 7644 §3.4.2.5), or undefined for the whole resource.
 */
export function attributeFilter(query: {
  attributes?: string;
  excludedAttributes?: string;
}): SCIMMY.Types.Filter | undefined {
  const { attributes, excludedAttributes } = query;
  if (attributes === undefined && excludedAttributes === undefined) return undefined;
  if (attributes !== undefined && excludedAttributes !== undefined)
    throw ScimErrors.invalidSyntax('Give attributes or excludedAttributes, not both.');
  const list = (attributes ?? excludedAttributes ?? '').trim();
  if (list.length > 1000 || !/^[A-Za-z0-9_.:$,\s-]+$/.test(list))
    throw ScimErrors.invalidValue(
      `${attributes !== undefined ? 'attributes' : 'excludedAttributes'} must be a comma-separated list of attribute names.`,
    );
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  try {
    return new SCIMMY.Types.Filter(
      names.map((name) => `${name} ${attributes !== undefined ? 'pr' : 'np'}`).join(' and '),
    );
  } catch (exception) {
    throw ScimErrors.invalidValue(
      `The attribute list cannot be read: ${exception instanceof Error ? exception.message : ''}`,
    );
  }
}

/** The body of a write must be sent as SCIM's JSON (or plain JSON, which clients also send). */
export function requireScimJson(contentType: string | undefined): void {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/scim+json' && type !== 'application/json')
    throw ScimErrors.unsupportedMediaType(contentType);
}

/** A body that must be one JSON object. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw ScimErrors.invalidSyntax('The body must be one JSON object.');
  return body as Record<string, unknown>;
}

/**
 * If-Match (RFC 7644 §3.14): the write goes ahead only when the resource is still at one of
 * the versions given (weak or strong alike), or for `*`. No header: no condition.
 */
export function checkIfMatch(header: string | undefined, current: string): void {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return;
  const strip = (tag: string) => tag.trim().replace(/^W\//i, '');
  const wanted = header.split(',').map(strip);
  if (!wanted.includes(strip(current))) throw ScimErrors.preconditionFailed(current);
}
