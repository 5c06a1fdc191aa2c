/**
 * @module dialect-of
 * Which engine a Kysely instance talks to (migrations and a few queries differ by dialect).
 */
import { PostgresAdapter } from 'kysely';
import type { Kysely } from 'kysely';
import type { DialectName } from './database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works for any schema
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
