import { featureErrors } from '../../common/errors/domain-error';
import { SEARCH_MAX_LENGTH } from './service-search';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const SERVICES_ERROR_CODES = [
  'services.query_too_long',
  'services.team_not_found',
  'services.bad_address',
  'services.bad_form',
  'services.pass_unusable',
] as const;
export type ServicesErrorCode = (typeof SERVICES_ERROR_CODES)[number];
const error = featureErrors(SERVICES_ERROR_CODES);

/** Pages show these in the reader's language: the key under `services.errors` is the code's tail. */
export const ServicesErrors = {
  queryTooLong: () =>
    error(
      'invalid',
      'services.query_too_long',
      `Search for at most ${SEARCH_MAX_LENGTH} characters.`,
    ),
  teamNotFound: (slug: string) =>
    error('not_found', 'services.team_not_found', `No service team "${slug.slice(0, 64)}".`),
  badAddress: () =>
    error(
      'invalid',
      'services.bad_address',
      'Enter your work e-mail address, like name@example.com.',
    ),
  badForm: () =>
    error('forbidden', 'services.bad_form', 'This form has expired. Open the page again.'),
  passUnusable: () =>
    error('gone', 'services.pass_unusable', 'This link was used already or has expired.'),
};
