/**
 * @module 0001_initial
 * The store-side model (docs/storage.md). Column types are chosen so that both engines give
 * the same JS values: text timestamps, integer flags, text JSON, bigint kopecks, double quantities.
 * Column names are written in snake_case (what is in the database); the app uses camelCase.
 */
import { sql } from 'kysely';
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

type Table = CreateTableBuilder<any, any>;

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const id = (t: Table): Table =>
    t.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) =>
      pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement(),
    );
  const stamps = (t: Table): Table =>
    t.addColumn('created_at', 'text', (c) => c.notNull()).addColumn('updated_at', 'text', (c) => c.notNull());
  const flag = (t: Table, name: string, def: 0 | 1 = 0): Table =>
    t.addColumn(name, 'integer', (c) => c.notNull().defaultTo(def));
  const money = 'bigint';
  const real = 'double precision';

  await id(db.schema.createTable('regions'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .$call((t) => flag(t, 'is_central'))
    .$call(stamps)
    .execute();

  await id(db.schema.createTable('ms_accounts'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('auth_kind', 'text', (c) => c.notNull().check(sqlIn('auth_kind', ['password', 'user_token', 'solution_token'])))
    .addColumn('login', 'text')
    .addColumn('credential_key', 'text', (c) => c.notNull())
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('moysklad_account_id', 'text')
    .$call(stamps)
    .addUniqueConstraint('ms_accounts_credential_uq', ['base_url', 'auth_kind', 'credential_key'])
    .execute();

  await id(db.schema.createTable('categories'))
    .addColumn('parent_id', 'integer', (c) => c.references('categories.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ms_account_id', 'integer', (c) => c.references('ms_accounts.id').onDelete('cascade'))
    .addColumn('ms_folder_id', 'text')
    .$call((t) => flag(t, 'archived'))
    .$call(stamps)
    .addUniqueConstraint('categories_folder_uq', ['ms_account_id', 'ms_folder_id'])
    .execute();
  await db.schema.createIndex('categories_parent_idx').on('categories').column('parent_id').execute();

  await id(db.schema.createTable('integrations'))
    .addColumn('region_id', 'integer', (c) => c.notNull().unique().references('regions.id').onDelete('cascade'))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id'))
    .addColumn('organization_ms_id', 'text')
    .addColumn('organization_name', 'text')
    .$call((t) => flag(t, 'active'))
    .$call((t) => flag(t, 'export_purchase_orders'))
    .$call((t) => flag(t, 'delete_rejected_positions'))
    .$call((t) => flag(t, 'import_photos'))
    .addColumn('root_folder_ms_id', 'text')
    .addColumn('site_category_id', 'integer', (c) => c.references('categories.id').onDelete('set null'))
    .$call((t) => flag(t, 'category_sync_enabled'))
    .$call((t) => flag(t, 'balance_sync_enabled'))
    .addColumn('default_store_ms_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sqlIn('status', ['draft', 'ok', 'error'])))
    .addColumn('status_code', 'text')
    .addColumn('status_message', 'text')
    .$call(stamps)
    .execute();

  await id(db.schema.createTable('price_lists'))
    .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ms_store_id', 'text')
    .addColumn('stock_type', 'text', (c) =>
      c.notNull().defaultTo('quantity').check(sqlIn('stock_type', ['stock', 'freeStock', 'quantity'])),
    )
    .addColumn('price_type_ms_id', 'text')
    .addColumn('sync_interval_minutes', 'integer')
    .addColumn('delivery_days', 'integer')
    .addColumn('last_sync_at', 'text')
    .addColumn('stock_cursor', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('row_count', 'integer', (c) => c.notNull().defaultTo(0))
    .$call(stamps)
    .execute();
  await db.schema.createIndex('price_lists_region_idx').on('price_lists').column('region_id').execute();

  await id(db.schema.createTable('products'))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id').onDelete('cascade'))
    .addColumn('ms_id', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('brand_norm', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('article_norm', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('category_id', 'integer', (c) => c.references('categories.id').onDelete('set null'))
    .addColumn('ms_folder_id', 'text')
    .$call((t) => flag(t, 'archived'))
    .$call((t) => flag(t, 'deleted'))
    .addColumn('ms_updated', 'text')
    .addColumn('sync_state', 'text', (c) => c.notNull().defaultTo('ok').check(sqlIn('sync_state', ['ok', 'skipped'])))
    .addColumn('skip_reason', 'text')
    .$call(stamps)
    .addUniqueConstraint('products_ms_uq', ['ms_account_id', 'ms_id'])
    .execute();
  await db.schema
    .createIndex('products_brand_article_idx')
    .on('products')
    .columns(['ms_account_id', 'brand_norm', 'article_norm'])
    .execute();
  await db.schema.createIndex('products_article_idx').on('products').columns(['ms_account_id', 'article_norm']).execute();
  await db.schema.createIndex('products_updated_idx').on('products').columns(['ms_account_id', 'ms_updated']).execute();

  await db.schema
    .createTable('blobs')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('mime', 'text')
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await id(db.schema.createTable('product_images'))
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ms_image_id', 'text')
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('size', 'integer')
    .addColumn('ms_updated', 'text')
    .addColumn('blob_hash', 'text', (c) => c.references('blobs.hash'))
    .addUniqueConstraint('product_images_pos_uq', ['product_id', 'position'])
    .execute();

  await id(db.schema.createTable('price_list_rows'))
    .addColumn('price_list_id', 'integer', (c) => c.notNull().references('price_lists.id').onDelete('cascade'))
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'integer', (c) => c.references('products.id').onDelete('set null'))
    .addColumn('ms_product_id', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('article_norm', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('quantity', real, (c) => c.notNull())
    .addColumn('price', money, (c) => c.notNull())
    .addUniqueConstraint('price_list_rows_uq', ['price_list_id', 'generation', 'ms_product_id'])
    .execute();
  await db.schema
    .createIndex('price_list_rows_article_idx')
    .on('price_list_rows')
    .columns(['price_list_id', 'generation', 'article_norm'])
    .execute();

  await id(db.schema.createTable('data_quality_issues'))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id').onDelete('cascade'))
    .addColumn('ms_product_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('article', 'text')
    .addColumn('name', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('run_id', 'integer')
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('data_quality_issues_uq', ['ms_account_id', 'ms_product_id'])
    .execute();

  await id(db.schema.createTable('counterparties'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['client', 'supplier'])))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('region_id', 'integer', (c) => c.references('regions.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company_type', 'text', (c) =>
      c.notNull().defaultTo('legal').check(sqlIn('company_type', ['legal', 'entrepreneur', 'individual'])),
    )
    .addColumn('inn', 'text')
    .addColumn('inn_norm', 'text')
    .addColumn('email', 'text')
    .addColumn('email_norm', 'text')
    .addColumn('phone', 'text')
    .addColumn('phone_norm', 'text')
    .$call(stamps)
    .addUniqueConstraint('counterparties_external_uq', ['kind', 'external_id'])
    .execute();
  await db.schema.createIndex('counterparties_inn_idx').on('counterparties').column('inn_norm').execute();
  await db.schema.createIndex('counterparties_email_idx').on('counterparties').column('email_norm').execute();
  await db.schema.createIndex('counterparties_phone_idx').on('counterparties').column('phone_norm').execute();

  await id(db.schema.createTable('counterparty_links'))
    .addColumn('counterparty_id', 'integer', (c) => c.notNull().references('counterparties.id').onDelete('cascade'))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id').onDelete('cascade'))
    .addColumn('ms_counterparty_id', 'text', (c) => c.notNull())
    .addColumn('matched_by', 'text', (c) =>
      c.notNull().check(sqlIn('matched_by', ['id', 'inn', 'email', 'phone', 'created'])),
    )
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('counterparty_links_uq', ['counterparty_id', 'ms_account_id'])
    .execute();
  await db.schema
    .createIndex('counterparty_links_ms_idx')
    .on('counterparty_links')
    .columns(['ms_account_id', 'ms_counterparty_id'])
    .execute();

  await id(db.schema.createTable('counterparty_match_issues'))
    .addColumn('counterparty_id', 'integer', (c) => c.notNull().references('counterparties.id').onDelete('cascade'))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('candidates', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();

  await id(db.schema.createTable('orders'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['customer', 'supplier'])))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id'))
    .addColumn('counterparty_id', 'integer', (c) => c.notNull().references('counterparties.id'))
    .addColumn('price_list_id', 'integer', (c) => c.references('price_lists.id').onDelete('set null'))
    .addColumn('status', 'text')
    .addColumn('comment', 'text')
    .addColumn('ms_account_id', 'integer', (c) => c.references('ms_accounts.id'))
    .addColumn('ms_order_id', 'text')
    .addColumn('sync_id', 'text', (c) => c.notNull().unique())
    .addColumn('export_state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sqlIn('export_state', ['pending', 'sent', 'failed'])),
    )
    .addColumn('export_error', 'text')
    .addColumn('exported_at', 'text')
    .$call(stamps)
    .addUniqueConstraint('orders_external_uq', ['kind', 'external_id'])
    .execute();
  await db.schema.createIndex('orders_counterparty_idx').on('orders').column('counterparty_id').execute();

  await id(db.schema.createTable('order_positions'))
    .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('article_norm', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('quantity', real, (c) => c.notNull())
    .addColumn('price', money, (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('active').check(sqlIn('status', ['active', 'rejected', 'withdrawn'])),
    )
    .addColumn('price_list_id', 'integer', (c) => c.references('price_lists.id').onDelete('set null'))
    .addColumn('ms_product_id', 'text')
    .addColumn('ms_position_id', 'text')
    .addColumn('sync_state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sqlIn('sync_state', ['pending', 'synced', 'deleted', 'failed'])),
    )
    .$call(stamps)
    .addUniqueConstraint('order_positions_external_uq', ['order_id', 'external_id'])
    .execute();

  await id(db.schema.createTable('outbox'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'integer', (c) => c.references('integrations.id').onDelete('cascade'))
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sqlIn('state', ['pending', 'running', 'sent', 'failed'])),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .$call(stamps)
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_aggregate_idx').on('outbox').columns(['aggregate_type', 'aggregate_id']).execute();

  await id(db.schema.createTable('balance_records'))
    .addColumn('counterparty_id', 'integer', (c) => c.notNull().references('counterparties.id').onDelete('cascade'))
    .addColumn('amount', money, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('balance_records_cp_idx').on('balance_records').column('counterparty_id').execute();

  await id(db.schema.createTable('ms_balances'))
    .addColumn('counterparty_id', 'integer', (c) => c.notNull().references('counterparties.id').onDelete('cascade'))
    .addColumn('ms_account_id', 'integer', (c) => c.notNull().references('ms_accounts.id').onDelete('cascade'))
    .addColumn('balance', money)
    .addColumn('read_at', 'text')
    .addColumn('last_activity_at', 'text')
    .addColumn('last_error', 'text')
    .addUniqueConstraint('ms_balances_uq', ['counterparty_id', 'ms_account_id'])
    .execute();

  await id(db.schema.createTable('sync_runs'))
    .addColumn('integration_id', 'integer', (c) => c.references('integrations.id').onDelete('cascade'))
    .addColumn('price_list_id', 'integer', (c) => c.references('price_lists.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) =>
      c.notNull().check(sqlIn('trigger', ['schedule', 'manual', 'api', 'cli', 'webhook'])),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sqlIn('status', ['running', 'ok', 'partial', 'failed'])))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .execute();
  await db.schema.createIndex('sync_runs_integration_idx').on('sync_runs').columns(['integration_id', 'started_at']).execute();
  await db.schema.createIndex('sync_runs_price_list_idx').on('sync_runs').columns(['price_list_id', 'started_at']).execute();

  await id(db.schema.createTable('sync_checkpoints'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sync_checkpoints_uq', ['scope', 'kind'])
    .execute();

  await id(db.schema.createTable('log_entries'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sqlIn('level', ['debug', 'info', 'warn', 'error'])))
    .addColumn('integration_id', 'integer')
    .addColumn('price_list_id', 'integer')
    .addColumn('run_id', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('log_entries_at_idx').on('log_entries').column('at').execute();
  await db.schema.createIndex('log_entries_integration_idx').on('log_entries').columns(['integration_id', 'at']).execute();
  await db.schema.createIndex('log_entries_price_list_idx').on('log_entries').columns(['price_list_id', 'at']).execute();

  await id(db.schema.createTable('api_tokens'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await id(db.schema.createTable('admin_users'))
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .$call(stamps)
    .execute();

  await id(db.schema.createTable('admin_sessions'))
    .addColumn('id_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('admin_users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await id(db.schema.createTable('webhook_receipts'))
    .addColumn('request_id', 'text', (c) => c.notNull().unique())
    .addColumn('ms_account_id', 'integer')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
}

const TABLES_IN_DROP_ORDER = [
  'webhook_receipts',
  'settings',
  'admin_sessions',
  'admin_users',
  'api_tokens',
  'log_entries',
  'sync_checkpoints',
  'sync_runs',
  'ms_balances',
  'balance_records',
  'outbox',
  'order_positions',
  'orders',
  'counterparty_match_issues',
  'counterparty_links',
  'counterparties',
  'data_quality_issues',
  'price_list_rows',
  'product_images',
  'blobs',
  'products',
  'price_lists',
  'integrations',
  'categories',
  'ms_accounts',
  'regions',
];

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TABLES_IN_DROP_ORDER) await db.schema.dropTable(t).execute();
}

/** A CHECK (column IN (...)) expression over string literals. */
function sqlIn(column: string, values: readonly string[]) {
  return sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`;
}
