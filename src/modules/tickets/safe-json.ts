import { inputProblem } from '../../common/http/input-guard.pipe';

/** Keys that could reach an object's prototype if the payload were ever merged into one. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ParseResult = { value: unknown } | { problem: string; code: string };

function forbiddenKey(value: unknown): string | undefined {
  // Depth is bounded by inputProblem, which runs first.
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const inner = forbiddenKey(item);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Parses a verified webhook body: valid UTF-8 JSON, an object at the top, nested no deeper than
 * the project's input guard allows, no NUL character, and no `__proto__`, `constructor` or
 * `prototype` key anywhere. JSON.parse itself only makes such keys own properties; refusing
 * them keeps the payload harmless wherever it goes later.
 */
export function parseWebhookJson(body: Buffer): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    return {
      code: 'webhook.malformed_json',
      problem: `The body is not valid JSON: ${error instanceof Error ? error.message : 'unreadable'}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { code: 'webhook.malformed_json', problem: 'The body must be a JSON object.' };
  const problem = inputProblem(value);
  if (problem) return { code: 'webhook.rejected_input', problem };
  const key = forbiddenKey(value);
  if (key)
    return {
      code: 'webhook.forbidden_key',
      problem: `The body contains the key "${key}", which is not accepted.`,
    };
  return { value };
}
