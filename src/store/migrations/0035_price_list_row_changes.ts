/**
 * @module 0035_price_list_row_changes
 * E2 the change sequence of each price list's rows. `price_list_row_changes` holds ONE row per
 * (price list, MoySklad product): the row as last published and the sequence number of its latest
 * change within the list (`removed` = 1: the product left the list — a tombstone). Rows of a
 * generation swap are compared with it, so a swap yields only the rows that differ; an in-place
 * patch records the rows it touched when they differ. Written by `PriceListChangeRepository` in the
 * transaction of the flip or the patch, under the price list's row lock (and, on PostgreSQL, a
 * transaction-scoped advisory lock per list): writers of one list commit in the order of their
 * numbers. The current rows of every list are its first changes (a reader from 0 gets the list).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('price_list_row_changes')
    .addColumn('price_list_id', 'integer', (c) => c.notNull().references('price_lists.id').onDelete('cascade'))
    .addColumn('ms_product_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('product_id', 'integer')
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('quantity', pg ? 'double precision' : 'real', (c) => c.notNull())
    .addColumn('price', 'bigint')
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_list_row_changes_pk', ['price_list_id', 'ms_product_id'])
    .addUniqueConstraint('price_list_row_changes_seq_uq', ['price_list_id', 'seq'])
    .execute();
  await sql`insert into price_list_row_changes (price_list_id, ms_product_id, seq, removed, product_id, brand, article, name, quantity, price, changed_at)
    select r.price_list_id, r.ms_product_id, row_number() over (partition by r.price_list_id order by r.id), 0, r.product_id, r.brand, r.article, r.name, r.quantity, r.price, coalesce(l.last_sync_at, l.updated_at)
    from price_list_rows r join price_lists l on l.id = r.price_list_id and l.generation = r.generation`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('price_list_row_changes').execute();
}
