/**
 * How comment search and comment themes compare text: two spellings that a reader takes for the
 * same word compare equal.
 * - width and compatibility forms (NFKC): `ＶＰＮ` is `vpn`, half-width `ｶﾀｶﾅ` is `カタカナ`;
 * - case: `Slow` is `slow`;
 * - Latin accents: `atención` is `atencion`, `año` is `ano` (only the combining marks of Latin
 *   letters go: Japanese voiced marks stay, so `が` is not `か`);
 * - Persian: the zero-width non-joiner (the half-space) and a plain space inside `می‌خواهم`,
 *   `نمی‌دانم`, `کتاب‌ها` are the same word, Arabic yeh and kaf are the Persian ones, short vowels
 *   and tatweel go, Persian and Arabic digits are digits;
 * - typographic apostrophes: `don’t` is `don't`.
 */

/** Combining marks that are dropped: Latin diacritics, Arabic short vowels, tatweel, invisible joiners and marks of direction. */
const DROPPED = /[\u0300-\u036f\u064b-\u065f\u0670\u0640\u200b-\u200f\u2060\ufeff]/g;

/** Arabic letter forms read as the Persian letter (with its hamza or madda dropped). */
const LETTERS: Record<string, string> = {
  ي: 'ی',
  ى: 'ی',
  ئ: 'ی',
  ك: 'ک',
  ة: 'ه',
  ە: 'ه',
  ۀ: 'ه',
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ؤ: 'و',
};
const LETTER_FORMS = /[يىئكةەۀأإآٱؤ]/g;

/** Latin letters with a diacritic, or combining marks: only then is decomposing worth it. */
const DECOMPOSABLE = /[\u00c0-\u024f\u1e00-\u1eff]|[\u0300-\u036f]/;

function digitOf(char: string): string {
  const code = char.charCodeAt(0);
  if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0);
  if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660);
  return char;
}

const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;

/** One piece of text folded alone (no context rules): see the file's comment. */
export function foldPiece(text: string): string {
  // Most comments are plain ASCII: nothing to normalise there but case, backticks and spaces.
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase().replace(/`/g, "'").replace(/\s+/g, ' ');
  let folded = text.normalize('NFKC').toLowerCase();
  if (DECOMPOSABLE.test(folded))
    folded = folded.normalize('NFD').replace(DROPPED, '').normalize('NFC');
  else folded = folded.replace(DROPPED, '');
  return folded
    .replace(LETTER_FORMS, (c) => LETTERS[c] ?? c)
    .replace(/[\u0660-\u0669\u06f0-\u06f9]/g, digitOf)
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ');
}

/** Persian verb prefixes written with a space, and plural suffixes written with one. */
const PREFIX_SPACE = /(^|[^\p{L}])(ن?می) (?=\p{L})/gu;
const SUFFIX_SPACE = /(\p{L}) (?=(?:ها|های|هایی|تر|ترین)(?:$|[^\p{L}]))/gu;

/** A whole text (a comment or a query) folded for comparison: see the file's comment. */
export function fold(text: string): string {
  const folded = foldPiece(text);
  if (PRINTABLE_ASCII.test(text)) return folded.trim();
  return folded.replace(PREFIX_SPACE, '$1$2').replace(SUFFIX_SPACE, '$1').trim();
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The folded text with, for each of its characters, the index in `text` where the grapheme it
 * came from starts and ends: what lets a match found in the folded text be marked in the text
 * as written. Context rules (the Persian spaces) are applied by dropping the space's piece.
 */
export function foldWithMap(text: string): { folded: string; from: number[]; to: number[] } {
  const pieces: { folded: string; start: number; end: number }[] = [];
  for (const { segment, index } of graphemes.segment(text)) {
    pieces.push({ folded: foldPiece(segment), start: index, end: index + segment.length });
  }
  // fold() only ever drops characters of the pieces (runs of white space, the spaces the Persian
  // rules join, the ends): walk the pieces and keep what it kept.
  const kept = fold(pieces.map((p) => p.folded).join(''));
  let folded = '';
  const from: number[] = [];
  const to: number[] = [];
  for (const piece of pieces) {
    for (const char of piece.folded) {
      if (kept.startsWith(char, folded.length)) {
        folded += char;
        for (let unit = 0; unit < char.length; unit++) {
          from.push(piece.start);
          to.push(piece.end);
        }
      }
    }
  }
  return { folded, from, to };
}
