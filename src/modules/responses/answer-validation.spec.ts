import type { Question } from '../surveys/entities/question.entity';
import { validateAnswers } from './answer-validation';

type Q = Pick<Question, 'id' | 'type' | 'required' | 'options' | 'maxLength'>;
const q = (id: string, type: Q['type'], extra: Partial<Q> = {}): Q => ({
  id,
  type,
  required: false,
  options: null,
  maxLength: null,
  ...extra,
});
const options = [
  { key: 'a', label: { en: 'A' } },
  { key: 'b', label: { en: 'B' } },
];
const questions = [
  q('n', 'nps', { required: true }),
  q('r', 'rating'),
  q('c', 'ces'),
  q('s', 'single', { options }),
  q('m', 'multi', { options }),
  q('t', 'text', { maxLength: 5 }),
];

describe('validateAnswers', () => {
  it('turns a good form into answer rows', () => {
    const result = validateAnswers(
      questions,
      { q_n: '0', q_r: '5', q_c: '7', q_s: 'b', q_m: ['a', 'b', 'a'], q_t: ' hi ', _csrf: 'x' },
      ['_csrf'],
    );
    expect(result.errors.size).toBe(0);
    expect(result.formErrors).toEqual([]);
    expect(result.answers).toEqual([
      { question_id: 'n', score: 0, option_key: null, text: null },
      { question_id: 'r', score: 5, option_key: null, text: null },
      { question_id: 'c', score: 7, option_key: null, text: null },
      { question_id: 's', score: null, option_key: 'b', text: null },
      { question_id: 'm', score: null, option_key: 'a', text: null },
      { question_id: 'm', score: null, option_key: 'b', text: null },
      { question_id: 't', score: null, option_key: null, text: 'hi' },
    ]);
  });

  it('skips optional questions left empty', () => {
    const result = validateAnswers(questions, { q_n: '10', q_t: '   ' });
    expect(result.errors.size).toBe(0);
    expect(result.answers).toHaveLength(1);
  });

  it.each([
    [{}, 'n', 'survey.errors.required'],
    [{ q_n: '' }, 'n', 'survey.errors.required'],
    [{ q_n: '10.0' }, 'n', 'survey.errors.range'],
    [{ q_n: '1e1' }, 'n', 'survey.errors.range'],
    [{ q_n: '0x9' }, 'n', 'survey.errors.range'],
    [{ q_n: 9 as unknown as string }, 'n', 'survey.errors.invalid'],
    [{ q_n: { $ne: 1 } as unknown as string }, 'n', 'survey.errors.invalid'],
    [{ q_n: '5', q_r: '6' }, 'r', 'survey.errors.range'],
    [{ q_n: '5', q_c: '0' }, 'c', 'survey.errors.range'],
    [{ q_n: '5', q_s: 'c' }, 's', 'survey.errors.choice'],
    [{ q_n: '5', q_m: ['a', 'z'] }, 'm', 'survey.errors.choice'],
    [{ q_n: '5', q_t: '123456' }, 't', 'survey.errors.too_long'],
    [{ q_n: '5', q_t: 'a\u0000b' }, 't', 'survey.errors.invalid_characters'],
    [{ q_n: '5', q_t: ['a', 'b'] }, 't', 'survey.errors.invalid'],
  ])('rejects %o on question %s with %s', (body, id, key) => {
    expect(validateAnswers(questions, body as Record<string, unknown>).errors.get(id)?.key).toBe(
      key,
    );
  });

  it('counts characters, not UTF-16 units, against the length cap', () => {
    expect(validateAnswers(questions, { q_n: '5', q_t: '😀😀😀😀😀' }).errors.size).toBe(0);
  });

  it('names unknown fields instead of ignoring them', () => {
    const result = validateAnswers(questions, { q_n: '5', q_zzz: '1', __proto__x: 'y' });
    expect(result.formErrors.map((e) => e.vars?.field)).toEqual(['q_zzz', '__proto__x']);
  });
});
