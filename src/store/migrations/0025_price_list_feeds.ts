/**
 * @module 0025_price_list_feeds
 * E5 a price list's secret feed URL (`/feeds/{token}/price-list.csv|json`) for platforms that
 * import by URL and cannot send an Authorization header. One token per price list; only its
 * SHA-256 is stored (like API tokens); regenerating replaces the row, revoking deletes it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('price_list_feeds')
    .addColumn('price_list_id', 'integer', (c) => c.primaryKey().references('price_lists.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('price_list_feeds').execute();
}
