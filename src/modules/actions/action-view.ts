import { ACTION_LOCALES, LOCALE_NAMES } from './action-input';
import type { ActionWords } from './action-page-words';
import type { ActionListRow } from './actions.repository';
import { ACTION_STATUSES } from './entities/team-action.entity';

export const STATUS_LABELS: Record<string, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
  dropped: 'Dropped',
};

/** An action as the list pages show it, in the reader's words. */
export function actionRow(action: ActionListRow, today: string, words: ActionWords) {
  const open = action.status === 'planned' || action.status === 'in_progress';
  return {
    ...action,
    statusLabel: words.status(action.status),
    overdue: open && action.dueOn !== null && action.dueOn < today,
    localeName: words.language(action.locale),
    translatedInto: Object.keys(action.translations ?? {})
      .map((l) => words.language(l))
      .join(', '),
    editUrl: `/teams/${action.teamSlug}/actions/${action.id}/edit`,
    statusUrl: `/teams/${action.teamSlug}/actions/${action.id}/status`,
    nextStatuses: ACTION_STATUSES.filter((s) => s !== action.status).map((s) => ({
      value: s,
      label: words.status(s),
    })),
  };
}

/** The form's values from an action (editing) or from what was posted (shown again). */
export function formValues(source: Record<string, unknown>, words?: ActionWords) {
  const text = (key: string) => (typeof source[key] === 'string' ? (source[key] as string) : '');
  return {
    heard: text('heard'),
    planned: text('planned'),
    locale: text('locale') || 'en',
    ownerId: text('ownerId'),
    dueOn: text('dueOn'),
    status: text('status') || 'planned',
    doneOn: text('doneOn'),
    published: source.published === true || source.published === 'yes',
    translations: ACTION_LOCALES.map((locale) => ({
      locale,
      name: words ? words.language(locale) : LOCALE_NAMES[locale],
      heard: text(`tr_${locale}_heard`),
      planned: text(`tr_${locale}_planned`),
    })),
  };
}

/** An action's fields as the form's (translations as tr_<locale>_heard / _planned). */
export function formSourceOf(action: ActionListRow): Record<string, unknown> {
  const source: Record<string, unknown> = {
    heard: action.heard,
    planned: action.planned,
    locale: action.locale,
    ownerId: action.ownerUserId ?? '',
    dueOn: action.dueOn ?? '',
    status: action.status,
    doneOn: action.doneOn ?? '',
    published: action.published,
  };
  for (const [locale, texts] of Object.entries(action.translations ?? {})) {
    source[`tr_${locale}_heard`] = texts.heard;
    source[`tr_${locale}_planned`] = texts.planned;
  }
  return source;
}
