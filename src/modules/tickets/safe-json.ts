import { inputProblem } from '../../common/http/input-guard.pipe';
import type { TicketErrorCode } from './tickets.errors';

/** Keys that could reach an object's prototype if the payload were ever merged into one. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What a webhook body may hold, beyond its size (WEBHOOK_MAX_BODY_KB) and depth (16 levels).
 * Real payloads stay far below: a Jira issue event with its fields, changelog and comments, a
 * Zendesk or Freshservice ticket, a ServiceNow incident hold a few hundred keys, arrays of tens
 * of items and texts of at most tens of thousands of characters (Jira's longest text field holds
 * 32,767, a Zendesk comment 65,535 bytes).
 */
export const WEBHOOK_JSON_LIMITS = {
  /** Elements of any one array. */
  arrayLength: 2_000,
  /** Characters (UTF-16 code units) of any one string, keys included. */
  stringLength: 65_536,
  /** Keys of every object of the body, counted together. */
  keys: 20_000,
} as const;

/** Why a body is refused: 400 (`invalid`) or 413 (`too_large`), a stable code, what is wrong. */
export interface BodyRefusal {
  problem: string;
  code: TicketErrorCode;
  kind: 'invalid' | 'too_large';
}

export type ParseResult = { value: unknown } | BodyRefusal;

/** The position V8 names in a JSON.parse error, never the text around it (it may hold data). */
function parseErrorWhere(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return ` (near character ${position})`;
  if (/end of JSON input|Unterminated/i.test(message)) return ' (it ends too early)';
  return '';
}

const number = (n: number) => n.toLocaleString('en-US');

/**
 * The first key named `__proto__`, `constructor` or `prototype`, or the first limit of
 * WEBHOOK_JSON_LIMITS the value breaks. Recursive: depth is bounded by inputProblem, which runs
 * first.
 */
function shapeProblem(value: unknown, seen: { keys: number }): BodyRefusal | undefined {
  const { arrayLength, stringLength, keys } = WEBHOOK_JSON_LIMITS;
  const tooLong = (length: number): BodyRefusal => ({
    kind: 'too_large',
    code: 'webhook.string_too_long',
    problem: `The body has a text of ${number(length)} characters; at most ${number(stringLength)} are accepted.`,
  });
  if (typeof value === 'string')
    return value.length > stringLength ? tooLong(value.length) : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    if (value.length > arrayLength)
      return {
        kind: 'too_large',
        code: 'webhook.array_too_long',
        problem: `The body has an array of ${number(value.length)} elements; at most ${number(arrayLength)} are accepted.`,
      };
    for (const item of value) {
      const problem = shapeProblem(item, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  const own = Object.keys(value);
  seen.keys += own.length;
  if (seen.keys > keys)
    return {
      kind: 'too_large',
      code: 'webhook.too_many_keys',
      problem: `The body has more than ${number(keys)} keys in all, the most accepted.`,
    };
  for (const key of own) {
    if (FORBIDDEN_KEYS.has(key))
      return {
        kind: 'invalid',
        code: 'webhook.forbidden_key',
        problem: `The body contains the key "${key}", which is not accepted.`,
      };
    if (key.length > stringLength) return tooLong(key.length);
    const problem = shapeProblem((value as Record<string, unknown>)[key], seen);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Parses a verified webhook body: valid UTF-8 JSON, an object at the top, nested no deeper than
 * the project's input guard allows, no NUL character, no `__proto__`, `constructor` or
 * `prototype` key anywhere, and within WEBHOOK_JSON_LIMITS (413 beyond them, naming the limit).
 * JSON.parse itself only makes such keys own properties; refusing them keeps the payload harmless
 * wherever it goes later. No message repeats any part of the body.
 */
export function parseWebhookJson(body: Buffer): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    return {
      kind: 'invalid',
      code: 'webhook.malformed_json',
      problem:
        error instanceof TypeError
          ? 'The body is not valid UTF-8.'
          : `The body is not valid JSON${parseErrorWhere(error)}.`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      kind: 'invalid',
      code: 'webhook.malformed_json',
      problem: 'The body must be a JSON object.',
    };
  const problem = inputProblem(value);
  if (problem) return { kind: 'invalid', code: 'webhook.rejected_input', problem };
  return shapeProblem(value, { keys: 0 }) ?? { value };
}
