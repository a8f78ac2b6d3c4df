import { DomainError } from '../../common/errors/domain-error';

export const InvitationErrors = {
  audienceTooSmall: (wouldBe: number, minimum: number) =>
    new DomainError(
      'unprocessable',
      'survey.audience_too_small',
      `A survey goes to at least ${minimum} people at once: answers are released only in groups of ` +
        `${minimum} different people (MIX_BATCH_SIZE), so a smaller audience could never be counted. ` +
        `This send would leave the survey with ${wouldBe}; nothing was sent.`,
    ),
};
