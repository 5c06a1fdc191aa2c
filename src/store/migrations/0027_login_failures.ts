/**
 * @module 0027_login_failures
 * S7 admin login throttling shared by every process: one row per failed login, recorded twice —
 * under the login (`scope = 'login'`, lower-cased) and under the client address (`scope = 'address'`).
 * A key is locked while it has too many rows inside the window; old rows are purged as new ones come.
 */
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('login_failures')
    .addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => (pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_key_idx').on('login_failures').columns(['scope', 'key', 'failed_at']).execute();
  await db.schema.createIndex('login_failures_time_idx').on('login_failures').column('failed_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').execute();
}
