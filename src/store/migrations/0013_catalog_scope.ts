/**
 * @module 0013_catalog_scope
 * C2, C5, C8: what the catalog needs to be right per integration.
 * - `ms_folders`: the MoySklad folder tree of each account (id, parent, name, `path` of ids
 *   `/root/…/self/`), refreshed by the nomenclature pass when an integration of the account has a
 *   root folder, and by every category run. An integration's goods are the products whose folder
 *   path contains its root (C5), computed when read, so two integrations on one account with
 *   different roots each see their own subtree and a changed root applies at once.
 * - `categories.integration_id`: folder categories belong to ONE integration (C8): each has its own
 *   tree under its own site category, keyed `(integration_id, ms_folder_id)` (the old key
 *   `(ms_account_id, ms_folder_id)` made two integrations on one account fight over one tree).
 *   Existing folder categories go to the lowest-id integration of their account; the others build
 *   their own tree on their next category run. SQLite cannot drop the old unique constraint: the
 *   table is rebuilt (ids kept).
 * - `products.category_id` is no longer written: a product's category depends on the integration
 *   (its folder's category in that integration's tree) and is derived when read; it is cleared here.
 * - `products.key_from_parent` (C2): 1 = a variant catalogued with its parent product's brand and
 *   article (it has no own Code/Article); such variants never count as duplicates of their family.
 *   `products_parent_idx` finds the variants of a product (partial: variants only).
 * - `products_dup_losers_idx` (C9): the cards kept out as duplicates (partial: only those rows), so
 *   every pass can hand a part over to one of them cheaply when its kept card goes.
 * - `data_quality_issues.ms_folder_id`: the item's folder, so the report of an integration leaves
 *   out items outside its root folder (C5).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';
import { rebuildSqliteTable, type SqliteRebuild } from './sqlite-rebuild.js';

const CATEGORY_COLUMNS = ['id', 'parent_id', 'name', 'ms_account_id', 'ms_folder_id', 'archived', 'created_at', 'updated_at'] as const;

/** SQLite: `categories` with `integration_id` (up) or with the old unique key instead (down). */
function categoriesRebuild(perIntegration: boolean): SqliteRebuild {
  const last = perIntegration
    ? '"integration_id" integer references "integrations" ("id") on delete cascade'
    : 'constraint "categories_folder_uq" unique ("ms_account_id", "ms_folder_id")';
  return {
    table: 'categories',
    createNew: `create table "categories__new" (
      "id" integer primary key autoincrement,
      "parent_id" integer references "categories" ("id") on delete set null,
      "name" text not null,
      "ms_account_id" integer references "ms_accounts" ("id") on delete cascade,
      "ms_folder_id" text,
      "archived" integer default 0 not null,
      "created_at" text not null,
      "updated_at" text not null,
      ${last})`,
    columns: CATEGORY_COLUMNS,
    indexes: ['create index "categories_parent_idx" on "categories" ("parent_id")'],
  };
}

async function categoriesPerIntegration(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table categories add column integration_id integer references integrations (id) on delete cascade`.execute(db);
    await sql`alter table categories drop constraint categories_folder_uq`.execute(db);
  } else {
    await rebuildSqliteTable(db, categoriesRebuild(true));
  }
  await sql`update categories set integration_id = (select min(i.id) from integrations i where i.ms_account_id = categories.ms_account_id)
    where ms_folder_id is not null and ms_account_id is not null`.execute(db);
  await sql`create unique index categories_integration_folder_uq on categories (integration_id, ms_folder_id)`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('ms_folders')
    .addColumn('id', 'integer', (c) => (pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id').onDelete('cascade'))
    .addColumn('ms_id', 'text', (c) => c.notNull())
    .addColumn('parent_ms_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('ms_folders_uq', ['ms_account_id', 'ms_id'])
    .execute();
  await categoriesPerIntegration(db);
  await sql`update products set category_id = null where category_id is not null`.execute(db);
  await db.schema.alterTable('products').addColumn('key_from_parent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`create index products_parent_idx on products (ms_account_id, parent_ms_id) where parent_ms_id is not null`.execute(db);
  await sql`create index products_dup_losers_idx on products (ms_account_id, brand_norm, article_norm) where skip_reason = 'duplicate-brand-article'`.execute(db);
  await db.schema.alterTable('data_quality_issues').addColumn('ms_folder_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('data_quality_issues').dropColumn('ms_folder_id').execute();
  await sql`drop index products_dup_losers_idx`.execute(db);
  await sql`drop index products_parent_idx`.execute(db);
  await db.schema.alterTable('products').dropColumn('key_from_parent').execute();
  await sql`drop index categories_integration_folder_uq`.execute(db);
  await sql`delete from categories where integration_id is not null and id not in (select min(id) from categories where ms_folder_id is not null group by ms_account_id, ms_folder_id)`.execute(db);
  if (dialectOf(db) === 'postgres') {
    await sql`alter table categories drop column integration_id`.execute(db);
    await sql`alter table categories add constraint categories_folder_uq unique (ms_account_id, ms_folder_id)`.execute(db);
  } else {
    await rebuildSqliteTable(db, categoriesRebuild(false));
  }
  await db.schema.dropTable('ms_folders').execute();
}
