import fc from 'fast-check';
import type { Question } from '../surveys/entities/question.entity';
import { SCORE_RANGES } from '../surveys/question-types';
import { validateBlocks } from './answer-validation';
import type { PendingAnswer, SealedSubmission } from './entities/pending-response.entity';
import { sealedAnswerSize } from './sealed-size';

type Q = Pick<Question, 'id' | 'type' | 'required' | 'options' | 'maxLength'>;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const options = ['speed', 'clarity', 'kindness-and-patience'].map((key) => ({
  key,
  label: { en: key },
}));
const questions: Q[] = [
  { id: uuid(1), type: 'nps', required: true, options: null, maxLength: null },
  { id: uuid(2), type: 'enps', required: false, options: null, maxLength: null },
  { id: uuid(3), type: 'rating', required: false, options: null, maxLength: null },
  { id: uuid(4), type: 'ces', required: false, options: null, maxLength: null },
  { id: uuid(5), type: 'single', required: false, options, maxLength: null },
  { id: uuid(6), type: 'multi', required: false, options, maxLength: null },
  { id: uuid(7), type: 'text', required: false, options: null, maxLength: 40 },
  { id: uuid(8), type: 'text', required: false, options: null, maxLength: null },
];

/** The bytes a submission takes before sealing, as ResponsesService seals it. */
function bytesOf(blocks: { teamId: string; answers: PendingAnswer[] }[]) {
  const submission: SealedSubmission = { invitationId: uuid(99), blocks };
  return Buffer.byteLength(JSON.stringify(submission), 'utf8');
}

/** Characters of every width: ASCII, what JSON escapes, Persian, Japanese, emoji, lone surrogates. */
const character = fc.constantFrom(
  'a',
  '"',
  '\\',
  '\n',
  '\t',
  '\r',
  'گ',
  'あ',
  '😀',
  '\ud800',
  '\udfff',
  '\u2028',
);

describe('sealedAnswerSize', () => {
  it('holds every submission validation accepts, up to its longest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.array(character, { maxLength: 2000 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.subarray(options.map((o) => o.key))),
        (blocks, texts, chosen) => {
          const size = sealedAnswerSize(questions, blocks);
          const form: Record<string, unknown> = {};
          for (let b = 0; b < blocks; b++) {
            const p = `t${b}_q_`;
            Object.assign(form, {
              [p + uuid(1)]: '10',
              [p + uuid(2)]: '10',
              [p + uuid(3)]: '5',
              [p + uuid(4)]: '7',
              [p + uuid(5)]: options[2].key,
              [p + uuid(6)]: chosen[b] ?? options.map((o) => o.key),
              [p + uuid(7)]: texts[b * 2].slice(0, 40).join(''),
              [p + uuid(8)]: texts[b * 2 + 1].join(''),
            });
          }
          const validated = validateBlocks(questions, blocks, form);
          const kept = validated.blocks.map((v, b) => ({
            teamId: uuid(100 + b),
            answers: v.answers,
          }));
          // Whatever validation kept (a text it refused is simply absent) fits the size.
          expect(bytesOf(kept)).toBeLessThanOrEqual(size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds the longest answer of all: every text at its maximum in six-byte characters', () => {
    const size = sealedAnswerSize(questions, 2);
    const worst = (text: Q) => '\u0001'.repeat(text.maxLength ?? 2000);
    const answers = questions.flatMap((q): PendingAnswer[] =>
      q.type === 'text'
        ? [{ question_id: q.id, score: null, option_key: null, text: worst(q) }]
        : q.type === 'multi'
          ? options.map((o) => ({ question_id: q.id, score: null, option_key: o.key, text: null }))
          : q.type === 'single'
            ? [{ question_id: q.id, score: null, option_key: options[2].key, text: null }]
            : [
                {
                  question_id: q.id,
                  score: SCORE_RANGES[q.type]!.max,
                  option_key: null,
                  text: null,
                },
              ],
    );
    const bytes = bytesOf([
      { teamId: uuid(100), answers },
      { teamId: uuid(101), answers },
    ]);
    expect(bytes).toBeLessThanOrEqual(size);
    // And not wastefully more: within the rounding.
    expect(size - bytes).toBeLessThan(1024);
  });

  it('grows with the blocks and the longest texts, and is the same for the same questionnaire', () => {
    expect(sealedAnswerSize(questions, 2)).toBeGreaterThan(sealedAnswerSize(questions, 1));
    expect(sealedAnswerSize(questions, 1)).toBe(sealedAnswerSize(questions, 1));
    expect(sealedAnswerSize(questions, 0)).toBe(sealedAnswerSize(questions, 1));
    const longer = questions.map((q) => (q.type === 'text' ? { ...q, maxLength: 5000 } : q));
    expect(sealedAnswerSize(longer, 1)).toBeGreaterThan(sealedAnswerSize(questions, 1) + 5000 * 6);
  });
});
