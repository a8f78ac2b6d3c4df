import { featureErrors } from '../../common/errors/domain-error';
import type { CsvRowError } from './employee-csv';

/** Every code this feature answers with: stable, API clients may rely on them. */
export const DIRECTORY_ERROR_CODES = [
  'employee.csv_expected',
  'employee.csv_rejected',
  'employee.email_taken',
  'employee.external_id_taken',
  'employee.invalid',
  'employee.not_found',
] as const;
export type DirectoryErrorCode = (typeof DIRECTORY_ERROR_CODES)[number];
const error = featureErrors(DIRECTORY_ERROR_CODES);

export const DirectoryErrors = {
  csvExpected: () =>
    error(
      'invalid',
      'employee.csv_expected',
      'Send the CSV file as the body with Content-Type: text/csv.',
    ),
  invalidEmployee: (reasons: string[]) =>
    error(
      'invalid',
      'employee.invalid',
      `The employee is not valid: ${reasons.join('; ')}`,
      reasons,
    ),
  emailTaken: (email: string) =>
    error('conflict', 'employee.email_taken', `An employee with e-mail ${email} already exists.`),
  externalIdTaken: (externalId: string) =>
    error(
      'conflict',
      'employee.external_id_taken',
      `Another employee has external id ${externalId}.`,
    ),
  employeeNotFound: (id: string) => error('not_found', 'employee.not_found', `No employee ${id}.`),
  csvRejected: (errors: CsvRowError[]) =>
    error(
      'invalid',
      'employee.csv_rejected',
      `Nothing was imported: ${errors.length} row(s) have problems (${errors
        .slice(0, 3)
        .map((e) => `line ${e.line}: ${e.reason}`)
        .join('; ')}${errors.length > 3 ? '; …' : ''}).`,
      { errors },
    ),
};
