export const QUESTION_TYPES = ['nps', 'rating', 'ces', 'single', 'multi', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** The score range of each scored question type. */
export const SCORE_RANGES: Partial<Record<QuestionType, { min: number; max: number }>> = {
  nps: { min: 0, max: 10 },
  rating: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export const DEFAULT_TEXT_MAX_LENGTH = 2000;
export const TEXT_MAX_LENGTH_LIMIT = 5000;
