import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** Deeper than any form or DTO of inpulse; deeper bodies only try to exhaust the stack. */
export const MAX_INPUT_DEPTH = 16;

/**
 * What no input of inpulse may hold, checked on every body, query and route parameter before
 * validation: the NUL character (PostgreSQL refuses it in text) and nesting deeper than
 * MAX_INPUT_DEPTH. Returns what is wrong, or undefined.
 */
export function inputProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') ? 'The request contains a NUL character.' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_INPUT_DEPTH)
    return `The request is nested more than ${MAX_INPUT_DEPTH} levels deep.`;
  for (const [key, item] of Object.entries(value)) {
    const problem = inputProblem(key, depth + 1) ?? inputProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problem = inputProblem(value);
    if (problem) throw new DomainError('invalid', 'input.rejected', problem);
    return value;
  }
}
