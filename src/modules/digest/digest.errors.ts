import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const DIGEST_ERROR_CODES = ['digest.invalid', 'digest.bad_link'] as const;
export type DigestErrorCode = (typeof DIGEST_ERROR_CODES)[number];
const error = featureErrors(DIGEST_ERROR_CODES);

export const DigestErrors = {
  /** Every problem of the settings form, each naming its field. */
  invalid: (problems: string[]) =>
    error('invalid', 'digest.invalid', problems.join('; '), { problems }),
  /** An unsubscribe link that is not one of ours (or of an account that is gone). */
  badLink: () => error('not_found', 'digest.bad_link', 'This unsubscribe link is not valid.'),
};
