import type { DomainError } from '../../common/errors/domain-error';
import {
  COMMON_PROBLEM_RULES,
  type ProblemRule,
  type ProblemWording,
  wordProblems,
} from '../../common/i18n/form-problems';
import type { I18n } from '../../common/i18n/i18n.service';
import { weekdayName } from '../teams/opening-hours';
import { type FormPlaces, inProfileFormWords } from './team-profile-form';

/**
 * The team profile page's words in the reader's language: language names (each language by
 * its own name), weekdays (Intl) and the problems of a refused form, which name the row of the
 * form they come from.
 */
export function profileWords(i18n: I18n, locale: string) {
  return {
    language: (code: string) => (i18n.has(code) ? i18n.info(code).name : code),
    weekdayLocale: i18n.info(locale).intl,
  };
}

const p = (key: string) => `profile_page.problem.${key}`;

const PROFILE_RULES: ProblemRule[] = [
  {
    pattern: /^purpose must be written in the profile language \((?<language>\w+)\)/,
    key: p('no_purpose_in_locale'),
  },
  { pattern: /^(?<field>.+?) must be a time from 00:00 to 24:00/, key: p('time') },
  { pattern: /^(?<field>.+?): closes must be after opens/, key: p('closes_after') },
  {
    pattern: /^(?<field>.+?) must be a whole number of minutes from 1 to (?<max>\d+), or empty$/,
    key: p('minutes'),
  },
  {
    pattern:
      /^(?<field>timeZone) must be an IANA time zone such as Europe\/Madrid(?:, not "(?<zone>[^"]*)")?$/,
    key: p('zone'),
  },
  { pattern: /^(?<field>.+?): a day closed has no opens or closes$/, key: p('closed_day') },
  {
    pattern: /^(?<field>.+?): (?<date>\d{4}-\d{2}-\d{2}) is listed twice$/,
    key: p('listed_twice'),
  },
  { pattern: /^(?<field>.+?): "(?<value>[^"]*)" is not a web address/, key: p('not_web') },
  {
    pattern: /^(?<field>purpose\.\w+\.handles) is required when excludes/,
    key: p('handles_missing'),
  },
  ...COMMON_PROBLEM_RULES,
];

/** A field the checks name (`openingHours[3]: opens`, `purpose.ja.handles`) in the form's words. */
function fieldLabel(i18n: I18n, locale: string, name: string, places?: FormPlaces): string {
  const t = (key: string, vars: Record<string, unknown> = {}) =>
    i18n.t(locale, `profile_page.field.${key}`, vars);
  const language = (code: string) => (i18n.has(code) ? i18n.info(code).name : code);
  const n = (value: number) => i18n.number(locale, value);
  const purpose = /^purpose\.(\w+)\.(handles|excludes)$/.exec(name);
  if (purpose) return t(purpose[2], { language: language(purpose[1]) });
  const row = /^(openingHours|hoursExceptions|contactChannels)\[(\d+)\](?::\s*(\w+))?$/.exec(name);
  if (row) {
    const index = Number(row[2]);
    let where: string;
    if (row[1] === 'openingHours') {
      const slot = places?.openingSlots?.[index];
      where = slot
        ? t('opening_at', { day: weekdayName(slot.day, i18n.info(locale).intl), n: n(slot.n) })
        : t('openingHours');
    } else if (row[1] === 'hoursExceptions') {
      where = t('exception_at', { n: n(places?.hoursExceptions[index] ?? index + 1) });
    } else {
      where = t('channel_at', { n: n(places?.contactChannels[index] ?? index + 1) });
    }
    const part = row[3] ? i18n.t(locale, `profile_page.col_${row[3]}`) : '';
    return part && !part.startsWith('profile_page.') ? `${where} · ${part}` : where;
  }
  const plain = [
    'profileLocale',
    'timeZone',
    'purpose',
    'openingHours',
    'firstResponseTargetMinutes',
    'resolutionTargetMinutes',
  ];
  if (plain.includes(name)) return t(name);
  if (name === 'hoursExceptions') return t('exceptions');
  if (name === 'contactChannels') return t('channels');
  return name;
}

export function profileWording(i18n: I18n, locale: string, places?: FormPlaces): ProblemWording {
  return {
    rules: PROFILE_RULES,
    field: (name) => fieldLabel(i18n, locale, name, places),
    english: (problem) => inProfileFormWords(problem, places),
  };
}

/** A refused save's problems as the form shows them. */
export function profileProblems(
  i18n: I18n,
  locale: string,
  error: DomainError,
  places?: FormPlaces,
): string[] {
  if (error.kind === 'conflict' && locale !== i18n.fallback) return [i18n.t(locale, p('conflict'))];
  const problems = Array.isArray(error.details) ? (error.details as string[]) : [error.message];
  return wordProblems(i18n, locale, problems, profileWording(i18n, locale, places));
}
