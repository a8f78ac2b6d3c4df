import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const CAMPAIGN_ERROR_CODES = [
  'campaign.archived',
  'campaign.bad_transition',
  'campaign.invalid',
  'campaign.not_found',
  'campaign.test_needs_person',
] as const;
export type CampaignErrorCode = (typeof CAMPAIGN_ERROR_CODES)[number];
const error = featureErrors(CAMPAIGN_ERROR_CODES);

export const CampaignErrors = {
  invalid: (reasons: string[]) =>
    error(
      'invalid',
      'campaign.invalid',
      `The campaign is not valid: ${reasons.join('; ')}`,
      reasons,
    ),
  notFound: (id: string) => error('not_found', 'campaign.not_found', `No campaign ${id}.`),
  archived: () =>
    error('conflict', 'campaign.archived', 'This campaign is archived: it cannot change.'),
  badTransition: (from: string, action: string) =>
    error('conflict', 'campaign.bad_transition', `A campaign that is ${from} cannot be ${action}.`),
  noAddress: () =>
    error(
      'invalid',
      'campaign.test_needs_person',
      'A test mail goes to the signed-in person’s own address; API tokens have none.',
    ),
};
