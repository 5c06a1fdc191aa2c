/**
 * @module photo-sync
 * R1/R18: product images MoySklad → the store (only when the integration's photos option is on).
 *
 * - Only products whose MoySklad `updated` differs from the one their images were last synced at
 *   are looked at (`products.photos_ms_updated`); a product the list showed with no images and no
 *   stored images needs no request at all.
 * - One request lists the images of up to 100 such products (`filter=id=…;…&expand=images`); an
 *   image is downloaded again only when its filename, size or `updated` changed (matched by image
 *   id). A new image costs ONE API request: the client's `downloadImage` of `meta.downloadHref`
 *   (with Authorization, through the limiter; the file host's redirect target gets none).
 * - Thumbnails: MoySklad renders a miniature of every image; `miniature.downloadHref` is a file-host
 *   URL, fetched with the client's `downloadFile` (no Authorization, no API request, not limited)
 *   and served as the thumbnail (no image library in the service).
 * - Up to 3 products are synced at once, so downloads run at the limiter's pace rather than at one
 *   download's latency at a time. A product that fails (gone, file host error) is counted, not thrown.
 * - Files are content-addressed (`BlobStore`): the same bytes are stored once. MoySklad's order is
 *   kept (`position`); images removed in MoySklad are removed here, and files no image uses any
 *   more are deleted.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { MoySkladError } from '../../moysklad/errors.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import type { MsImage } from '../../moysklad/schemas/image.js';
import { listOf } from '../../moysklad/schemas/list.js';
import { productSchema } from '../../moysklad/schemas/product.js';
import { chunk } from '../../store/database.js';
import { PhotoRepository, type ProductImageRow } from '../../store/repositories/photo-repository.js';
import type { Database } from '../../store/schema.js';
import { msTimeToIso } from '../nomenclature/product-mapper.js';
import type { SyncRun } from '../sync-run.js';
import type { SyncProgress } from '../sync-registry.js';
import type { BlobStore } from './blob-store.js';
import { logError, logMsg } from '../../domain/log-messages.js';

export { PHOTOS_KIND } from './kinds.js';

export interface PhotoSyncDeps {
  db: Kysely<Database>;
  clock: Clock;
  blobs: BlobStore;
}

export interface PhotoSyncTarget {
  msAccountId: number;
  client: MoySkladClient;
}

export interface PhotoSyncOptions {
  signal?: AbortSignal;
  progress?: (p: SyncProgress) => void | Promise<void>;
  /** Products read from the store per batch (default 1000). */
  batchSize?: number;
  /** Products whose images are downloaded at the same time (default 3). */
  concurrency?: number;
}

export interface PhotoSyncResult {
  products: number;
  listed: number;
  downloaded: number;
  unchanged: number;
  removed: number;
  failed: number;
}

/** Products whose images one request lists (MoySklad expands nested collections only up to limit 100). */
const LIST_BATCH = 100;
/**
 * Products synced at once. Each new image costs one API request (its 302) that waits for the
 * client's limiter; 3 in flight keep the limiter's budget busy while a download's latency, the file
 * host and the disk write run, and stay under the limiter's parallel cap (4) so a list request can
 * still pass.
 */
const DOWNLOAD_CONCURRENCY = 3;
const productListSchema = listOf(productSchema);

interface NewImage {
  position: number;
  msImageId: string;
  filename: string;
  size: number | null;
  msUpdated: string | null;
  blobHash: string;
  thumbBlobHash: string | null;
}

/** Per-product failures (the product vanished, a file host error) are counted, not thrown. */
function isItemFailure(e: unknown): boolean {
  return e instanceof MoySkladError && (e.msStatus === 404 || e.code === 'moysklad_not_found' || e.code === 'moysklad_request_failed' || e.code === 'moysklad_bad_response');
}

export async function runPhotoSync(deps: PhotoSyncDeps, target: PhotoSyncTarget, run: SyncRun, options: PhotoSyncOptions = {}): Promise<PhotoSyncResult> {
  const photos = new PhotoRepository(deps.db, deps.clock);
  const result: PhotoSyncResult = { products: 0, listed: 0, downloaded: 0, unchanged: 0, removed: 0, failed: 0 };
  const batchSize = options.batchSize ?? 1000;
  const concurrency = Math.max(1, options.concurrency ?? DOWNLOAD_CONCURRENCY);
  const unusedBlobs = new Set<string>();
  const total = await photos.pendingCount(target.msAccountId);
  type StoredImage = ProductImageRow;

  /** Downloads what changed of one product's images and replaces its stored rows; a per-item failure is counted. */
  const syncProduct = async (p: { id: number; msId: string; msUpdated: string | null }, stored: StoredImage[], listed: MsImage[] | undefined): Promise<void> => {
    result.products += 1;
    const fresh: NewImage[] = [];
    try {
      // Expanded rows carry every image; should MoySklad cut them short, the product's own list is read.
      const images = listed ?? (await target.client.productImages(p.msId, options.signal));
      result.listed += 1;
      for (const [position, img] of images.entries()) {
        const msImageId = idFromHref(img.meta.href);
        const msUpdated = msTimeToIso(img.updated);
        const size = img.size ?? null;
        const same = stored.find((s) => s.msImageId === msImageId && s.filename === img.filename && s.size === size && s.msUpdated === msUpdated && s.blobHash !== null);
        if (same?.blobHash) {
          fresh.push({ position, msImageId, filename: img.filename, size, msUpdated, blobHash: same.blobHash, thumbBlobHash: same.thumbBlobHash });
          result.unchanged += 1;
          continue;
        }
        // The one API request of a new image: `meta.downloadHref` (302 to the file host).
        const blob = await deps.blobs.put(await target.client.downloadImage(img.meta.downloadHref, options.signal), img.filename);
        fresh.push({ position, msImageId, filename: img.filename, size, msUpdated, blobHash: blob.hash, thumbBlobHash: await thumbnail(p.msId, img) });
        result.downloaded += 1;
      }
    } catch (e) {
      if (options.signal?.aborted || !isItemFailure(e)) throw e;
      result.failed += 1;
      await run.log('warn', `images of product ${p.msId} not synced: ${errorMessage(e)}`, { msProductId: p.msId }, logMsg('product_images_failed', { product: p.msId, error: logError(e) }));
      return;
    }
    const keep = new Set(fresh.flatMap((f) => [f.blobHash, f.thumbBlobHash]).filter((h): h is string => h !== null));
    for (const s of stored) {
      for (const h of [s.blobHash, s.thumbBlobHash]) if (h && !keep.has(h)) unusedBlobs.add(h);
    }
    const kept = new Set(fresh.map((f) => f.msImageId));
    result.removed += stored.filter((s) => s.msImageId === null || !kept.has(s.msImageId)).length;
    await photos.replaceImages(p.id, fresh, p.msUpdated);
  };

  /** The miniature MoySklad rendered, from its file-host URL (no API request); null when it has none or it failed. */
  const thumbnail = async (msProductId: string, img: MsImage): Promise<string | null> => {
    const mini = img.miniature?.downloadHref;
    if (!mini) return null;
    try {
      return (await deps.blobs.put(await target.client.downloadFile(mini, options.signal), img.filename)).hash;
    } catch (e) {
      if (options.signal?.aborted || !isItemFailure(e)) throw e;
      await run.log('warn', `thumbnail of image ${img.filename} of product ${msProductId} not downloaded: ${errorMessage(e)}`, undefined, logMsg('thumbnail_failed', { file: img.filename, product: msProductId, error: logError(e) }));
      return null;
    }
  };

  let afterId = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const batch = await photos.pendingBatch(target.msAccountId, afterId, batchSize);
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1]?.id ?? afterId;
    // Products the list showed without images and with none stored need no request: one statement.
    const storedRows = await photos.storedImages(batch.map((p) => p.id));
    const storedOf = new Map<number, StoredImage[]>();
    for (const r of storedRows) storedOf.set(r.productId, [...(storedOf.get(r.productId) ?? []), r]);
    const bare = batch.filter((p) => p.msImageCount === 0 && !storedOf.has(p.id)).map((p) => p.id);
    await photos.markSyncedWithoutImages(bare);
    result.products += bare.length;
    const bareSet = new Set(bare);
    // The images of up to 100 products per request: `filter=id=…;id=…&expand=images&limit=100`.
    const listedImages = new Map<string, MsImage[] | undefined>();
    for (const ids of chunk(batch.filter((p) => !bareSet.has(p.id)).map((p) => p.msId), LIST_BATCH)) {
      const page = await target.client.get('entity/product', productListSchema, { filter: ids.map((id) => `id=${id}`).join(';'), expand: 'images', limit: LIST_BATCH }, options.signal);
      for (const row of page.rows) listedImages.set(row.id, row.images?.rows && row.images.rows.length === (row.images.meta.size ?? row.images.rows.length) ? row.images.rows : undefined);
    }
    // Products are synced a few at a time: each download's API request still waits for the client's
    // limiter, so the pass runs at the rate-limit pace instead of one download's latency at a time.
    // A product the list did not return is gone from MoySklad: the next full pass marks it deleted.
    const todo = batch.filter((p) => !bareSet.has(p.id) && listedImages.has(p.msId));
    await forEachAtMost(todo, concurrency, (p) => syncProduct(p, storedOf.get(p.id) ?? [], listedImages.get(p.msId)));
    await options.progress?.({ done: result.products, total, message: `photos: ${result.products}/${total} products` });
  }
  // Images of products deleted in MoySklad go too.
  const orphaned = await photos.orphanedImages(target.msAccountId);
  if (orphaned.length > 0) {
    for (const o of orphaned) for (const h of [o.blobHash, o.thumbBlobHash]) if (h) unusedBlobs.add(h);
    await photos.deleteImages(orphaned.map((o) => o.id));
    result.removed += orphaned.length;
  }
  const collected = await deps.blobs.collect(unusedBlobs);
  for (const [k, v] of Object.entries(result)) if (v > 0) run.count(k, v);
  if (collected > 0) run.count('filesDeleted', collected);
  return result;
}

/** Runs `fn` over `items` with at most `n` at a time; after the first error no new item starts, and it is rethrown once the running ones end. */
async function forEachAtMost<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failure) throw failure.error;
}
