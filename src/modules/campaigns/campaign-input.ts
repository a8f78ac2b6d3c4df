import { hasControlCharacters } from '../../common/text';
import { TENURE_BANDS } from '../directory/audience';
import type { QuestionType } from '../surveys/question-types';
import {
  type CadenceKind,
  cadenceProblems,
  nextOccurrence,
  sendWindowProblems,
  type Weekday,
  WEEKDAYS,
} from './cadence';
import { TEMPLATE_KEYS, type TemplateKey } from './campaign-templates';
import { titleProblems } from './campaign-titles';

/** A campaign as HR describes it, from the JSON API or the form (both end up here). */
export interface CampaignInput {
  /** HR's internal name. */
  name: string;
  /** What respondents see as the title, per language; a language left out: the template's. */
  titles?: Partial<Record<string, string>>;
  /** A template, or null with `questionnaireId` for a custom questionnaire. */
  template: TemplateKey | null;
  questionnaireId: string | null;
  subject: 'teams' | 'own_team';
  /** Subject `teams`: the service teams rated, each in its own block. */
  teamSlugs: string[];
  audience: {
    departments: string[];
    locations: string[];
    teamSlugs: string[];
    tenureBands: string[];
    includeEmails: string[];
    excludeEmails: string[];
  };
  cadence: {
    kind: CadenceKind;
    everyWeeks: number | null;
    rrule: string | null;
    start: string;
    timeZone: string;
  };
  window: { from: string; to: string; days: Weekday[] };
  openDays: number;
  reminderDays: number[];
  rotationSize: number | null;
  reportingThreshold: number;
}

export const MAX_RATED_TEAMS = 12;
const MAX_LIST = 500;

/**
 * What is wrong with a campaign as given, field by field, before anything is looked up (teams,
 * people and the questionnaire are checked by the service). `minK` is the organisation's
 * REPORTING_THRESHOLD; `now` decides whether the cadence still opens a wave.
 */
export function campaignProblems(input: CampaignInput, minK: number, now: number): string[] {
  const problems: string[] = [];
  const name = input.name.trim();
  if (name.length === 0) problems.push('name is required');
  else if (name.length > 200) problems.push('name is longer than 200 characters');
  else if (hasControlCharacters(name)) problems.push('name contains control characters');
  problems.push(...titleProblems(input.titles ?? {}));

  if (input.template !== null && !TEMPLATE_KEYS.includes(input.template))
    problems.push(`template must be one of ${TEMPLATE_KEYS.join(', ')}`);
  if ((input.template === null) === (input.questionnaireId === null))
    problems.push('give either a template or a questionnaireId (a custom questionnaire)');

  if (!['teams', 'own_team'].includes(input.subject))
    problems.push('subject must be teams (a list of service teams) or own_team');
  if (input.subject === 'teams') {
    if (input.teamSlugs.length === 0) problems.push('choose at least one service team to rate');
    if (input.teamSlugs.length > MAX_RATED_TEAMS)
      problems.push(`rate at most ${MAX_RATED_TEAMS} service teams in one campaign`);
    if (new Set(input.teamSlugs).size !== input.teamSlugs.length)
      problems.push('a service team is listed twice');
  } else if (input.teamSlugs.length > 0) {
    problems.push('teams to rate are only for subject teams (own_team rates each person’s team)');
  }

  const a = input.audience;
  for (const [field, list] of Object.entries(a)) {
    if (list.length > MAX_LIST)
      problems.push(`audience.${field} has more than ${MAX_LIST} entries`);
    if (list.some((v: string) => v.length > 320 || hasControlCharacters(v)))
      problems.push(`audience.${field} has an entry that is too long or holds control characters`);
  }
  const badBands = a.tenureBands.filter((b) => !(TENURE_BANDS as readonly string[]).includes(b));
  if (badBands.length > 0)
    problems.push(`unknown tenure band(s) ${badBands.join(', ')}; use ${TENURE_BANDS.join(', ')}`);

  if (!Number.isInteger(input.openDays) || input.openDays < 1 || input.openDays > 90)
    problems.push('openDays must be a whole number of days from 1 to 90');
  if (input.reminderDays.length > 3) problems.push('at most 3 reminders');
  input.reminderDays.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1)
      problems.push(
        `reminder ${i + 1} must be a whole number of days after the opening, 1 or more`,
      );
    else if (d >= input.openDays)
      problems.push(
        `reminder ${i + 1} (day ${d}) must come before the wave closes (day ${input.openDays})`,
      );
    else if (i > 0 && d <= input.reminderDays[i - 1])
      problems.push('reminders must be in increasing order of days');
  });
  if (
    input.rotationSize !== null &&
    (!Number.isInteger(input.rotationSize) || input.rotationSize < 1 || input.rotationSize > 50)
  )
    problems.push('questions per wave must be a whole number from 1 to 50 (or empty: all)');
  if (
    !Number.isInteger(input.reportingThreshold) ||
    input.reportingThreshold < Math.max(3, minK) ||
    input.reportingThreshold > 1000
  )
    problems.push(
      `reportingThreshold must be a whole number from ${Math.max(3, minK)} (the organisation's minimum) to 1000`,
    );

  problems.push(...sendWindowProblems(input.window));
  const cadence = { ...input.cadence };
  const cadenceIssues = cadenceProblems(
    cadence,
    Number.isInteger(input.openDays) ? input.openDays : 1,
  );
  problems.push(...cadenceIssues);
  if (cadenceIssues.length === 0 && nextOccurrence(cadence, now) === undefined)
    problems.push('the cadence opens no wave from now on: choose a start in the future');
  return problems;
}

/**
 * The questions of wave `number` (1, 2, …): every NPS and eNPS question, plus `size` of the
 * others taken in turn (wave 1 the first `size`, wave 2 the next ones, wrapping around), in the
 * questionnaire's order; null (all) when there is no rotation or it would ask them all anyway.
 */
export function rotatedQuestions(
  questions: { id: string; type: QuestionType }[],
  size: number | null,
  number: number,
): string[] | null {
  const anchors = questions.filter((q) => q.type === 'nps' || q.type === 'enps');
  const rotating = questions.filter((q) => q.type !== 'nps' && q.type !== 'enps');
  if (size === null || size >= rotating.length) return null;
  const chosen = new Set<string>();
  for (let i = 0; i < size; i++)
    chosen.add(rotating[((number - 1) * size + i) % rotating.length].id);
  return questions.filter((q) => anchors.includes(q) || chosen.has(q.id)).map((q) => q.id);
}

export const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export { WEEKDAYS };
