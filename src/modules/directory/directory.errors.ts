import { DomainError } from '../../common/errors/domain-error';
import type { CsvRowError } from './employee-csv';

export const DirectoryErrors = {
  invalidEmployee: (reasons: string[]) =>
    new DomainError(
      'invalid',
      'employee.invalid',
      `The employee is not valid: ${reasons.join('; ')}`,
      reasons,
    ),
  emailTaken: (email: string) =>
    new DomainError(
      'conflict',
      'employee.email_taken',
      `An employee with e-mail ${email} already exists.`,
    ),
  externalIdTaken: (externalId: string) =>
    new DomainError(
      'conflict',
      'employee.external_id_taken',
      `Another employee has external id ${externalId}.`,
    ),
  employeeNotFound: (id: string) =>
    new DomainError('not_found', 'employee.not_found', `No employee ${id}.`),
  csvRejected: (errors: CsvRowError[]) =>
    new DomainError(
      'invalid',
      'employee.csv_rejected',
      `Nothing was imported: ${errors.length} row(s) have problems (${errors
        .slice(0, 3)
        .map((e) => `line ${e.line}: ${e.reason}`)
        .join('; ')}${errors.length > 3 ? '; …' : ''}).`,
      { errors },
    ),
};
