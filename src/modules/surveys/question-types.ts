/**
 * `nps` rates a team (iNPS: would you recommend this team); `enps` is the employee NPS (would
 * you recommend this organisation as a place to work): same 0–10 scale, reported apart and
 * asked at most once a quarter per person.
 */
export const QUESTION_TYPES = ['nps', 'enps', 'rating', 'ces', 'single', 'multi', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** The score range of each scored question type. */
export const SCORE_RANGES: Partial<Record<QuestionType, { min: number; max: number }>> = {
  nps: { min: 0, max: 10 },
  enps: { min: 0, max: 10 },
  rating: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export const DEFAULT_TEXT_MAX_LENGTH = 2000;
export const TEXT_MAX_LENGTH_LIMIT = 5000;
