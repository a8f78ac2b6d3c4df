import { featureErrors } from '../../common/errors/domain-error';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const MAIL_ERROR_CODES = ['mail.not_failed', 'mail.not_found'] as const;
export type MailErrorCode = (typeof MAIL_ERROR_CODES)[number];
const error = featureErrors(MAIL_ERROR_CODES);

export const MailErrors = {
  notFound: (id: string) => error('not_found', 'mail.not_found', `No mail ${id}.`),
  notFailed: (id: string, status: string | undefined) =>
    error(
      'conflict',
      'mail.not_failed',
      `Mail ${id} is ${status}: only failed or dead mail can be retried.`,
    ),
};
