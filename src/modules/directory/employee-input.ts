import { hasControlCharacters } from '../../common/text';
import { isIanaZone } from '../../config/app-config';

/** Validation shared by the one-employee API and the CSV import, so both say the same thing. */
export interface EmployeeInput {
  email: string;
  name: string;
  department: string | null;
  location: string | null;
  hireDate: string | null;
  locale: string;
  externalId: string | null;
  active: boolean;
  /** IANA zone; null: the organisation's. */
  timeZone: string | null;
  /** Slug of the person's own team; null: none. Resolved to an id by DirectoryService. */
  teamSlug: string | null;
}

// Deliberately plain: one @, no spaces or control characters, a dot in the domain.
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/;
const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function checkEmail(email: string): string | undefined {
  if (email.length === 0) return 'email is required';
  if (email.length > 320) return 'email is longer than 320 characters';
  if (!EMAIL.test(email)) return `email "${email}" is not a valid address`;
  return undefined;
}

export function checkName(name: string): string | undefined {
  if (name.length === 0) return 'name is required';
  if (name.length > 200) return 'name is longer than 200 characters';
  if (hasControlCharacters(name)) return 'name contains control characters';
  return undefined;
}

export function checkOptionalText(
  field: string,
  value: string | null,
  max = 100,
): string | undefined {
  if (value === null) return undefined;
  if (value.length > max) return `${field} is longer than ${max} characters`;
  if (hasControlCharacters(value)) return `${field} contains control characters`;
  return undefined;
}

export function checkHireDate(value: string | null, today = new Date()): string | undefined {
  if (value === null) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== value) {
    return `hire_date "${value}" is not a date in the form YYYY-MM-DD`;
  }
  if (date.getTime() > today.getTime() + 366 * 86_400_000)
    return `hire_date ${value} is too far in the future`;
  if (+match[1] < 1900) return `hire_date ${value} is before 1900`;
  return undefined;
}

export function checkLocale(value: string): string | undefined {
  return LOCALE.test(value)
    ? undefined
    : `locale "${value}" is not a language tag such as en, es, ja or fa`;
}

export function checkTimeZone(value: string | null): string | undefined {
  if (value === null) return undefined;
  return isIanaZone(value)
    ? undefined
    : `time_zone "${value.slice(0, 64)}" is not an IANA time zone such as Europe/Madrid`;
}

/** Every problem of one employee's fields, in field order; empty when it is valid. */
export function employeeProblems(input: EmployeeInput, today = new Date()): string[] {
  return [
    checkEmail(input.email),
    checkName(input.name),
    checkOptionalText('department', input.department),
    checkOptionalText('location', input.location),
    checkOptionalText('external_id', input.externalId),
    checkHireDate(input.hireDate, today),
    checkLocale(input.locale),
    checkTimeZone(input.timeZone),
    checkOptionalText('team', input.teamSlug, 64),
  ].filter((problem): problem is string => problem !== undefined);
}

export function parseBoolean(value: string): boolean | undefined {
  const lower = value.trim().toLowerCase();
  if (['', 'true', 'yes', 'y', '1', 'active'].includes(lower)) return true;
  if (['false', 'no', 'n', '0', 'inactive'].includes(lower)) return false;
  return undefined;
}
