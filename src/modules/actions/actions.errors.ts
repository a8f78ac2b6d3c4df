import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const ACTION_ERROR_CODES = [
  'action.invalid',
  'action.not_found',
  'action.owner_not_allowed',
  'action.dropped_not_publishable',
] as const;
export type ActionErrorCode = (typeof ACTION_ERROR_CODES)[number];
const error = featureErrors(ACTION_ERROR_CODES);

export const ActionErrors = {
  /** Every problem of the input, each naming its field (`heard must be …`). */
  invalid: (problems: string[]) =>
    error('invalid', 'action.invalid', problems.join('; '), { problems }),
  notFound: () => error('not_found', 'action.not_found', 'No such action.'),
  ownerNotAllowed: () =>
    error(
      'invalid',
      'action.owner_not_allowed',
      'ownerId must be a person who may see this team (its leads, viewers and HR).',
    ),
  droppedNotPublishable: () =>
    error(
      'invalid',
      'action.dropped_not_publishable',
      'published: a dropped action cannot be published (employees only see actions in progress or done).',
    ),
};
