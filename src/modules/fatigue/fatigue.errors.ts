import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const FATIGUE_ERROR_CODES = ['fatigue.invalid_days'] as const;
export type FatigueErrorCode = (typeof FATIGUE_ERROR_CODES)[number];
const error = featureErrors(FATIGUE_ERROR_CODES);

export const FatigueErrors = {
  invalidDays: (raw: unknown) =>
    error(
      'invalid',
      'fatigue.invalid_days',
      `days must be a whole number from 0 (no budget) to 365 (got ${JSON.stringify(raw) ?? 'nothing'}).`,
    ),
};
