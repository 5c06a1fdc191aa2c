/**
 * @module 0012_price_without_value
 * C3: no 0 ₽. A product without a value for a price list's price type (MoySklad answers 0 for every
 * price type not set) is no longer published at price 0:
 * - `price_list_rows.price` becomes nullable: null = published without a price (the price list's
 *   option below), shown as an empty cell / JSON null, never `0.00`;
 * - `price_lists.publish_without_price` (flag, default 0 = such products are left out);
 * - `price_list_issues`: what a price list left out and why (reason `no-price`), one row per
 *   product and price list, replaced by every full stock run and kept up to date by incremental
 *   ones; shown in the data-quality report next to the nomenclature's `data_quality_issues`.
 * SQLite cannot drop NOT NULL: `price_list_rows` is rebuilt (ids kept, see `sqlite-rebuild.ts`).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';
import { rebuildSqliteTable } from './sqlite-rebuild.js';

const ROW_COLUMNS = ['id', 'price_list_id', 'generation', 'product_id', 'ms_product_id', 'brand', 'article', 'article_norm', 'name', 'quantity', 'price'] as const;

async function setPriceNullable(db: Kysely<any>, nullable: boolean): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql.raw(`alter table price_list_rows alter column price ${nullable ? 'drop' : 'set'} not null`).execute(db);
    return;
  }
  await rebuildSqliteTable(db, {
    table: 'price_list_rows',
    createNew: `create table "price_list_rows__new" (
      "id" integer primary key autoincrement,
      "price_list_id" integer not null references "price_lists" ("id") on delete cascade,
      "generation" integer not null,
      "product_id" integer references "products" ("id") on delete set null,
      "ms_product_id" text not null,
      "brand" text not null,
      "article" text not null,
      "article_norm" text not null,
      "name" text not null,
      "quantity" double precision not null,
      "price" bigint${nullable ? '' : ' not null'},
      constraint "price_list_rows_uq" unique ("price_list_id", "generation", "ms_product_id"))`,
    columns: ROW_COLUMNS,
    indexes: ['create index "price_list_rows_article_idx" on "price_list_rows" ("price_list_id", "generation", "article_norm")'],
  });
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema.alterTable('price_lists').addColumn('publish_without_price', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await setPriceNullable(db, true);
  await db.schema
    .createTable('price_list_issues')
    .addColumn('id', 'integer', (c) => (pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('price_list_id', 'integer', (c) => c.notNull().references('price_lists.id').onDelete('cascade'))
    .addColumn('product_id', 'integer', (c) => c.references('products.id').onDelete('cascade'))
    .addColumn('ms_product_id', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('price_list_issues_uq', ['price_list_id', 'ms_product_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('price_list_issues').execute();
  await sql`update price_list_rows set price = 0 where price is null`.execute(db);
  await setPriceNullable(db, false);
  await db.schema.alterTable('price_lists').dropColumn('publish_without_price').execute();
}
