import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

/** Deeper than any form or DTO of inpulse; deeper bodies only try to exhaust the stack. */
export const MAX_INPUT_DEPTH = 16;

/** A UTF-16 surrogate without its other half: no character at all. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What no input of inpulse may hold, checked on every body, query and route parameter before
 * validation: the NUL character (PostgreSQL refuses it in text), a lone surrogate (a JSON body
 * can carry `"\ud800"`, which PostgreSQL's jsonb refuses: an answer holding one would fail every
 * release it is part of) and nesting deeper than MAX_INPUT_DEPTH. Returns what is wrong, or
 * undefined.
 */
export function inputProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'The request contains a NUL character.';
    if (LONE_SURROGATE.test(value))
      return 'The request contains a lone surrogate, which is not a character.';
    return undefined;
  }
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
