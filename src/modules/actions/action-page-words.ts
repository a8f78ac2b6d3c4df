import type { DomainError } from '../../common/errors/domain-error';
import { inFormWords } from '../../common/http/field-labels';
import {
  COMMON_PROBLEM_RULES,
  type ProblemWording,
  wordProblems,
} from '../../common/i18n/form-problems';
import type { I18n } from '../../common/i18n/i18n.service';
import { ACTION_FIELD_LABELS } from './action-input';

/**
 * The action pages' words in the reader's language: statuses, roles, language names (each
 * language by its own name, as the switch shows it) and the problems of a refused form.
 */
export interface ActionWords {
  locale: string;
  t: (key: string, vars?: Record<string, unknown>) => string;
  status: (status: string) => string;
  language: (code: string) => string;
  role: (role: string) => string;
}

export function actionWords(i18n: I18n, locale: string): ActionWords {
  const t = (key: string, vars: Record<string, unknown> = {}) => i18n.t(locale, key, vars);
  return {
    locale,
    t,
    status: (status) => t(`action_pages.status.${status}`),
    language: (code) => (i18n.has(code) ? i18n.info(code).name : code),
    role: (role) => t(`action_pages.role.${role}`),
  };
}

function fieldLabel(i18n: I18n, locale: string, name: string): string | undefined {
  const t = (key: string, vars: Record<string, unknown> = {}) =>
    i18n.t(locale, `action_pages.field.${key}`, vars);
  const translation = /^translations\.(\w+)(?:\.(heard|planned))?$/.exec(name);
  if (translation) {
    const language = i18n.has(translation[1]) ? i18n.info(translation[1]).name : translation[1];
    return t(translation[2] ? `tr_${translation[2]}` : 'tr', { language });
  }
  const known = [
    'heard',
    'planned',
    'locale',
    'ownerId',
    'dueOn',
    'doneOn',
    'status',
    'published',
    'origin',
    'translations',
  ];
  if (name === 'originRef') return t('origin');
  return known.includes(name) ? t(name) : undefined;
}

function englishProblem(problem: string): string {
  // Each problem starts with the field it is about (`dueOn "…" does not exist`); only that
  // name is worded, since a field's name may also be a value in the rest.
  const field = /^[\w.]+/.exec(problem)?.[0] ?? '';
  const name = field.replace(/\.$/, '');
  if (!ACTION_FIELD_LABELS[name]) return inFormWords(problem, {});
  return inFormWords(name, ACTION_FIELD_LABELS) + problem.slice(name.length);
}

const p = (key: string) => `action_pages.problem.${key}`;

/** The action's own checks (action-input.ts), before the common ones. */
const ACTION_RULES = [
  { pattern: /^ownerId must be the id of a person/, key: p('owner_invalid') },
  { pattern: /^originRef must be an object/, key: p('origin_ref') },
  { pattern: /^translations: "(?<value>[^"]*)" is not one of /, key: p('translation_language') },
  {
    pattern: /^(?<field>translations\.\w+) must hold heard and planned$/,
    key: p('translation_pair'),
  },
  {
    pattern: /^(?<field>translations\.\w+) holds only heard and planned/,
    key: p('translation_pair'),
  },
  ...COMMON_PROBLEM_RULES,
];

export function actionWording(i18n: I18n, locale: string): ProblemWording {
  return {
    rules: ACTION_RULES,
    field: (name) => fieldLabel(i18n, locale, name),
    english: englishProblem,
  };
}

/** A refused form's problems as the page shows them. */
export function actionProblems(i18n: I18n, locale: string, error: DomainError): string[] {
  if (locale !== i18n.fallback) {
    if (error.code === 'action.owner_not_allowed')
      return [i18n.t(locale, 'action_pages.problem.owner_not_allowed')];
    if (error.code === 'action.dropped_not_publishable')
      return [i18n.t(locale, 'action_pages.problem.dropped_not_publishable')];
  }
  const problems = (error.details as { problems?: string[] } | undefined)?.problems ?? [
    error.message,
  ];
  return wordProblems(i18n, locale, problems, actionWording(i18n, locale));
}
