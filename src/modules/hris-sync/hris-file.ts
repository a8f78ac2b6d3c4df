import { parse } from 'csv-parse/sync';
import { SYNC_FIELDS, type SyncField } from '../directory/directory-sync';
import { CSV_MAX_ROWS, type EmployeeRecord } from '../directory/employee-csv';

export type HrisFormat = 'csv' | 'json';
/** Employee field → the file's column (CSV header, or a JSON key; `a.b` reaches into objects). */
export type HrisMapping = Partial<Record<SyncField, string>>;

const REQUIRED: SyncField[] = ['email', 'name'];

/** Every problem of a mapping (empty when it is usable). */
export function mappingProblems(mapping: unknown): string[] {
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping))
    return ['the mapping must name a column for each field'];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [field, column] of Object.entries(mapping as Record<string, unknown>)) {
    if (!(SYNC_FIELDS as readonly string[]).includes(field)) {
      problems.push(`"${field.slice(0, 40)}" is not an employee field (${SYNC_FIELDS.join(', ')})`);
      continue;
    }
    if (typeof column !== 'string' || column.trim() === '' || column.length > 100) {
      problems.push(`the column of ${field} must be a name of 1 to 100 characters`);
      continue;
    }
    const key = column.trim().toLowerCase();
    if (seen.has(key))
      problems.push(`${field} and ${seen.get(key)} both read the column "${column.trim()}"`);
    seen.set(key, field);
  }
  for (const field of REQUIRED)
    if (
      typeof (mapping as Record<string, unknown>)[field] !== 'string' ||
      ((mapping as Record<string, string>)[field] ?? '').trim() === ''
    )
      problems.push(`the column of ${field} is required`);
  return problems;
}

/**
 * Reads a whole HRIS file into directory records through the mapping: each mapped field's value
 * under its directory column name, unmapped fields absent. Throws an Error whose message says
 * what is wrong with the file as a whole (not CSV/JSON, a mapped column missing, too many rows);
 * row problems are left to the directory's row rules.
 */
export function readHrisFile(
  text: string,
  format: HrisFormat,
  mapping: HrisMapping,
): EmployeeRecord[] {
  // In the fields' own order, whatever order the mapping was stored in (jsonb sorts its keys).
  const entries = SYNC_FIELDS.filter((field) => typeof mapping[field] === 'string').map((field) => [
    field,
    (mapping[field] as string).trim(),
  ]);
  if (format === 'csv') {
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(text, {
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
      }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (error) {
      throw new Error(`the file is not valid CSV (${(error as Error).message.slice(0, 200)})`, {
        cause: error,
      });
    }
    if (records.length === 0) throw new Error('the file is empty');
    if (records.length === 1) throw new Error('the file has a header but nobody in it');
    if (records.length - 1 > CSV_MAX_ROWS)
      throw new Error(`the file has more than ${CSV_MAX_ROWS} rows`);
    const header = records[0].record.map((h) => h.trim().toLowerCase());
    const index = new Map<string, number>();
    for (const [field, column] of entries) {
      const at = header.indexOf(column.toLowerCase());
      if (at < 0)
        throw new Error(`the column "${column}" (for ${field}) is not in the file's header`);
      index.set(field, at);
    }
    return records.slice(1).map(({ record, info }) => ({
      line: info.lines,
      values: Object.fromEntries([...index].map(([field, at]) => [field, record[at] ?? ''])),
    }));
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`the file is not valid JSON (${(error as Error).message.slice(0, 200)})`, {
      cause: error,
    });
  }
  const list = Array.isArray(data)
    ? data
    : typeof data === 'object' &&
        data !== null &&
        Array.isArray((data as { employees?: unknown }).employees)
      ? (data as { employees: unknown[] }).employees
      : undefined;
  if (!list) throw new Error('the JSON file must be a list of people, or { "employees": [ … ] }');
  if (list.length > CSV_MAX_ROWS) throw new Error(`the file has more than ${CSV_MAX_ROWS} rows`);
  if (list.length === 0) throw new Error('the file lists nobody');
  return list.map((item, i) => ({
    line: i + 1,
    values: Object.fromEntries(entries.map(([field, column]) => [field, jsonValue(item, column)])),
  }));
}

/** A person's value at `path` (`a.b`), as text; '' when absent; objects and lists are not values. */
function jsonValue(item: unknown, path: string): string {
  let value: unknown = item;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return '';
    value = Object.prototype.hasOwnProperty.call(value, key)
      ? (value as Record<string, unknown>)[key]
      : undefined;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** The longest excerpt of a cell a rejected row's reason shows. */
export const REASON_EXCERPT = 24;

/**
 * A rejected row's reason as the dry-run page shows it: each quoted cell value cut to a short
 * excerpt of printable characters, the whole reason to 300 characters — a file read from a URL
 * must not be echoed back through the page.
 */
export function sanitiseReason(reason: string): string {
  const excerpt = (value: string) => {
    const printable = value.replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
      '',
    );
    return printable.length > REASON_EXCERPT ? `${printable.slice(0, REASON_EXCERPT)}…` : printable;
  };
  const cut = reason.replace(/"([^"]*)"/g, (_all, value: string) => `"${excerpt(value)}"`);
  return cut.length > 300 ? `${cut.slice(0, 299)}…` : cut;
}
