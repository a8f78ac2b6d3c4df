import type { I18n } from './i18n.service';

/**
 * A form's problems in the reader's language. The checks stay one set, shared with the JSON
 * API, and say what is wrong in English naming API fields (`openDays must be …`); a page words
 * them with rules: a pattern of the English problem whose named groups become the arguments of
 * a catalogue message, the group `field` being worded by the form's own labels. English pages
 * keep the English wording (with the form's labels, see inFormWords). A problem no rule knows is
 * shown as the checks said it, in the form's English words, rather than not at all.
 */
export interface ProblemRule {
  pattern: RegExp;
  key: string;
}

/** Problems every form's checks may give, whatever the field. */
export const COMMON_PROBLEM_RULES: ProblemRule[] = [
  { pattern: /^(?<field>.+?) is required$/, key: 'form_problem.required' },
  {
    pattern: /^(?<field>.+?) must be (?<min>\d+) to (?<max>\d+) characters \(got (?<got>\d+)\)$/,
    key: 'form_problem.length',
  },
  {
    pattern: /^(?<field>.+?) (?:must be at most|is longer than) (?<max>\d+) characters$/,
    key: 'form_problem.too_long',
  },
  {
    pattern: /^(?<field>.+?) must be a whole number from (?<min>\d+) to (?<max>\d+)$/,
    key: 'form_problem.whole_range',
  },
  {
    pattern: /^(?<field>.+?) (?:contains|must not contain) control characters$/,
    key: 'form_problem.control',
  },
  { pattern: /^(?<field>.+?) contains bidi /, key: 'form_problem.bidi' },
  {
    pattern: /^(?<field>.+?) must be a date in the form YYYY-MM-DD$/,
    key: 'form_problem.date_format',
  },
  { pattern: /^(?<field>.+?) "(?<value>[^"]*)" does not exist/, key: 'form_problem.date_missing' },
  {
    pattern: /^(?<field>.+?) must be a day from (?<from>\S+) to (?<to>\S+)$/,
    key: 'form_problem.date_range',
  },
  { pattern: /^(?<field>\S+) must be true or false\.?$/, key: 'form_problem.true_or_false' },
  { pattern: /^(?<field>.+?) must be one of (?<list>.+?)\.?$/, key: 'form_problem.one_of' },
];

export interface ProblemWording {
  rules: ProblemRule[];
  /** The form's word for a field the checks name (`openDays`, `translations.es.heard`), if any. */
  field: (name: string) => string | undefined;
  /** The English wording (English pages, and problems no rule knows). */
  english: (problem: string) => string;
}

/** Groups that hold what a person typed or named, shown as they are. */
const TYPED = new Set(['value', 'id', 'slug', 'slugs', 'email', 'emails', 'column', 'zone']);

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One problem in `locale`. */
export function wordProblem(
  i18n: I18n,
  locale: string,
  problem: string,
  wording: ProblemWording,
): string {
  if (locale === i18n.fallback) return wording.english(problem);
  for (const rule of wording.rules) {
    const match = rule.pattern.exec(problem);
    if (!match) continue;
    const args: Record<string, unknown> = { ...(match.groups ?? {}) };
    if (typeof args.field === 'string') args.field = wording.field(args.field) ?? args.field;
    // Counts and limits in the locale's digits (۲۰۰ in Persian); what was typed stays as typed.
    for (const [name, value] of Object.entries(args))
      if (!TYPED.has(name) && typeof value === 'string' && /^\d{1,9}$/.test(value))
        args[name] = i18n.number(locale, Number(value), { useGrouping: false });
    return capital(i18n.t(locale, rule.key, args));
  }
  return wording.english(problem);
}

/** Every problem in `locale`. */
export function wordProblems(
  i18n: I18n,
  locale: string,
  problems: readonly string[],
  wording: ProblemWording,
): string[] {
  return problems.map((p) => wordProblem(i18n, locale, p, wording));
}
