import type { I18n } from './i18n.service';

/**
 * "You said, we did" as employees read it, on the thank-you page and in the next invitation:
 * published actions (ActionsService.publishedFor) in the reader's language, the done date
 * written the reader's way, and an action with no translation shown in its own language with a
 * visible note and its `lang`. Only published texts and dates: nothing about any answer.
 */

/** What this needs of a published action (ActionsService's PublishedAction). */
export interface PublishedActionText {
  teamId: string;
  heard: string;
  planned: string;
  status: 'in_progress' | 'done';
  doneOn: string | null;
  locale: string;
  translated: boolean;
}

export interface YouSaidItem {
  teamName?: string;
  heard: string;
  planned: string;
  done: boolean;
  /** The day it was done, in the reader's language and calendar; null while in progress. */
  doneOn: string | null;
  /** The language of `heard` and `planned` (the `lang` of their element). */
  lang: string;
  dir: 'ltr' | 'rtl';
  /** "(not translated; written in English)" in the reader's language, when not translated. */
  untranslatedNote?: string;
}

const RTL = new Set(['fa', 'ar', 'he', 'ur']);

/** A local date YYYY-MM-DD written in `locale` (Persian readers get their own calendar). */
export function formatDay(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** The name of language `code` in `locale` ("English", "inglés", "英語", "انگلیسی"). */
export function languageName(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * Up to `max` actions, taking the teams in turn (each team's best first), so several rated teams
 * share the space; each ready for a view in `locale`.
 */
export function youSaidItems(
  actions: readonly PublishedActionText[],
  locale: string,
  i18n: I18n,
  options: { max: number; teamNames?: ReadonlyMap<string, string> },
): YouSaidItem[] {
  const byTeam = new Map<string, PublishedActionText[]>();
  for (const action of actions)
    byTeam.set(action.teamId, [...(byTeam.get(action.teamId) ?? []), action]);
  const picked: PublishedActionText[] = [];
  for (let rank = 0; picked.length < options.max; rank++) {
    const round = [...byTeam.values()].flatMap((list) => (list[rank] ? [list[rank]] : []));
    if (round.length === 0) break;
    picked.push(...round.slice(0, options.max - picked.length));
  }
  return picked.map((action) => ({
    teamName: options.teamNames?.get(action.teamId),
    heard: action.heard,
    planned: action.planned,
    done: action.status === 'done',
    doneOn: action.status === 'done' && action.doneOn ? formatDay(action.doneOn, locale) : null,
    lang: action.locale,
    dir: RTL.has(action.locale) ? 'rtl' : 'ltr',
    untranslatedNote: action.translated
      ? undefined
      : i18n.t(locale, 'you_said.untranslated', {
          language: languageName(action.locale, locale),
        }),
  }));
}
