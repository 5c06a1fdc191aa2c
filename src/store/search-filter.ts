/**
 * @module search-filter
 * E6 the one SQL shape of a text search: `<search column> LIKE '%<folded query>%' ESCAPE '\'`,
 * the same on SQLite and PostgreSQL. The column holds `searchTextOf(...)` of the row and the query
 * is folded the same way (src/domain/search-text.ts), so case and «ё» never matter and `%`/`_`
 * typed by a user match themselves.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { containsPattern, LIKE_ESCAPE } from '../domain/search-text.js';

/** The condition "`column` (a search_text column, e.g. `p.searchText`) contains `query`"; null for a blank query. */
export function searchTextContains(column: string, query: string | null | undefined): RawBuilder<SqlBool> | null {
  const pattern = containsPattern(query);
  if (pattern === null) return null;
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape ${sql.lit(LIKE_ESCAPE)}`;
}
