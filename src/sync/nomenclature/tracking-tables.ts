/**
 * @module tracking-tables
 * Row types of the columns migration `0005_nomenclature_tracking` adds to `products` and
 * `product_images`. Use `trackingDb(db)` to query them with Kysely's types.
 */
import type { Kysely } from 'kysely';
import type { Database, IsoTime, ProductImagesTable, ProductsTable } from '../../store/schema.js';

export interface ProductTrackingColumns {
  /** Start of the full pass that last saw the product in MoySklad. */
  msSeenAt: IsoTime | null;
  /** `images.meta.size` of the product in MoySklad. */
  msImageCount: number | null;
  /** MoySklad `updated` (ISO) at which images were last synced. */
  photosMsUpdated: IsoTime | null;
}

export interface ProductImageTrackingColumns {
  /** SHA-256 of the MoySklad miniature (thumbnail), when one was downloaded. */
  thumbBlobHash: string | null;
}

export type TrackingDatabase = Omit<Database, 'products' | 'productImages'> & {
  products: ProductsTable & ProductTrackingColumns;
  productImages: ProductImagesTable & ProductImageTrackingColumns;
};

/** The same database handle, typed with the tracking columns. */
export function trackingDb(db: Kysely<Database>): Kysely<TrackingDatabase> {
  return db as unknown as Kysely<TrackingDatabase>;
}
