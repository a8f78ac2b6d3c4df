import {
  COMMON_PROBLEM_RULES,
  type ProblemWording,
  wordProblems,
} from '../../common/i18n/form-problems';
import type { I18n } from '../../common/i18n/i18n.service';
import { inFormWords } from '../../common/http/field-labels';
import type { DomainError } from '../../common/errors/domain-error';
import type { Cadence, Weekday } from './cadence';
import { CAMPAIGN_FIELD_LABELS } from './campaign-form-labels';

/**
 * The campaign pages' words in the reader's language: statuses, cadences, templates, tenure
 * bands and weekdays (by Intl), and the problems of a refused form or action.
 */
export const TENURE_KEYS: Record<string, string> = {
  '<1y': 'lt1',
  '1-2y': 'y1_2',
  '2-5y': 'y2_5',
  '5y+': 'y5',
};

/** Monday 2024-01-01 is day 0: the weekday's short name in the locale. */
const WEEKDAY_INDEX: Record<Weekday, number> = {
  mon: 0,
  tue: 1,
  wed: 2,
  thu: 3,
  fri: 4,
  sat: 5,
  sun: 6,
};

export function weekdayLabel(i18n: I18n, locale: string, day: Weekday): string {
  return i18n.date(locale, `2024-01-0${WEEKDAY_INDEX[day] + 1}`, { weekday: 'short' });
}

export function campaignWords(i18n: I18n, locale: string) {
  const t = (key: string, vars: Record<string, unknown> = {}) => i18n.t(locale, key, vars);
  return {
    t,
    status: (status: string) => t(`campaign_pages.status.${status}`),
    waveStatus: (status: string) => t(`campaign_pages.wave_status.${status}`),
    cadence: (kind: string) => t(`campaign_pages.cadence.${kind}`),
    template: (key: string) => ({
      label: t(`campaign_pages.template.${key}.label`),
      description: t(`campaign_pages.template.${key}.description`),
    }),
    tenure: (band: string) =>
      TENURE_KEYS[band] ? t(`campaign_pages.tenure.${TENURE_KEYS[band]}`) : band,
    weekday: (day: Weekday) => weekdayLabel(i18n, locale, day),
    /** "Monthly from 1 Dec 2026, 10:00 (Europe/Madrid)": the start is a wall-clock time. */
    cadenceText: (c: Pick<Cadence, 'kind' | 'everyWeeks' | 'rrule' | 'start' | 'timeZone'>) =>
      t(`campaign_pages.cadence_text.${c.kind}`, {
        date: i18n.date(locale, `${c.start}:00Z`, { dateStyle: 'medium', timeStyle: 'short' }),
        zone: c.timeZone,
        n: i18n.number(locale, c.everyWeeks ?? 2),
        rule: c.rrule ?? '',
      }),
  };
}

const FIELD_KEYS: Record<string, string> = {
  name: 'name',
  openDays: 'openDays',
  reportingThreshold: 'reportingThreshold',
  questionnaireId: 'questionnaireId',
  everyWeeks: 'everyWeeks',
  rrule: 'rrule',
  timeZone: 'timeZone',
  start: 'start',
  teamSlugs: 'teamSlugs',
  'audience.departments': 'departments',
  'audience.locations': 'locations',
  'audience.teamSlugs': 'audience_teams',
  'audience.tenureBands': 'tenure',
  'audience.includeEmails': 'include',
  'audience.excludeEmails': 'exclude',
  include: 'include',
  exclude: 'exclude',
};

const p = (key: string) => `campaign_pages.problem.${key}`;

/** The campaign's own checks (campaign-input.ts, cadence.ts, campaigns.service.ts). */
const CAMPAIGN_RULES = [
  { pattern: /^choose at least one service team to rate$/, key: p('choose_team') },
  { pattern: /^rate at most (?<max>\d+) service teams/, key: p('too_many_teams') },
  { pattern: /^give either a template or a questionnaireId/, key: p('template_or_questionnaire') },
  { pattern: /^openDays must be a whole number of days/, key: p('open_days') },
  { pattern: /^reportingThreshold must be a whole number from (?<min>\d+)/, key: p('threshold') },
  { pattern: /^questions per wave must be/, key: p('rotation') },
  { pattern: /^reminder (?<n>\d+) must be a whole number/, key: p('reminder_whole') },
  {
    pattern:
      /^reminder (?<n>\d+) \(day (?<day>\d+)\) must come before the wave closes \(day (?<close>\d+)\)$/,
    key: p('reminder_before_close'),
  },
  { pattern: /^reminders must be in increasing order/, key: p('reminder_order') },
  { pattern: /^the cadence opens no wave from now on/, key: p('no_wave') },
  { pattern: /^everyWeeks must be a whole number/, key: p('every_weeks') },
  { pattern: /^timeZone "(?<zone>[^"]*)" is not an IANA time zone/, key: p('time_zone') },
  { pattern: /^start "[^"]*" must be a local date and time/, key: p('start') },
  {
    pattern: /^(?:include|exclude): no employee with e-mail (?<emails>.+)$/,
    key: p('unknown_emails'),
  },
  { pattern: /is fixed once the first wave has opened/, key: p('locked') },
  { pattern: /^rrule needs FREQ=/, key: p('rrule_freq') },
  { pattern: /^rrule may not use (?<keys>[A-Z, ]+):/, key: p('rrule_keys') },
  { pattern: /^rrule must be an RRULE such as/, key: p('rrule_format') },
  { pattern: /^rrule could not be read/, key: p('rrule_unreadable') },
  { pattern: /^the cadence could not be computed/, key: p('cadence_failed') },
  { pattern: /^the cadence never opens a wave/, key: p('never_opens') },
  {
    pattern:
      /^waves would overlap: two openings are (?<apart>[\d.]+) days apart but each stays open (?<open>\d+) days/,
    key: p('overlap'),
  },
  { pattern: /^send window start "(?<value>[^"]*)" must be HH:MM$/, key: p('window_start') },
  { pattern: /^send window end "(?<value>[^"]*)" must be HH:MM$/, key: p('window_end') },
  { pattern: /^the send window must end after it starts/, key: p('window_order') },
  { pattern: /^the send window needs at least one weekday$/, key: p('window_days') },
  { pattern: /^unknown weekday\(s\) (?<days>[^;]+);/, key: p('weekdays_unknown') },
  { pattern: /^start "(?<value>[^"]*)" is before (?<year>\d+)$/, key: p('start_before') },
  { pattern: /^subject must be teams/, key: p('subject') },
  { pattern: /^a service team is listed twice$/, key: p('team_twice') },
  { pattern: /^teams to rate are only for subject teams/, key: p('teams_for_subject') },
  {
    pattern: /^(?<field>audience\.\w+) has more than (?<max>\d+) entries$/,
    key: p('list_too_long'),
  },
  { pattern: /^(?<field>audience\.\w+) has an entry that is too long/, key: p('list_entry') },
  { pattern: /^unknown tenure band\(s\) (?<bands>[^;]+);/, key: p('tenure_unknown') },
  { pattern: /^at most (?<max>\d+) reminders$/, key: p('too_many_reminders') },
  { pattern: /^no service team with slug (?<slugs>.+)$/, key: p('unknown_teams') },
  { pattern: /^audience: no team with slug (?<slugs>.+)$/, key: p('unknown_audience_teams') },
  { pattern: /^no questionnaire (?<id>\S+)$/, key: p('no_questionnaire') },
  { pattern: /^titles: no language (?<locale>[^;]+);/, key: p('title_language') },
  { pattern: /^titles\.(?<locale>[\w-]+) must be text$/, key: p('title_text') },
  {
    pattern: /^titles\.(?<locale>[\w-]+) is longer than (?<max>\d+) characters$/,
    key: p('title_long'),
  },
  { pattern: /^titles\.(?<locale>[\w-]+) contains control characters$/, key: p('title_control') },
  ...COMMON_PROBLEM_RULES,
];

export function campaignWording(i18n: I18n, locale: string): ProblemWording {
  return {
    rules: CAMPAIGN_RULES,
    field: (name) =>
      FIELD_KEYS[name] ? i18n.t(locale, `campaign_pages.field.${FIELD_KEYS[name]}`) : undefined,
    english: (problem) => inFormWords(problem, CAMPAIGN_FIELD_LABELS),
  };
}

/** A refused create or update, as the form shows it (none when the error carries no list). */
export function campaignProblems(
  i18n: I18n,
  locale: string,
  error: DomainError,
): string[] | undefined {
  if (!Array.isArray(error.details)) return undefined;
  return wordProblems(i18n, locale, error.details as string[], campaignWording(i18n, locale));
}

/** A refused pause, resume, archive or test, as the campaign page shows it. */
export function transitionProblem(i18n: I18n, locale: string, error: DomainError): string {
  if (locale === i18n.fallback) return error.message;
  if (error.code === 'campaign.archived') return i18n.t(locale, p('archived'));
  if (error.code === 'campaign.bad_transition') {
    const from = /that is (\w+)/.exec(error.message)?.[1] ?? '';
    return i18n.t(locale, p('bad_transition'), {
      status: i18n.t(locale, `campaign_pages.status.${from}`),
    });
  }
  const details = Array.isArray(error.details) ? (error.details as string[]) : [error.message];
  return wordProblems(i18n, locale, details, campaignWording(i18n, locale)).join(' ');
}
