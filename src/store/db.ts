/**
 * @module db
 * The handle repositories take: the app's Kysely instance or a transaction on it.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** `Kysely<Database>` or a `Transaction<Database>` (which extends it). */
export type Db = Kysely<Database>;

/** Parses JSON text stored by the repositories; null/empty → fallback. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/**
 * Runs `fn` in a transaction: a new one on the root instance, or the caller's own when `db` is
 * already a transaction (Kysely does not nest; the caller's commit or rollback then covers `fn`).
 */
export function withTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
