import { calendarDateProblem } from '../../common/http/calendar-date';
import type { FieldLabels } from '../../common/http/field-labels';
import { asForm, type Form, textField } from '../../common/http/form-fields';
import { hasBidiControls, hasControlCharacters } from '../../common/text';
import {
  ACTION_ORIGINS,
  ACTION_STATUSES,
  type ActionOrigin,
  type ActionStatus,
  type ActionTexts,
} from './entities/team-action.entity';

/** The languages an action is written in or translated into: those of the employee pages. */
export const ACTION_LOCALES = ['en', 'es', 'ja', 'fa'] as const;
export type ActionLocale = (typeof ACTION_LOCALES)[number];
export const LOCALE_NAMES: Record<ActionLocale, string> = {
  en: 'English',
  es: 'Spanish',
  ja: 'Japanese',
  fa: 'Persian',
};

export const TEXT_MIN = 2;
export const TEXT_MAX = 500;
/** Due and done dates: days a plan can be about. */
export const ACTION_DAYS = { from: '2000-01-01', to: '2999-12-31' };

/** What a create or an update may set; a missing key leaves the field as it is. */
export interface ActionPatch {
  heard?: string;
  planned?: string;
  locale?: ActionLocale;
  translations?: Record<string, ActionTexts>;
  ownerId?: string | null;
  dueOn?: string | null;
  status?: ActionStatus;
  /** With status `done`: the day it was done (default: today in the organisation's zone). */
  doneOn?: string | null;
  published?: boolean;
  origin?: ActionOrigin;
  originRef?: Record<string, string> | null;
}

const API_FIELDS = [
  'heard',
  'planned',
  'locale',
  'translations',
  'ownerId',
  'dueOn',
  'status',
  'doneOn',
  'published',
  'origin',
  'originRef',
] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A lead's text: trimmed, 2–500 characters, line breaks allowed, no other control character. */
export function textProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `${field} must be a text`;
  const text = value.trim();
  if (text.length === 0) return `${field} is required`;
  const length = [...text].length;
  if (length < TEXT_MIN || length > TEXT_MAX)
    return `${field} must be ${TEXT_MIN} to ${TEXT_MAX} characters (got ${length})`;
  if (hasControlCharacters(text.replace(/\r?\n|\t/g, ' ')))
    return `${field} contains control characters`;
  if (hasBidiControls(text))
    return `${field} contains bidi override or isolate characters (U+202A–202E, U+2066–2069)`;
  return undefined;
}

function normaliseText(value: string): string {
  return value.replace(/\r\n/g, '\n').trim();
}

/**
 * Checks an action's fields as the API sends them (JSON) and as the forms do (after
 * readActionForm): one set of checks, each problem naming its field. `creating`: heard, planned
 * and locale are required.
 */
export function checkActionPatch(
  raw: Record<string, unknown>,
  creating: boolean,
): { patch: ActionPatch; problems: string[] } {
  const problems: string[] = [];
  const patch: ActionPatch = {};
  const unknown = Object.keys(raw).filter((k) => !(API_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0)
    problems.push(
      `unknown field(s) ${unknown.slice(0, 5).join(', ')}; allowed: ${API_FIELDS.join(', ')}`,
    );
  const has = (key: string) => raw[key] !== undefined;

  for (const field of ['heard', 'planned'] as const) {
    if (!has(field)) {
      if (creating) problems.push(`${field} is required`);
      continue;
    }
    const problem = textProblem(field, raw[field]);
    if (problem) problems.push(problem);
    else patch[field] = normaliseText(raw[field] as string);
  }

  if (has('locale')) {
    if (!(ACTION_LOCALES as readonly unknown[]).includes(raw.locale))
      problems.push(`locale must be one of ${ACTION_LOCALES.join(', ')}`);
    else patch.locale = raw.locale as ActionLocale;
  } else if (creating) problems.push(`locale is required (one of ${ACTION_LOCALES.join(', ')})`);

  if (has('translations')) {
    const value = raw.translations;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push('translations must be an object keyed by language (es, ja, fa, en)');
    } else {
      const translations: Record<string, ActionTexts> = {};
      for (const [locale, texts] of Object.entries(value as Record<string, unknown>)) {
        if (!(ACTION_LOCALES as readonly string[]).includes(locale)) {
          problems.push(
            `translations: "${locale.slice(0, 16)}" is not one of ${ACTION_LOCALES.join(', ')}`,
          );
          continue;
        }
        if (typeof texts !== 'object' || texts === null || Array.isArray(texts)) {
          problems.push(`translations.${locale} must hold heard and planned`);
          continue;
        }
        const t = texts as Record<string, unknown>;
        const extra = Object.keys(t).filter((k) => k !== 'heard' && k !== 'planned');
        if (extra.length > 0)
          problems.push(`translations.${locale} holds only heard and planned (not ${extra[0]})`);
        let ok = true;
        for (const field of ['heard', 'planned'] as const) {
          const problem =
            t[field] === undefined || (typeof t[field] === 'string' && t[field].trim() === '')
              ? `translations.${locale}.${field} is required when a translation into ${locale} is given`
              : textProblem(`translations.${locale}.${field}`, t[field]);
          if (problem) {
            problems.push(problem);
            ok = false;
          }
        }
        if (ok)
          translations[locale] = {
            heard: normaliseText(t.heard as string),
            planned: normaliseText(t.planned as string),
          };
      }
      patch.translations = translations;
    }
  }

  if (has('ownerId')) {
    if (raw.ownerId === null || raw.ownerId === '') patch.ownerId = null;
    else if (typeof raw.ownerId !== 'string' || !UUID.test(raw.ownerId))
      problems.push('ownerId must be the id of a person with an account, or null');
    else patch.ownerId = raw.ownerId.toLowerCase();
  }

  for (const field of ['dueOn', 'doneOn'] as const) {
    if (!has(field)) continue;
    if (raw[field] === null || raw[field] === '') {
      patch[field] = null;
      continue;
    }
    const problem = calendarDateProblem(field, raw[field], ACTION_DAYS);
    if (problem) problems.push(problem);
    else patch[field] = raw[field] as string;
  }

  if (has('status')) {
    if (!(ACTION_STATUSES as readonly unknown[]).includes(raw.status))
      problems.push(`status must be one of ${ACTION_STATUSES.join(', ')}`);
    else patch.status = raw.status as ActionStatus;
  }

  if (has('published')) {
    if (typeof raw.published !== 'boolean') problems.push('published must be true or false');
    else patch.published = raw.published;
  }

  if (has('origin')) {
    if (!(ACTION_ORIGINS as readonly unknown[]).includes(raw.origin))
      problems.push(`origin must be one of ${ACTION_ORIGINS.join(', ')}`);
    else patch.origin = raw.origin as ActionOrigin;
  }
  if (has('originRef')) {
    const ref = raw.originRef;
    if (ref === null) patch.originRef = null;
    else if (
      typeof ref !== 'object' ||
      Array.isArray(ref) ||
      Object.keys(ref).length > 4 ||
      Object.entries(ref).some(
        ([k, v]) =>
          !/^[a-zA-Z]{1,32}$/.test(k) ||
          typeof v !== 'string' ||
          v.length > 64 ||
          hasControlCharacters(v) ||
          hasBidiControls(v),
      )
    )
      problems.push('originRef must be an object of at most 4 short texts, or null');
    else patch.originRef = ref as Record<string, string>;
  }
  return { patch, problems };
}

/** The form fields of the action form (views/pages/actions/form.hbs) as the API's fields. */
export function readActionForm(body: unknown, creating: boolean): Record<string, unknown> {
  const form: Form = asForm(body);
  const raw: Record<string, unknown> = {
    heard: textField(form, 'heard'),
    planned: textField(form, 'planned'),
    locale: textField(form, 'locale'),
    ownerId: textField(form, 'ownerId'),
    dueOn: textField(form, 'dueOn'),
    status: textField(form, 'status') || (creating ? 'planned' : undefined),
    doneOn: textField(form, 'doneOn'),
    published: textField(form, 'published') === 'yes',
  };
  const translations: Record<string, { heard?: string; planned?: string }> = {};
  for (const locale of ACTION_LOCALES) {
    const heard = textField(form, `tr_${locale}_heard`).trim();
    const planned = textField(form, `tr_${locale}_planned`).trim();
    if (heard === '' && planned === '') continue;
    translations[locale] = { heard, planned };
  }
  raw.translations = translations;
  if (creating) {
    const origin = textField(form, 'origin');
    if (origin) raw.origin = origin;
    const ref: Record<string, string> = {};
    for (const key of ['questionId', 'period', 'at', 'followUpId']) {
      const value = textField(form, `ref_${key}`);
      if (value) ref[key] = value;
    }
    if (Object.keys(ref).length > 0) raw.originRef = ref;
  }
  if (raw.status === undefined) delete raw.status;
  // The form always has a done date field; it only means something for a done action (an edit
  // that moves a done action back to in progress leaves the old day in it).
  if (raw.status !== 'done') delete raw.doneOn;
  return raw;
}

/** The form's words for the fields the checks name. */
export const ACTION_FIELD_LABELS: FieldLabels = {
  heard: 'What we heard',
  planned: 'What we will do',
  locale: 'Language of the text',
  ownerId: 'Owner',
  dueOn: 'Due date',
  doneOn: 'Done on',
  status: 'Status',
  published: 'Published',
  origin: 'Started from',
  originRef: 'Started from',
  translations: 'Translations',
  ...Object.fromEntries(
    ACTION_LOCALES.flatMap((l) => [
      [`translations.${l}.heard`, `${LOCALE_NAMES[l]} translation of what we heard`],
      [`translations.${l}.planned`, `${LOCALE_NAMES[l]} translation of what we will do`],
      [`translations.${l}`, `${LOCALE_NAMES[l]} translation`],
    ]),
  ),
};
