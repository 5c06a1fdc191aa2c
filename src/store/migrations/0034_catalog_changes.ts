/**
 * @module 0034_catalog_changes
 * E1 the catalog change sequence. `catalog_changes` holds ONE row per product: the sequence number
 * of its latest change (compacted: a product that changes again moves to a new, higher number, so
 * the log never holds more rows than the catalog and reading from 0 is a full snapshot).
 *
 * The numbers are written by triggers on `products`, so every writer (the nomenclature writer's
 * precompiled upsert, deletions, the duplicate handover, photos, order lines that create cards…)
 * records its change in the same transaction, and only when a column the platform sees changed
 * (`sale_prices`, `ms_seen_at`, `updated_at` alone do not count).
 *
 * Correct under concurrency: the next number is `max(seq) + 1`, drawn while holding a lock that
 * is kept until the writing transaction ends — SQLite has one writer at a time; on PostgreSQL a
 * statement-level trigger takes the transaction-scoped advisory lock `CATALOG_CHANGES_LOCK` before
 * the statement locks any product row (so no deadlock with row locks). Transactions that change
 * the catalog therefore commit in the order of their numbers, and a reader never sees a number
 * committed after a higher one it has already passed.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

/** The PostgreSQL advisory lock key of the catalog sequence ('E1'). */
export const CATALOG_CHANGES_LOCK = 0x4531;

/** The product columns a change of which the platform sees (the product JSON, its state and photos). */
export const WATCHED_PRODUCT_COLUMNS = [
  'ms_account_id',
  'ms_id',
  'brand',
  'article',
  'code',
  'name',
  'description',
  'kind',
  'parent_ms_id',
  'ms_folder_id',
  'archived',
  'deleted',
  'sync_state',
  'photos_ms_updated',
] as const;

const changedWhen = WATCHED_PRODUCT_COLUMNS.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
const NEXT = '(select coalesce(max(seq), 0) + 1 from catalog_changes)';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('catalog_changes')
    .addColumn('product_id', 'integer', (c) => c.primaryKey().references('products.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .execute();
  // Every product there is now, in id order: the first page of a reader starting at 0.
  await sql`insert into catalog_changes (product_id, seq) select id, row_number() over (order by id) from products`.execute(db);
  const cols = WATCHED_PRODUCT_COLUMNS.join(', ');
  if (pg) {
    await sql
      .raw(
        `create function catalog_changes_lock() returns trigger language plpgsql as $$
         begin perform pg_advisory_xact_lock(${CATALOG_CHANGES_LOCK}); return null; end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create function catalog_changes_record() returns trigger language plpgsql as $$
         begin
           perform pg_advisory_xact_lock(${CATALOG_CHANGES_LOCK});
           insert into catalog_changes (product_id, seq) values (new.id, ${NEXT})
             on conflict (product_id) do update set seq = excluded.seq;
           return null;
         end $$`,
      )
      .execute(db);
    await sql.raw(`create trigger catalog_changes_lock before insert or update of ${cols} on products for each statement execute function catalog_changes_lock()`).execute(db);
    await sql.raw(`create trigger catalog_changes_on_insert after insert on products for each row execute function catalog_changes_record()`).execute(db);
    await sql.raw(`create trigger catalog_changes_on_update after update of ${cols} on products for each row when (${changedWhen}) execute function catalog_changes_record()`).execute(db);
    return;
  }
  const record = `insert into catalog_changes (product_id, seq) values (new.id, ${NEXT}) on conflict (product_id) do update set seq = excluded.seq;`;
  await sql.raw(`create trigger catalog_changes_on_insert after insert on products begin ${record} end`).execute(db);
  await sql.raw(`create trigger catalog_changes_on_update after update of ${cols} on products when ${changedWhen} begin ${record} end`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await sql.raw('drop trigger if exists catalog_changes_on_update' + (pg ? ' on products' : '')).execute(db);
  await sql.raw('drop trigger if exists catalog_changes_on_insert' + (pg ? ' on products' : '')).execute(db);
  if (pg) {
    await sql.raw('drop trigger if exists catalog_changes_lock on products').execute(db);
    await sql.raw('drop function if exists catalog_changes_record()').execute(db);
    await sql.raw('drop function if exists catalog_changes_lock()').execute(db);
  }
  await db.schema.dropTable('catalog_changes').execute();
}
