/**
 * @module search-text
 * E6 case-insensitive search for Cyrillic and Latin: one fold, applied in JavaScript both to the
 * stored search column (`products.search_text`, `counterparties.search_text`, `orders.search_text`,
 * computed on every write) and to the query, so that the database only compares plain strings.
 *
 * Why a column folded in JavaScript instead of SQL `lower()`: SQLite's `lower()` and `LIKE` fold
 * ASCII letters only («МАСЛО» stays upper case), and PostgreSQL's `lower()`/`ILIKE` depend on the
 * database's LC_CTYPE (a database created with `C` folds ASCII only). `String.prototype.toLowerCase`
 * folds every script the same way on both engines. See docs/api.md, "Search".
 */

/** Text made only of ASCII and Cyrillic letters is already in NFKC: the (costly) normalization is skipped. */
// eslint-disable-next-line no-control-regex -- the ASCII range includes control characters
const NEEDS_NFKC = /[^\u0000-\u007f\u0400-\u04ff]/;
const NEEDS_SPACING = /\s\s|[^\S ]|^\s|\s$/;

/**
 * The search form of a text: Unicode NFKC (full-width and compatibility forms become plain
 * letters and digits, a no-break space a space), lower case over all scripts, «ё» folded into «е»
 * (Russian text is typed either way), runs of whitespace collapsed to one space. Runs for every
 * product the nomenclature sync writes, so the common case (ASCII and Cyrillic) takes a fast path.
 */
export function foldForSearch(text: string | null | undefined): string {
  if (!text) return '';
  let s = NEEDS_NFKC.test(text) ? text.normalize('NFKC') : text;
  s = s.toLowerCase();
  if (s.includes('ё')) s = s.replaceAll('ё', 'е');
  return NEEDS_SPACING.test(s) ? s.replace(/\s+/gu, ' ').trim() : s;
}

/**
 * The stored search column of a row: its searchable fields folded and joined by one space, most
 * telling first; a field already contained in the text so far is not repeated (an auto-parts name
 * usually holds the brand and article, and Code is `BRAND ARTICLE`), which keeps the column, and the
 * nomenclature writer's rows, short. Every field stays findable as a substring.
 */
export function searchTextOf(...parts: ReadonlyArray<string | null | undefined>): string {
  let text = '';
  for (const part of parts) {
    const folded = foldForSearch(part);
    if (folded !== '' && !text.includes(folded)) text = text === '' ? folded : `${text} ${folded}`;
  }
  return text;
}

/** The escape character of `containsPattern` (`LIKE … ESCAPE '\'` on both engines). */
export const LIKE_ESCAPE = '\\';

/**
 * A `LIKE` pattern matching texts that contain the folded query; `%`, `_` and `\` typed by a user
 * are escaped, so they match themselves. Null when the query folds to nothing (no filter).
 */
export function containsPattern(query: string | null | undefined): string | null {
  const folded = foldForSearch(query);
  if (folded === '') return null;
  return `%${folded.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}
