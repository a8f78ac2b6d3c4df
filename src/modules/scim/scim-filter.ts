import SCIMMY from 'scimmy';
import { ScimErrors } from './scim.errors';

/** Longer filters are refused before parsing; identity providers send a single comparison. */
export const MAX_FILTER_LENGTH = 1000;
const MAX_BRANCHES = 50;

export type FilterValueKind = 'string' | 'boolean';

/**
 * A SCIM filter (RFC 7644 §3.4.2.2) as branches of which one must hold, each a conjunction of
 * `path eq value` (paths lower-cased, sub-attributes joined by a dot). Parsing is scimmy's;
 * what it leaves lenient (a comparison with no value) and what inpulse cannot answer cheaply
 * (other operators, `not`, attributes outside `supported`) is refused here with 400
 * invalidFilter, saying what is supported. A branch that can match nothing is left out.
 * `emails[type eq "work"]` narrows to work addresses, the only kind the directory holds.
 */
export function parseScimFilter(
  expression: string,
  supported: Record<string, FilterValueKind>,
): Record<string, string | boolean>[] {
  const help = `Supported: ${Object.keys(supported)
    .map((p) => `${p} eq "…"`)
    .join(', ')}, joined with and / or.`;
  if (expression.length > MAX_FILTER_LENGTH)
    throw ScimErrors.invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  if (expression.trim() === '') throw ScimErrors.invalidFilter(`The filter is empty. ${help}`);
  let parsed: unknown[];
  try {
    parsed = [...new SCIMMY.Types.Filter(expression)];
  } catch (exception) {
    const message = exception instanceof Error ? exception.message : String(exception);
    throw ScimErrors.invalidFilter(`The filter cannot be read: ${message}. ${help}`);
  }
  if (parsed.length > MAX_BRANCHES)
    throw ScimErrors.invalidFilter(`The filter has more than ${MAX_BRANCHES} "or" branches.`);
  const branches: Record<string, string | boolean>[] = [];
  for (const branch of parsed) {
    const conditions: Record<string, string | boolean> = {};
    let possible = true;
    const visit = (node: unknown, prefix: string) => {
      if (typeof node !== 'object' || node === null)
        throw ScimErrors.invalidFilter(`The filter cannot be read. ${help}`);
      for (const [key, value] of Object.entries(node)) {
        const path = `${prefix}${key.toLowerCase()}`;
        if (!Array.isArray(value)) {
          visit(value, `${path}.`);
          continue;
        }
        if (value.some(Array.isArray))
          throw ScimErrors.invalidFilter(`"${path}" is compared more than once in a branch.`);
        const [op, operand, ...rest] = value as unknown[];
        if (path === 'emails.type') {
          if (op !== 'eq' || typeof operand !== 'string' || rest.length > 0)
            throw ScimErrors.invalidFilter(`emails can only be narrowed with type eq "work".`);
          if (operand.toLowerCase() !== 'work') possible = false;
          continue;
        }
        const kind = supported[path];
        if (!kind) throw ScimErrors.invalidFilter(`"${path}" cannot be filtered on. ${help}`);
        if (op !== 'eq' || rest.length > 0)
          throw ScimErrors.invalidFilter(
            `Only the operator eq is supported${typeof op === 'string' ? ` (not ${op})` : ''}. ${help}`,
          );
        if (typeof operand !== kind)
          throw ScimErrors.invalidFilter(
            `"${path}" is compared with ${operand === undefined ? 'nothing' : `a ${typeof operand}`}; it takes a ${kind}.`,
          );
        const before = conditions[path];
        if (before !== undefined && before !== operand) possible = false;
        conditions[path] = operand as string | boolean;
      }
    };
    visit(branch, '');
    if (possible) branches.push(conditions);
  }
  return branches;
}
