import { COMMON_PROBLEM_RULES, type ProblemWording } from '../../common/i18n/form-problems';

const k = (key: string) => `errors.codes.employee.csv.${key}`;

/**
 * The problems of a refused CSV import (employee-csv.ts, employee-input.ts), one line's reasons
 * being joined by "; ", worded on the employees page in the reader's language. The columns keep
 * their names: they are the file's own header.
 */
const IMPORT_RULES = [
  { pattern: /^the file is not valid CSV/, key: k('not_csv') },
  { pattern: /^the file is empty$/, key: k('empty') },
  {
    pattern: /^unknown column "(?<column>[^"]*)" \(expected: (?<list>[^)]*)\)$/,
    key: k('unknown_column'),
  },
  { pattern: /^the required column "(?<column>[^"]*)" is missing$/, key: k('missing_column') },
  { pattern: /^a column appears twice$/, key: k('column_twice') },
  { pattern: /^the file has more than (?<max>\d+) rows/, key: k('too_many_rows') },
  { pattern: /^the file has a header but no rows$/, key: k('no_rows') },
  { pattern: /^expected (?<expected>\d+) fields, found (?<found>\d+)$/, key: k('field_count') },
  { pattern: /^active "(?<value>[^"]*)" must be true or false$/, key: k('active') },
  {
    pattern: /^email (?<email>.+) already appears on line (?<line>\d+)$/,
    key: k('email_twice'),
  },
  {
    pattern: /^external_id (?<id>.+) already appears on line (?<line>\d+)$/,
    key: k('external_id_twice'),
  },
  { pattern: /^email "(?<email>[^"]*)" is not a valid address$/, key: k('bad_email') },
  { pattern: /^hire_date "(?<value>[^"]*)" is not a date/, key: k('hire_date_format') },
  { pattern: /^hire_date (?<value>\S+) is too far in the future$/, key: k('hire_date_future') },
  { pattern: /^hire_date (?<value>\S+) is before (?<year>\d+)$/, key: k('hire_date_old') },
  { pattern: /^locale "(?<value>[^"]*)" is not a language tag/, key: k('locale') },
  { pattern: /^time_zone "(?<value>[^"]*)" is not an IANA time zone/, key: k('time_zone') },
  ...COMMON_PROBLEM_RULES,
];

export const IMPORT_WORDING: ProblemWording = {
  rules: IMPORT_RULES,
  field: (name) => name,
  english: (problem) => problem,
};

/** One line's reasons ("a; b") as separate problems, for wordProblems. */
export const importReasons = (reason: string): string[] => reason.split('; ');
