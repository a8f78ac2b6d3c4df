import { fold, foldWithMap } from './comment-fold';

/** The longest search a page or the API accepts, in characters. */
export const SEARCH_MAX_LENGTH = 100;

/** How many matching comments a search lists (the count says how many matched in all). */
export const SEARCH_SHOWN = 100;

/** The query as comments are compared with it; empty when there is nothing to look for. */
export function searchKey(query: string | undefined | null): string {
  return query ? fold(query) : '';
}

/**
 * The comments that contain the query, in the order given: a substring of the folded text
 * (comment-fold.ts), so that case, accents, full- or half-width forms and Persian half-spaces do
 * not matter, and Japanese, written without spaces, is found inside its words. Only the words are
 * looked at: comments carry nothing else to filter on.
 */
export function searchComments(texts: string[], query: string): string[] {
  const key = searchKey(query);
  if (!key) return [];
  return texts.filter((text) => fold(text).includes(key));
}

/** A comment cut where the query matched, for <mark>: pieces of the text as written. */
export function highlight(text: string, query: string): { text: string; match: boolean }[] {
  const key = searchKey(query);
  if (!key) return [{ text, match: false }];
  const { folded, from, to } = foldWithMap(text);
  const pieces: { text: string; match: boolean }[] = [];
  let written = 0;
  for (let at = folded.indexOf(key); at >= 0; at = folded.indexOf(key, at + key.length)) {
    const start = from[at];
    const end = to[at + key.length - 1];
    if (start < written) continue;
    if (start > written) pieces.push({ text: text.slice(written, start), match: false });
    pieces.push({ text: text.slice(start, end), match: true });
    written = end;
  }
  if (written < text.length) pieces.push({ text: text.slice(written), match: false });
  return pieces;
}
