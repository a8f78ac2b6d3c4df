import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const TEAM_ERROR_CODES = [
  'team.not_found',
  'team.parent_not_found',
  'team.slug_taken',
  'team.slug_reserved',
  'team.profile_invalid',
  'team.profile_changed',
] as const;
export type TeamErrorCode = (typeof TEAM_ERROR_CODES)[number];
const error = featureErrors(TEAM_ERROR_CODES);

export const TeamErrors = {
  slugTaken: (slug: string) =>
    error('conflict', 'team.slug_taken', `A team with slug "${slug}" already exists.`),
  slugReserved: (slug: string) =>
    error(
      'invalid',
      'team.slug_reserved',
      `slug "${slug}" is reserved: /services/${slug} is a page of the service directory. Choose another slug.`,
    ),
  parentNotFound: (slug: string) =>
    error('invalid', 'team.parent_not_found', `parentSlug "${slug}" does not name a team.`),
  notFound: (id: string) => error('not_found', 'team.not_found', `No team "${id}".`),
  profileChanged: () =>
    error(
      'conflict',
      'team.profile_changed',
      'The team profile was changed by someone else meanwhile; reload it to see their change, then make yours again.',
    ),
  invalidProfile: (problems: string[]) =>
    error(
      'invalid',
      'team.profile_invalid',
      `The team profile is not valid: ${problems.join('; ')}`,
      problems,
    ),
};
