/**
 * @module photo-repository
 * R1/R18: the rows of product images and of content-addressed files (`blobs`), for the photo sync
 * and the blob store.
 */
import type { Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { chunk, nowIso } from '../database.js';
import { withTransaction, type Db } from '../db.js';
import type { ProductImagesTable } from '../schema.js';

export type ProductImageRow = Selectable<ProductImagesTable>;

/** A product whose images are due (its MoySklad `updated` differs from the one its images were synced at). */
export interface PhotoPendingProduct {
  id: number;
  msId: string;
  msUpdated: string | null;
  msImageCount: number | null;
}

export type ProductImageValues = Omit<ProductImageRow, 'id' | 'productId'>;

export class PhotoRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  #pending(msAccountId: number) {
    return this.db
      .selectFrom('products')
      .where('msAccountId', '=', msAccountId)
      .where('deleted', '=', 0)
      .where('syncState', '=', 'ok')
      .where('msUpdated', 'is not', null)
      .where((eb) => eb.or([eb('photosMsUpdated', 'is', null), eb('photosMsUpdated', '!=', eb.ref('msUpdated'))]));
  }

  /** How many products of the account have images due. */
  async pendingCount(msAccountId: number): Promise<number> {
    return Number((await this.#pending(msAccountId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }

  /** The next products with images due, by id after `afterId`. */
  pendingBatch(msAccountId: number, afterId: number, limit: number): Promise<PhotoPendingProduct[]> {
    return this.#pending(msAccountId).select(['id', 'msId', 'msUpdated', 'msImageCount']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }

  /** The stored images of these products, by product and position. */
  storedImages(productIds: readonly number[]): Promise<ProductImageRow[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('productImages').selectAll().where('productId', 'in', [...productIds]).orderBy('productId').orderBy('position').execute();
  }

  /** Products that have no images in MoySklad and none stored: synced as they are. */
  async markSyncedWithoutImages(productIds: readonly number[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.db.updateTable('products').set((eb) => ({ photosMsUpdated: eb.ref('msUpdated') })).where('id', 'in', [...productIds]).execute();
  }

  /** Replaces a product's image rows and records the MoySklad `updated` they were synced at, in one transaction. */
  async replaceImages(productId: number, images: readonly ProductImageValues[], photosMsUpdated: string | null): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      await tx.deleteFrom('productImages').where('productId', '=', productId).execute();
      if (images.length > 0) await tx.insertInto('productImages').values(images.map((f) => ({ productId, ...f }))).execute();
      await tx.updateTable('products').set({ photosMsUpdated }).where('id', '=', productId).execute();
    });
  }

  /** Image rows of the account's products deleted in MoySklad. */
  orphanedImages(msAccountId: number): Promise<Array<Pick<ProductImageRow, 'id' | 'blobHash' | 'thumbBlobHash'>>> {
    return this.db
      .selectFrom('productImages')
      .innerJoin('products', 'products.id', 'productImages.productId')
      .select(['productImages.id', 'productImages.blobHash', 'productImages.thumbBlobHash'])
      .where('products.msAccountId', '=', msAccountId)
      .where('products.deleted', '=', 1)
      .execute();
  }

  async deleteImages(ids: readonly number[]): Promise<void> {
    for (const part of chunk([...ids], 1000)) await this.db.deleteFrom('productImages').where('id', 'in', part).execute();
  }

  /** R1: the thumbnail blob stored for an image blob (the miniature MoySklad rendered), if any. */
  async thumbnailOf(blobHash: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('productImages')
      .select('thumbBlobHash')
      .where('blobHash', '=', blobHash)
      .where('thumbBlobHash', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row?.thumbBlobHash ?? null;
  }

  // ---------------------------------------------------------------- blobs

  async blobPath(hash: string): Promise<string | null> {
    return (await this.db.selectFrom('blobs').select('path').where('hash', '=', hash).executeTakeFirst())?.path ?? null;
  }

  async blob(hash: string): Promise<{ path: string; mime: string | null; size: number } | null> {
    return (await this.db.selectFrom('blobs').select(['path', 'mime', 'size']).where('hash', '=', hash).executeTakeFirst()) ?? null;
  }

  /** Records a stored file (once per content: a concurrent insert of the same hash is a no-op). */
  async insertBlob(blob: { hash: string; size: number; mime: string; path: string }): Promise<void> {
    await this.db
      .insertInto('blobs')
      .values({ ...blob, createdAt: nowIso(this.clock) })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
  }

  /** Whether any product image (or its thumbnail) uses the file. */
  async blobInUse(hash: string): Promise<boolean> {
    const used = await this.db
      .selectFrom('productImages')
      .select('id')
      .where((eb) => eb.or([eb('blobHash', '=', hash), eb('thumbBlobHash', '=', hash)]))
      .limit(1)
      .executeTakeFirst();
    return used !== undefined;
  }

  async deleteBlob(hash: string): Promise<void> {
    await this.db.deleteFrom('blobs').where('hash', '=', hash).execute();
  }
}
