import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const REVIEW_ERROR_CODES = [
  'review.team_not_found',
  'review.questionnaire_not_found',
] as const;
export type ReviewErrorCode = (typeof REVIEW_ERROR_CODES)[number];
const error = featureErrors(REVIEW_ERROR_CODES);

export const ReviewErrors = {
  teamNotFound: (slug: string) => error('not_found', 'review.team_not_found', `No team "${slug}".`),
  questionnaireNotFound: (id: string) =>
    error(
      'invalid',
      'review.questionnaire_not_found',
      `questionnaireId ${id} names no questionnaire.`,
    ),
};
