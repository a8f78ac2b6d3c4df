import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const DIGEST_ERROR_CODES = ['digest.invalid', 'digest.bad_link'] as const;
export type DigestErrorCode = (typeof DIGEST_ERROR_CODES)[number];
const error = featureErrors(DIGEST_ERROR_CODES);

/** A problem of the settings form: its field, its kind (for the page's language), the English text. */
export interface DigestProblem {
  field: string;
  kind: 'whole_number' | 'one_of' | 'time_zone';
  vars: Record<string, string | number>;
  text: string;
}

export const DigestErrors = {
  /** Every problem of the settings form, each naming its field (the API's details: the texts). */
  invalid: (problems: DigestProblem[]) =>
    error('invalid', 'digest.invalid', problems.map((p) => p.text).join('; '), {
      problems: problems.map((p) => p.text),
      fields: problems.map(({ field, kind, vars }) => ({ field, kind, vars })),
    }),
  /** An unsubscribe link that is not one of ours (or of an account that is gone). */
  badLink: () => error('not_found', 'digest.bad_link', 'This unsubscribe link is not valid.'),
};
