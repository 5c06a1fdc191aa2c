/**
 * Migration 0005 (owned by src/sync/nomenclature and src/sync/photos): bookkeeping columns the
 * nomenclature and photo syncs need on existing tables.
 * - `products.ms_seen_at`: the start (ISO) of the last COMPLETE-pass candidate that saw the product
 *   in MoySklad; a full pass marks rows it did not see as deleted (never a partial pass).
 * - `products.ms_image_count`: `images.meta.size` from the product list, so the photo pass skips
 *   products without images without asking MoySklad.
 * - `products.photos_ms_updated`: the MoySklad `updated` (ISO) at which the product's images were
 *   last synced; images are listed again only when `ms_updated` differs (R18).
 * - `product_images.thumb_blob_hash`: the MoySklad miniature of the image (served as thumbnail).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').addColumn('ms_seen_at', 'text').execute();
  await db.schema.alterTable('products').addColumn('ms_image_count', 'integer').execute();
  await db.schema.alterTable('products').addColumn('photos_ms_updated', 'text').execute();
  await db.schema.alterTable('product_images').addColumn('thumb_blob_hash', 'text').execute();
  await db.schema.createIndex('product_images_blob_idx').on('product_images').column('blob_hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('product_images_blob_idx').execute();
  await db.schema.alterTable('product_images').dropColumn('thumb_blob_hash').execute();
  await db.schema.alterTable('products').dropColumn('photos_ms_updated').execute();
  await db.schema.alterTable('products').dropColumn('ms_image_count').execute();
  await db.schema.alterTable('products').dropColumn('ms_seen_at').execute();
}
