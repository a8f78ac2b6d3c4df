/**
 * Search over the teams' purposes ("laptop", "payslip"), in the reader's language. Pure: the
 * directory has loaded every team already (one query), so matching runs here on those rows and
 * no SQL is ever built from what a reader typed. Teams are few (tens, a few hundred at most).
 *
 * Matching is a substring match after folding both sides the same way: NFKC (full-width
 * "ＰＣ" is "PC", half-width katakana is katakana), lower case, Latin accents dropped ("nómina"
 * finds "nomina"), Arabic-script variants of Persian letters unified (ي/ی, ك/ک) and their short
 * vowel marks dropped. Substrings need no word boundaries, so Japanese (written without spaces)
 * matches as typed.
 */

/** The longest query accepted; a longer one is refused with 400. */
export const SEARCH_MAX_LENGTH = 100;

export function fold(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      // Latin accents: decompose, drop the combining marks U+0300–U+036F only (not the Japanese
      // voicing marks U+3099–U+309A, which would make が match か), recompose.
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .normalize('NFC')
      // Persian: Arabic yeh and kaf as Persian ones, short vowels and tatweel dropped.
      .replace(/\u064a/g, '\u06cc')
      .replace(/\u0643/g, '\u06a9')
      .replace(/[\u064b-\u0652\u0640]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export interface SearchableTeam {
  id: string;
  /** What it handles and does not, in the reader's language or the team's own (see purposeFor). */
  handles: string;
  excludes: string;
}

export interface SearchResult<T> {
  /** Teams whose purpose says they handle it. */
  handled: T[];
  /** Teams that say they do not handle it (with where to go instead, when another handles it). */
  notHandled: T[];
}

/** Teams whose `handles` contain the query, and those whose `excludes` do. */
export function searchTeams<T extends SearchableTeam>(teams: T[], query: string): SearchResult<T> {
  const needle = fold(query);
  if (needle === '') return { handled: [], notHandled: [] };
  const handled = teams.filter((t) => fold(t.handles).includes(needle));
  const notHandled = teams.filter((t) => !handled.includes(t) && fold(t.excludes).includes(needle));
  return { handled, notHandled };
}
