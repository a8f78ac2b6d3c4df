import { DomainError } from '../../common/errors/domain-error';

export const CampaignErrors = {
  invalid: (reasons: string[]) =>
    new DomainError(
      'invalid',
      'campaign.invalid',
      `The campaign is not valid: ${reasons.join('; ')}`,
      reasons,
    ),
  notFound: (id: string) =>
    new DomainError('not_found', 'campaign.not_found', `No campaign ${id}.`),
  archived: () =>
    new DomainError(
      'conflict',
      'campaign.archived',
      'This campaign is archived: it cannot change.',
    ),
  badTransition: (from: string, action: string) =>
    new DomainError(
      'conflict',
      'campaign.bad_transition',
      `A campaign that is ${from} cannot be ${action}.`,
    ),
  noAddress: () =>
    new DomainError(
      'invalid',
      'campaign.test_needs_person',
      'A test mail goes to the signed-in person’s own address; API tokens have none.',
    ),
};
