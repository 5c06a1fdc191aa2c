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

/**
 * The search form of a text: Unicode NFKC (full-width and compatibility forms become plain
 * letters and digits), lower case over all scripts, «ё» folded into «е» (Russian text is typed
 * either way), runs of whitespace collapsed to one space.
 */
export function foldForSearch(text: string | null | undefined): string {
  if (!text) return '';
  return text.normalize('NFKC').toLowerCase().replace(/ё/g, 'е').replace(/\s+/gu, ' ').trim();
}

/** The stored search column of a row: its searchable fields folded and joined by one space. */
export function searchTextOf(...parts: ReadonlyArray<string | null | undefined>): string {
  return parts
    .map((p) => foldForSearch(p))
    .filter((p) => p !== '')
    .join(' ');
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
