import { DomainError } from '../../common/errors/domain-error';

export const TeamErrors = {
  slugTaken: (slug: string) =>
    new DomainError('conflict', 'team.slug_taken', `A team with slug "${slug}" already exists.`),
  parentNotFound: (slug: string) =>
    new DomainError(
      'invalid',
      'team.parent_not_found',
      `parentSlug "${slug}" does not name a team.`,
    ),
  notFound: (id: string) => new DomainError('not_found', 'team.not_found', `No team "${id}".`),
};
