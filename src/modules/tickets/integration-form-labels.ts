import { type FieldLabels, inFormWords } from '../../common/http/field-labels';
import {
  COMMON_PROBLEM_RULES,
  type ProblemRule,
  type ProblemWording,
} from '../../common/i18n/form-problems';
import type { I18n } from '../../common/i18n/i18n.service';

/** The integration forms' words for the fields the integration's checks name (see inFormWords). */
export const INTEGRATION_FIELD_LABELS: FieldLabels = {
  kind: 'system',
  defaultTeam: 'team of tickets no rule maps',
  signingSecret: 'signing secret',
  mappingRules: (n?: number) => (n === undefined ? 'mapping rules' : `mapping rule ${n}`),
  delayMinutes: 'survey delay (minutes)',
  linkExpiryDays: 'days a survey link is valid',
  throttleDays: 'days between two surveys of a requester about the same team',
  samplingPercent: 'share of resolved tickets surveyed (%)',
  excludedCategories: 'categories never surveyed',
  overlapHours: 'hours the old secret is still accepted',
};

/** A page's state with its error messages in the form's words. */
export function inIntegrationFormWords(extra: Record<string, unknown>): Record<string, unknown> {
  const worded = { ...extra };
  for (const key of ['error', 'rotateError'])
    if (typeof worded[key] === 'string')
      worded[key] = inFormWords(worded[key] as string, INTEGRATION_FIELD_LABELS);
  return worded;
}

const p = (key: string) => `admin.integration.problem.${key}`;

/** The integration's own checks (integrations.service.ts, secrets.ts), before the common ones. */
const INTEGRATION_RULES: ProblemRule[] = [
  { pattern: /^signingSecret is required for Zendesk/, key: p('zendesk_secret') },
  {
    pattern: /^(?<field>.+?): match must have (?<min>\d+) to (?<max>\d+) characters$/,
    key: p('match_length'),
  },
  {
    pattern: /^(?<field>.+?) must have (?<min>\d+) to (?<max>\d+) characters, on one line$/,
    key: p('one_line'),
  },
  { pattern: /^(?<field>.+?): no team "(?<slug>[^"]*)"$/, key: p('no_team') },
  { pattern: /^mappingRules: at most (?<max>\d+) rules$/, key: p('too_many_rules') },
  { pattern: /^excludedCategories: at most (?<max>\d+)$/, key: p('too_many_categories') },
  {
    pattern: /^excludedCategories: each has at most (?<max>\d+) characters/,
    key: p('category_length'),
  },
  { pattern: /^kind cannot change/, key: p('kind_fixed') },
  { pattern: /^a new signing secret is set by rotating it$/, key: p('secret_by_rotation') },
  { pattern: /^signingSecret: A Standard Webhooks secret looks like/, key: p('secret_whsec') },
  {
    pattern: /^signingSecret: A signing secret has (?<min>\d+) to (?<max>\d+) characters/,
    key: p('secret_length'),
  },
  ...COMMON_PROBLEM_RULES,
];

/** The catalogue's word for each field the checks name (`mappingRules[2]`: "mapping rule 3"). */
const FIELD_KEYS: Record<string, string> = {
  kind: 'kind',
  name: 'name',
  defaultTeam: 'default_team',
  signingSecret: 'secret',
  mappingRules: 'rules',
  delayMinutes: 'delay',
  linkExpiryDays: 'expiry',
  throttleDays: 'throttle',
  samplingPercent: 'sampling',
  excludedCategories: 'excluded',
  overlapHours: 'overlap',
};

/** The integration forms' problems in the reader's language (see form-problems.ts). */
export function integrationWording(i18n: I18n, locale: string): ProblemWording {
  return {
    rules: INTEGRATION_RULES,
    field: (name) => {
      const rule = /^mappingRules\[(\d{1,6})\]$/.exec(name);
      if (rule)
        return i18n.t(locale, 'admin.integration.fields.rule', {
          n: i18n.number(locale, Number(rule[1]) + 1),
        });
      return FIELD_KEYS[name]
        ? i18n.t(locale, `admin.integration.fields.${FIELD_KEYS[name]}`)
        : undefined;
    },
    english: (problem) => inFormWords(problem, INTEGRATION_FIELD_LABELS),
  };
}
