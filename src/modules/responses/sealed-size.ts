import type { Question } from '../surveys/entities/question.entity';
import { DEFAULT_TEXT_MAX_LENGTH, SCORE_RANGES } from '../surveys/question-types';
import type { PendingAnswer, SealedSubmission } from './entities/pending-response.entity';

/**
 * The most bytes one character of a text answer can take in the sealed JSON: a character the
 * JSON writes as an escape (`\u0000`–`\u001f`, a lone surrogate) takes six. Validation counts
 * characters as code points, and no code point takes more (one outside the BMP, two UTF-16 units,
 * takes four bytes of UTF-8).
 */
export const WORST_BYTES_PER_CHARACTER = 6;
/** A character whose JSON is WORST_BYTES_PER_CHARACTER bytes long (`\u0000`). */
const WORST_CHARACTER = '\u0000';
/** Ids (invitations, teams) are UUIDs: this is as long as any. */
const LONGEST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
/** Sizes are rounded up to this, a margin for what the bound does not model. */
const ROUND_TO = 512;

type SizedQuestion = Pick<Question, 'id' | 'type' | 'options' | 'maxLength'>;

/** The answers of one question as validation would keep them, each value at its longest. */
function longestAnswers(question: SizedQuestion): PendingAnswer[] {
  const answer = { question_id: question.id, score: null, option_key: null, text: null };
  const range = SCORE_RANGES[question.type];
  if (range) {
    const longest = [range.min, range.max].sort((a, b) => String(b).length - String(a).length)[0];
    return [{ ...answer, score: longest }];
  }
  const keys = (question.options ?? []).map((o) => o.key);
  if (question.type === 'multi') return keys.map((key) => ({ ...answer, option_key: key }));
  if (question.type === 'single') {
    const bytes = (key: string) => Buffer.byteLength(JSON.stringify(key));
    const longest = keys.sort((a, b) => bytes(b) - bytes(a))[0];
    return longest === undefined ? [] : [{ ...answer, option_key: longest }];
  }
  const max = question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
  return [{ ...answer, text: WORST_CHARACTER.repeat(max) }];
}

/**
 * The one size (in bytes, before sealing) of every sealed answer to a questionnaire asked about
 * `blocks` teams: the largest submission it can produce — every question of every block
 * answered, each at its longest (every option of a `multi`, every text at its maximum length in
 * characters that JSON writes as six bytes) — rounded up. Padded to it, a short comment and the
 * longest one look alike. Validation makes a larger submission impossible; one is refused.
 */
export function sealedAnswerSize(questions: SizedQuestion[], blocks: number): number {
  const answers = questions.flatMap(longestAnswers);
  const largest: SealedSubmission = {
    invitationId: LONGEST_ID,
    blocks: Array.from({ length: Math.max(1, blocks) }, () => ({ teamId: LONGEST_ID, answers })),
  };
  const bytes = Buffer.byteLength(JSON.stringify(largest), 'utf8');
  return Math.ceil((bytes + 1) / ROUND_TO) * ROUND_TO;
}
