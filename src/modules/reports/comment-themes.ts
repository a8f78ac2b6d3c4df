import { fold } from './comment-fold';
import { STOP_WORDS } from './comment-stop-words';

/**
 * Themes of a period's comments: the words and two-word phrases that recur, per language, each
 * with the number of distinct comments it occurs in. A pure function of the texts; the reports
 * query layer (comment-report.service.ts) gives it the comments of a period only when that
 * period's comments are shown, and shows a theme only from `themeThreshold` comments up.
 *
 * - Language of a comment: Japanese when it holds kana or kanji, Persian when it holds Arabic
 *   script, else Spanish or English by its marks (ñ, ¿, accents), its common words and, for
 *   the other words, their shapes (Spanish -o, -a, -ción; English w, k, th, -ing).
 * - Words: Japanese is cut with `Intl.Segmenter('ja', { granularity: 'word' })`, a one-kanji
 *   suffix joined to the word before it (担当 + 者); other languages at spaces and punctuation.
 *   Persian verb prefixes and plural suffixes written apart (`می خواهم`, `کتاب ها`) are joined to
 *   their word. Stop words (comment-stop-words.ts), numbers and one-letter words are no theme.
 * - Counting: words compare folded (comment-fold.ts), so `atención` and `atencion`, `Slow` and
 *   `slow`, `می‌خواهم` and `میخواهم` are one theme, shown in its most frequent spelling.
 * - Phrases: two theme words next to each other in a comment, with no stop word or punctuation
 *   between them (`slow process`, `proceso lento`, `パスワードリセット`). A word that only occurs
 *   inside a shown phrase (same count) is left out as saying nothing more.
 */

export const THEME_LANGUAGES = ['en', 'es', 'fa', 'ja'] as const;
export type CommentLanguage = (typeof THEME_LANGUAGES)[number];

export interface Theme {
  /** As most comments write it; what a click on the theme searches for. */
  text: string;
  kind: 'word' | 'phrase';
  /** How many distinct comments hold it (never below the threshold). */
  comments: number;
}

export interface LanguageThemes {
  language: CommentLanguage;
  themes: Theme[];
}

/** Themes listed per language, most frequent first. */
export const THEMES_SHOWN = 12;

/**
 * The fewest distinct comments a theme must occur in to be shown: the comment threshold (never
 * below k, so every count shown covers at least k comments), never below 3, and at least 2% of
 * the period's comments, so that a theme recurs in a large period too.
 */
export function themeThreshold(commentThreshold: number, comments: number): number {
  return Math.max(3, commentThreshold, Math.ceil(comments / 50));
}

const STOP = Object.fromEntries(
  THEME_LANGUAGES.map((l) => [l, new Set(STOP_WORDS[l].split(/\s+/).filter(Boolean).map(fold))]),
) as Record<CommentLanguage, Set<string>>;

const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
const ARABIC = /\p{Script=Arabic}/u;
const SPANISH_MARKS = /[ñ¿¡áéíóúü]/i;
const SPANISH_SHAPE = /(?:[ao]s?|cion(?:es)?|mente)$/;
const ENGLISH_SHAPE = /[wky]|th|sh|(?:ing|ed)$/;

/** The language a comment is written in (see the file's comment). */
export function languageOf(text: string): CommentLanguage {
  if (JAPANESE.test(text)) return 'ja';
  if (ARABIC.test(text)) return 'fa';
  let es = SPANISH_MARKS.test(text) ? 2 : 0;
  let en = 0;
  for (const written of text.toLowerCase().match(/[\p{L}\p{M}'’]+/gu) ?? []) {
    const word = /^[a-z']+$/.test(written) ? written : fold(written);
    const inEs = STOP.es.has(word);
    const inEn = STOP.en.has(word);
    if (inEs && !inEn) es++;
    if (inEn && !inEs) en++;
    // Short comments hold few common words: word shapes decide then.
    if (!inEs && !inEn) {
      if (SPANISH_SHAPE.test(word)) es += 0.5;
      if (ENGLISH_SHAPE.test(word)) en += 0.5;
    }
  }
  return es > en ? 'es' : 'en';
}

/** A word of a comment: how it compares, and how it was written. */
interface Word {
  key: string;
  text: string;
}

/** Words of a comment as runs: words of one run stand next to each other (phrases come from them). */
type Runs = Word[][];

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’\u200c-][\p{L}\p{M}\p{N}]+)*/gu;
const PERSIAN_PREFIXES = new Set(['می', 'نمی']);
const PERSIAN_SUFFIXES = new Set(['ها', 'های', 'هایی', 'تر', 'ترین']);
const HIRAGANA_ONLY = /^\p{Script=Hiragana}+$/u;
const NUMBER = /^[\p{N}.,]+$/u;
const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

class Folder {
  private readonly cache = new Map<string, string>();
  key(text: string): string {
    let key = this.cache.get(text);
    if (key === undefined) this.cache.set(text, (key = fold(text)));
    return key;
  }
}

/** Whether a word can be a theme (or part of one) in `language`. */
function isThemeWord(key: string, language: CommentLanguage): boolean {
  if (key.length < 2 || NUMBER.test(key) || STOP[language].has(key)) return false;
  if (language === 'ja' && HIRAGANA_ONLY.test(key) && key.length <= 2) return false;
  return true;
}

/** Words of a comment in a language written with spaces, split into runs at punctuation. */
function spacedRuns(text: string, language: CommentLanguage, folder: Folder): Runs {
  const found: { text: string; gapBefore: string }[] = [];
  const written = text.normalize('NFKC');
  let end = 0;
  for (const match of written.matchAll(WORD)) {
    const index = match.index ?? 0;
    found.push({ text: match[0].toLowerCase(), gapBefore: written.slice(end, index) });
    end = index + match[0].length;
  }
  // Persian: a verb prefix or a plural suffix written with a space belongs to its word.
  const words: { text: string; gapBefore: string }[] = [];
  for (let i = 0; i < found.length; i++) {
    const word = found[i];
    const next = found[i + 1];
    const joinsNext = next && /^\s+$/.test(next.gapBefore);
    if (language === 'fa' && joinsNext && PERSIAN_PREFIXES.has(folder.key(word.text))) {
      found[i + 1] = { text: `${word.text}\u200c${next.text}`, gapBefore: word.gapBefore };
      continue;
    }
    const previous = words[words.length - 1];
    if (
      language === 'fa' &&
      previous &&
      /^\s+$/.test(word.gapBefore) &&
      PERSIAN_SUFFIXES.has(folder.key(word.text))
    ) {
      previous.text = `${previous.text}\u200c${word.text}`;
      continue;
    }
    words.push({ ...word });
  }
  const runs: Runs = [[]];
  for (const word of words) {
    const key = folder.key(word.text);
    if (!/^\s*$/.test(word.gapBefore)) runs.push([]);
    if (isThemeWord(key, language)) runs[runs.length - 1].push({ key, text: word.text });
    else runs.push([]);
  }
  return runs;
}

/** Words of a Japanese comment (Intl.Segmenter), split into runs at particles and punctuation. */
function japaneseRuns(text: string, folder: Folder): Runs {
  const runs: Runs = [[]];
  let previousWasWord = false;
  for (const { segment, isWordLike } of segmenter.segment(text.normalize('NFKC'))) {
    const run = runs[runs.length - 1];
    const key = folder.key(segment);
    // A one-kanji suffix (者, 的, 性) belongs to the word before it.
    if (isWordLike && key.length === 1 && /\p{Script=Han}/u.test(key)) {
      const last = run[run.length - 1];
      if (previousWasWord && last) {
        run[run.length - 1] = { key: last.key + key, text: last.text + segment.toLowerCase() };
        continue;
      }
    }
    previousWasWord = Boolean(isWordLike) && isThemeWord(key, 'ja');
    if (previousWasWord) run.push({ key, text: segment.toLowerCase() });
    else runs.push([]);
  }
  return runs;
}

function runsOf(text: string, language: CommentLanguage, folder: Folder): Runs {
  return language === 'ja' ? japaneseRuns(text, folder) : spacedRuns(text, language, folder);
}

/**
 * Per language, per theme key (a phrase's key holds a space, a word's none): the comments holding
 * it and its spelling — with the count of each spelling once a second one shows up.
 */
type Tally = Map<
  string,
  { comments: number; spelling: string; spellings: Map<string, number> | null }
>;

function count(tally: Tally, key: string, spelling: string) {
  const entry = tally.get(key);
  if (!entry) {
    tally.set(key, { comments: 1, spelling, spellings: null });
    return;
  }
  entry.comments += 1;
  if (!entry.spellings && spelling === entry.spelling) return;
  entry.spellings ??= new Map([[entry.spelling, entry.comments - 1]]);
  entry.spellings.set(spelling, (entry.spellings.get(spelling) ?? 0) + 1);
}

/** The most frequent spelling; the first in code-point order among equals (stable output). */
function spellingOf(entry: { spelling: string; spellings: Map<string, number> | null }): string {
  if (!entry.spellings) return entry.spelling;
  return [...entry.spellings].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}

/** The themes of one comment, each once (key → the spelling it used first). */
function themesOfOne(
  text: string,
  folder: Folder,
): { language: CommentLanguage; seen: Map<string, string> } {
  const language = languageOf(text);
  const seen = new Map<string, string>();
  const joiner = language === 'ja' ? '' : ' ';
  for (const run of runsOf(text, language, folder)) {
    for (let i = 0; i < run.length; i++) {
      const word = run[i];
      if (!seen.has(word.key)) seen.set(word.key, word.text);
      const next = run[i + 1];
      const phrase = next && `${word.key} ${next.key}`;
      if (phrase && !seen.has(phrase)) seen.set(phrase, `${word.text}${joiner}${next.text}`);
    }
  }
  return { language, seen };
}

/**
 * The themes of `texts` that occur in at least `threshold` distinct comments, per language (only
 * languages with one), at most THEMES_SHOWN each, most frequent first.
 */
export function commentThemes(texts: string[], threshold: number): LanguageThemes[] {
  const folder = new Folder();
  const tallies = new Map<CommentLanguage, Tally>();
  // The same text (a short "Thanks!") is read once.
  const read = new Map<string, ReturnType<typeof themesOfOne>>();
  for (const text of texts) {
    let found = read.get(text);
    if (!found) read.set(text, (found = themesOfOne(text, folder)));
    let tally = tallies.get(found.language);
    if (!tally) tallies.set(found.language, (tally = new Map()));
    for (const [key, spelling] of found.seen) count(tally, key, spelling);
  }
  const out: LanguageThemes[] = [];
  for (const language of THEME_LANGUAGES) {
    const tally = tallies.get(language);
    if (!tally) continue;
    const kindOf = (key: string): Theme['kind'] => (key.includes(' ') ? 'phrase' : 'word');
    const frequent = [...tally].filter(([, entry]) => entry.comments >= threshold);
    const phrases = frequent.filter(([key]) => kindOf(key) === 'phrase');
    const themes = frequent
      // A word that only occurs inside a shown phrase says nothing more than the phrase.
      .filter(
        ([key, entry]) =>
          kindOf(key) === 'phrase' ||
          !phrases.some(
            ([phrase, p]) => p.comments === entry.comments && phrase.split(' ').includes(key),
          ),
      )
      .map(([key, entry]) => ({
        key,
        text: spellingOf(entry),
        kind: kindOf(key),
        comments: entry.comments,
      }))
      .sort(
        (a, b) =>
          b.comments - a.comments ||
          (a.kind === b.kind ? 0 : a.kind === 'phrase' ? -1 : 1) ||
          (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      )
      .slice(0, THEMES_SHOWN)
      .map(({ text, kind, comments }) => ({ text, kind, comments }));
    if (themes.length > 0) out.push({ language, themes });
  }
  return out;
}
