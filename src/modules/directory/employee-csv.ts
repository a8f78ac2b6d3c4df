import { parse } from 'csv-parse/sync';
import { employeeProblems, EmployeeInput, normaliseEmail, parseBoolean } from './employee-input';

export interface CsvRowError {
  line: number;
  reason: string;
}

export interface ParsedEmployeeCsv {
  rows: (EmployeeInput & { line: number })[];
  errors: CsvRowError[];
}

export const CSV_COLUMNS = [
  'email',
  'name',
  'department',
  'location',
  'hire_date',
  'locale',
  'external_id',
  'active',
  'time_zone',
  'team',
];
const REQUIRED = ['email', 'name'];
export const CSV_MAX_ROWS = 100_000;

/**
 * Parses and validates a directory CSV (header row first; `email` and `name` required, the other
 * columns of CSV_COLUMNS optional, in any order). Every bad row is reported with its line number
 * and reason; the caller writes nothing unless `errors` is empty.
 */
export function parseEmployeeCsv(text: string, today = new Date()): ParsedEmployeeCsv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return {
      rows: [],
      errors: [{ line, reason: `the file is not valid CSV: ${(error as Error).message}` }],
    };
  }
  if (records.length === 0) return { rows: [], errors: [{ line: 1, reason: 'the file is empty' }] };

  const header = records[0].record.map((h) => h.trim().toLowerCase());
  const headerErrors: CsvRowError[] = [];
  for (const column of header) {
    if (!CSV_COLUMNS.includes(column)) {
      headerErrors.push({
        line: 1,
        reason: `unknown column "${column}" (expected: ${CSV_COLUMNS.join(', ')})`,
      });
    }
  }
  for (const column of REQUIRED) {
    if (!header.includes(column))
      headerErrors.push({ line: 1, reason: `the required column "${column}" is missing` });
  }
  if (new Set(header).size !== header.length)
    headerErrors.push({ line: 1, reason: 'a column appears twice' });
  if (headerErrors.length > 0) return { rows: [], errors: headerErrors };
  if (records.length - 1 > CSV_MAX_ROWS) {
    return {
      rows: [],
      errors: [{ line: 1, reason: `the file has more than ${CSV_MAX_ROWS} rows; split it` }],
    };
  }

  const fileRecords: EmployeeRecord[] = [];
  const errors: CsvRowError[] = [];
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      errors.push({ line, reason: `expected ${header.length} fields, found ${record.length}` });
      continue;
    }
    fileRecords.push({ line, values: Object.fromEntries(header.map((h, i) => [h, record[i]])) });
  }
  const checked = validateEmployeeRecords(fileRecords, today);
  const rows = checked.rows;
  errors.push(...checked.errors);
  errors.sort((a, b) => a.line - b.line);
  if (rows.length === 0 && errors.length === 0)
    errors.push({ line: 1, reason: 'the file has a header but no rows' });
  return { rows, errors };
}

/** One row of a directory file, by column name (CSV_COLUMNS), with its line (or position). */
export interface EmployeeRecord {
  line: number;
  values: Record<string, string | undefined>;
}

/**
 * The row rules of a directory file, whatever its format (the CSV import and the HRIS sync):
 * each row becomes an employee or is rejected with its reasons — field rules, `active`, an
 * address or external id that appears twice.
 */
export function validateEmployeeRecords(
  records: readonly EmployeeRecord[],
  today = new Date(),
): ParsedEmployeeCsv {
  const rows: ParsedEmployeeCsv['rows'] = [];
  const errors: CsvRowError[] = [];
  const seenEmail = new Map<string, number>();
  const seenExternal = new Map<string, number>();
  for (const { line, values } of records) {
    const cell = (name: string): string => (values[name] ?? '').trim();
    const optional = (name: string): string | null => cell(name) || null;
    const email = normaliseEmail(cell('email'));
    const active = parseBoolean(cell('active'));
    const row: EmployeeInput & { line: number } = {
      line,
      email,
      name: cell('name'),
      department: optional('department'),
      location: optional('location'),
      hireDate: optional('hire_date'),
      locale: (cell('locale') || 'en').toLowerCase(),
      externalId: optional('external_id'),
      active: active ?? true,
      timeZone: optional('time_zone'),
      teamSlug: optional('team'),
    };
    const reasons = employeeProblems(row, today);
    if (active === undefined) reasons.push(`active "${cell('active')}" must be true or false`);
    if (email && seenEmail.has(email))
      reasons.push(`email ${email} already appears on line ${seenEmail.get(email)}`);
    if (row.externalId && seenExternal.has(row.externalId)) {
      reasons.push(
        `external_id ${row.externalId} already appears on line ${seenExternal.get(row.externalId)}`,
      );
    }
    if (email) seenEmail.set(email, line);
    if (row.externalId) seenExternal.set(row.externalId, line);
    if (reasons.length > 0) errors.push({ line, reason: reasons.join('; ') });
    else rows.push(row);
  }
  return { rows, errors };
}
