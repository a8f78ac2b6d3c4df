import { DomainError } from '../../common/errors/domain-error';

export const FatigueErrors = {
  invalidDays: (raw: unknown) =>
    new DomainError(
      'invalid',
      'fatigue.invalid_days',
      `days must be a whole number from 0 (no budget) to 365 (got ${JSON.stringify(raw) ?? 'nothing'}).`,
    ),
};
