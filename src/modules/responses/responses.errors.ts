import { DomainError } from '../../common/errors/domain-error';

export const ResponseErrors = {
  unknownLink: () =>
    new DomainError('not_found', 'survey_link.unknown', 'This survey link is not valid.'),
  alreadyAnswered: () =>
    new DomainError('gone', 'survey_link.answered', 'This survey has already been answered.'),
  expired: () => new DomainError('gone', 'survey_link.expired', 'This survey link has expired.'),
  tooManyMisses: () =>
    new DomainError(
      'rate_limited',
      'survey_link.rate_limited',
      'Too many unknown links from this address.',
    ),
  answerTooLarge: () =>
    new DomainError(
      'too_large',
      'survey.answer_too_large',
      'These answers are longer than this survey allows; shorten the comments and send again.',
    ),
  badCsrf: () =>
    new DomainError(
      'forbidden',
      'survey_link.csrf',
      'The form has expired or was not sent from this page.',
    ),
};
