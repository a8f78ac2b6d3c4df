import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const RESPONSE_ERROR_CODES = [
  'survey.answer_too_large',
  'survey_link.answered',
  'survey_link.csrf',
  'survey_link.expired',
  'survey_link.rate_limited',
  'survey_link.unknown',
] as const;
export type ResponseErrorCode = (typeof RESPONSE_ERROR_CODES)[number];
const error = featureErrors(RESPONSE_ERROR_CODES);

export const ResponseErrors = {
  unknownLink: () => error('not_found', 'survey_link.unknown', 'This survey link is not valid.'),
  alreadyAnswered: () =>
    error('gone', 'survey_link.answered', 'This survey has already been answered.'),
  expired: () => error('gone', 'survey_link.expired', 'This survey link has expired.'),
  tooManyMisses: () =>
    error('rate_limited', 'survey_link.rate_limited', 'Too many unknown links from this address.'),
  answerTooLarge: () =>
    error(
      'too_large',
      'survey.answer_too_large',
      'These answers are longer than this survey allows; shorten the comments and send again.',
    ),
  badCsrf: () =>
    error('forbidden', 'survey_link.csrf', 'The form has expired or was not sent from this page.'),
};
