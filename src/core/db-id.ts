/**
 * @module db-id
 * Database ids are positive 32-bit integers (PostgreSQL `integer`, SQLite rowids of the same range).
 * A larger number names nothing: inputs are checked against this before they reach a query, so
 * PostgreSQL never sees an out-of-range parameter (which it would refuse with an error, not "no row").
 */
export const DB_ID_MAX = 2_147_483_647;

export function isDbId(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= DB_ID_MAX;
}
