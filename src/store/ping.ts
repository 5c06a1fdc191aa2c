/**
 * @module ping
 * Proves that the database answers (`select 1`); nothing is read or written.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
