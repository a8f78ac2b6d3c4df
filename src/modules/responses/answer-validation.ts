import type { Question } from '../surveys/entities/question.entity';
import { DEFAULT_TEXT_MAX_LENGTH, SCORE_RANGES } from '../surveys/question-types';
import type { PendingAnswer } from './entities/pending-response.entity';

export interface FieldError {
  key: string;
  vars?: Record<string, string | number>;
}

export interface ValidatedForm {
  answers: PendingAnswer[];
  /** By question id. */
  errors: Map<string, FieldError>;
  /** Problems not tied to one question (unknown fields). */
  formErrors: FieldError[];
  /** What the person sent, by question id, to put back in the form on error. */
  values: Map<string, string[]>;
}

export const FIELD_PREFIX = 'q_';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function asList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/**
 * Checks a submitted survey form against its questions: type, range, required, length caps and
 * unknown question ids. `ignored` lists non-answer fields the form carries (the CSRF token).
 */
export function validateAnswers(
  questions: Pick<Question, 'id' | 'type' | 'required' | 'options' | 'maxLength'>[],
  body: Record<string, unknown>,
  ignored: string[] = [],
): ValidatedForm {
  const result: ValidatedForm = {
    answers: [],
    errors: new Map(),
    formErrors: [],
    values: new Map(),
  };
  const known = new Set(questions.map((q) => FIELD_PREFIX + q.id));
  for (const field of Object.keys(body)) {
    if (!known.has(field) && !ignored.includes(field)) {
      result.formErrors.push({
        key: 'survey.errors.unknown_field',
        vars: { field: field.slice(0, 80) },
      });
    }
  }
  for (const question of questions) {
    const raw = asList(body[FIELD_PREFIX + question.id]);
    if (raw === undefined) {
      result.errors.set(question.id, { key: 'survey.errors.invalid' });
      continue;
    }
    const values = raw
      .map((v) => (question.type === 'text' ? v.replace(/\r\n/g, '\n') : v.trim()))
      .filter((v) => v !== '');
    result.values.set(question.id, values);
    if (values.length === 0) {
      if (question.required) result.errors.set(question.id, { key: 'survey.errors.required' });
      continue;
    }
    const range = SCORE_RANGES[question.type];
    if (range) {
      const score = Number(values[0]);
      if (
        values.length !== 1 ||
        !/^\d{1,2}$/.test(values[0]) ||
        score < range.min ||
        score > range.max
      ) {
        result.errors.set(question.id, { key: 'survey.errors.range', vars: range });
      } else {
        result.answers.push({ question_id: question.id, score, option_key: null, text: null });
      }
      continue;
    }
    if (question.type === 'single' || question.type === 'multi') {
      const keys = new Set((question.options ?? []).map((o) => o.key));
      const unique = [...new Set(values)];
      if ((question.type === 'single' && values.length !== 1) || unique.some((v) => !keys.has(v))) {
        result.errors.set(question.id, { key: 'survey.errors.choice' });
      } else {
        for (const key of unique)
          result.answers.push({
            question_id: question.id,
            score: null,
            option_key: key,
            text: null,
          });
      }
      continue;
    }
    // text
    const text = values.join('\n').trim();
    const max = question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
    if (values.length !== 1) result.errors.set(question.id, { key: 'survey.errors.invalid' });
    else if ([...text].length > max)
      result.errors.set(question.id, { key: 'survey.errors.too_long', vars: { max } });
    else if (CONTROL.test(text))
      result.errors.set(question.id, { key: 'survey.errors.invalid_characters' });
    else if (text !== '')
      result.answers.push({ question_id: question.id, score: null, option_key: null, text });
    else if (question.required) result.errors.set(question.id, { key: 'survey.errors.required' });
  }
  return result;
}

export interface ValidatedBlocks {
  /** One per block: its answers (none when skipped), errors and values. */
  blocks: (ValidatedForm & { skipped: boolean })[];
  formErrors: FieldError[];
  errorCount: number;
}

/** The prefix of block `index`'s fields: `t0_q_<question id>`, and `t0_skip` for "not used". */
export function blockPrefix(index: number): string {
  return `t${index}_`;
}

/**
 * A form with one block per rated team (`blocks` of them), each validated like a form of its
 * own unless its "I have not used this service" box (`t<i>_skip`) is ticked. At least one block
 * must be answered or skipped by all; unknown fields are named.
 */
export function validateBlocks(
  questions: Pick<Question, 'id' | 'type' | 'required' | 'options' | 'maxLength'>[],
  blocks: number,
  body: Record<string, unknown>,
  ignored: string[] = [],
): ValidatedBlocks {
  const known = new Set<string>(ignored);
  for (let i = 0; i < blocks; i++) {
    known.add(`${blockPrefix(i)}skip`);
    for (const q of questions) known.add(blockPrefix(i) + FIELD_PREFIX + q.id);
  }
  const formErrors: FieldError[] = Object.keys(body)
    .filter((field) => !known.has(field))
    .map((field) => ({ key: 'survey.errors.unknown_field', vars: { field: field.slice(0, 80) } }));
  const result: ValidatedBlocks['blocks'] = [];
  for (let i = 0; i < blocks; i++) {
    const prefix = blockPrefix(i);
    const own: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith(prefix + FIELD_PREFIX)) own[key.slice(prefix.length)] = value;
    }
    const skipped = body[`${prefix}skip`] === 'on';
    const validated = validateAnswers(questions, own);
    result.push(
      skipped
        ? { answers: [], errors: new Map(), formErrors: [], values: validated.values, skipped }
        : { ...validated, skipped },
    );
  }
  const errorCount = result.reduce((n, b) => n + b.errors.size, 0);
  if (errorCount === 0 && result.every((b) => !b.skipped && b.answers.length === 0)) {
    formErrors.push({ key: 'survey.errors.nothing_answered' });
  }
  return { blocks: result, formErrors, errorCount };
}
