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
