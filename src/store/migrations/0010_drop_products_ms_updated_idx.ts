/**
 * @module 0010_drop_products_ms_updated_idx
 * Owned by src/sync/nomenclature. `products_updated_idx` on (ms_account_id, ms_updated) was made by
 * 0001 and no query uses it (the incremental stock window reads `updated_at`, migration 0008; the
 * photo pass compares `ms_updated` with `photos_ms_updated` row by row). Every product write
 * maintained it: dropping it makes the nomenclature full pass's page upserts cheaper.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('products_updated_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('products_updated_idx').on('products').columns(['ms_account_id', 'ms_updated']).execute();
}
