import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const INVITATION_ERROR_CODES = ['survey.audience_too_small'] as const;
export type InvitationErrorCode = (typeof INVITATION_ERROR_CODES)[number];
const error = featureErrors(INVITATION_ERROR_CODES);

export const InvitationErrors = {
  audienceTooSmall: (wouldBe: number, minimum: number) =>
    error(
      'unprocessable',
      'survey.audience_too_small',
      `A survey goes to at least ${minimum} people at once: answers are released only in groups of ` +
        `${minimum} different people (MIX_BATCH_SIZE), so a smaller audience could never be counted. ` +
        `This send would leave the survey with ${wouldBe}; nothing was sent.`,
    ),
};
