/**
 * @module moysklad/endpoints/catalog
 * Organizations, stores, product folders, products, variants, the assortment, images and file downloads.
 */
import { formatMoscow } from '../../core/moscow-time.js';
import { MoySkladBadResponseError } from '../errors.js';
import { batchCreate, listAll, pages } from '../lists.js';
import { buildFilter, type Filter, type ListQuery } from '../query.js';
import { assortmentRowSchema, type MsAssortmentRow } from '../schemas/assortment.js';
import { imageSchema, type MsImage } from '../schemas/image.js';
import { organizationSchema, type MsOrganization } from '../schemas/organization.js';
import { productSchema, type MsProduct, type MsProductCreate } from '../schemas/product.js';
import { productFolderSchema, type MsProductFolder } from '../schemas/productfolder.js';
import { storeSchema, type MsStore } from '../schemas/store.js';
import { variantSchema, type MsVariant } from '../schemas/variant.js';
import { hasSyncId, type MoySkladTransport } from '../transport.js';
import type { BatchItemResult, BatchOptions } from '../types.js';

/** Options of a catalogue page walk. */
export interface DeltaOptions {
  updatedSince?: Date;
  filter?: Filter;
  order?: string;
  expand?: string;
  limit?: number;
  search?: string;
  signal?: AbortSignal;
}

/** `updatedSince` becomes `updated>=<Moscow time>` (second precision, rounded down); the order defaults to `id`. */
export function deltaQuery(options: Omit<DeltaOptions, 'signal'>): ListQuery {
  const conditions: string[] = [];
  if (options.updatedSince) conditions.push(`updated>=${formatMoscow(options.updatedSince, false)}`);
  if (options.filter) {
    const text = buildFilter(options.filter);
    if (text) conditions.push(text);
  }
  return {
    filter: conditions.length ? conditions.join(';') : undefined,
    order: options.order ?? 'id',
    expand: options.expand,
    limit: options.limit,
    search: options.search,
  };
}

export function organizations(t: MoySkladTransport, signal?: AbortSignal): Promise<MsOrganization[]> {
  return listAll(t, 'entity/organization', {}, organizationSchema, signal);
}

export function stores(t: MoySkladTransport, signal?: AbortSignal): Promise<MsStore[]> {
  return listAll(t, 'entity/store', {}, storeSchema, signal);
}

/** Every product folder; `includeArchived` adds `filter=archived=true;archived=false` (MoySklad hides archived ones otherwise). */
export function productFolders(t: MoySkladTransport, signal?: AbortSignal, options: { includeArchived?: boolean } = {}): Promise<MsProductFolder[]> {
  return listAll(t, 'entity/productfolder', options.includeArchived ? { filter: 'archived=true;archived=false' } : {}, productFolderSchema, signal);
}

export function productPages(t: MoySkladTransport, options: DeltaOptions = {}): AsyncGenerator<MsProduct[]> {
  return pages(t, 'entity/product', deltaQuery(options), productSchema, options.signal);
}

export function variantPages(t: MoySkladTransport, options: Omit<DeltaOptions, 'search'> = {}): AsyncGenerator<MsVariant[]> {
  return pages(t, 'entity/variant', deltaQuery(options), variantSchema, options.signal);
}

export function assortmentPages(t: MoySkladTransport, options: Omit<DeltaOptions, 'search' | 'expand'> = {}): AsyncGenerator<MsAssortmentRow[]> {
  return pages(t, 'entity/assortment', deltaQuery(options), assortmentRowSchema, options.signal);
}

export function getProduct(t: MoySkladTransport, id: string, signal?: AbortSignal): Promise<MsProduct> {
  return t.get(`entity/product/${encodeURIComponent(id)}`, productSchema, undefined, signal);
}

export function productImages(t: MoySkladTransport, productId: string, signal?: AbortSignal): Promise<MsImage[]> {
  return listAll(t, `entity/product/${encodeURIComponent(productId)}/images`, {}, imageSchema, signal);
}

export async function createProduct(t: MoySkladTransport, product: MsProductCreate, signal?: AbortSignal): Promise<MsProduct> {
  const body = await t.request('POST', 'entity/product', { body: product, signal, idempotent: hasSyncId(product) });
  return t.parse(productSchema, body, 'POST', 'entity/product');
}

export function createProducts(t: MoySkladTransport, products: readonly MsProductCreate[], options?: BatchOptions): Promise<Array<BatchItemResult<MsProduct>>> {
  return batchCreate(t, 'product', products, productSchema, options);
}

/**
 * Downloads a file by its `downloadHref` (which must be on the API host): asks the API with
 * Authorization and `redirect:'manual'`, then fetches the short-lived `Location` WITHOUT
 * Authorization (the file host needs none and must never see the credential).
 */
export async function downloadImage(t: MoySkladTransport, downloadHref: string, signal?: AbortSignal): Promise<Buffer> {
  const first = await t.send('GET', downloadHref, { signal, acceptRedirect: true, raw: true });
  if (first.status >= 200 && first.status < 300) return first.bytes;
  const location = first.headers.get('location');
  if (!location) {
    throw new MoySkladBadResponseError(`Download answered ${first.status} without a Location`, { status: first.status, method: 'GET', path: t.relPath(downloadHref) });
  }
  return t.fetchFile(new URL(location, t.absUrl(downloadHref)).toString(), signal);
}

/** A file-host URL is fetched directly (no Authorization, outside the limiter); one on the API host goes through `downloadImage`. */
export function downloadFile(t: MoySkladTransport, url: string, signal?: AbortSignal): Promise<Buffer> {
  const target = new URL(t.absUrl(url));
  if (target.origin === t.origin) return downloadImage(t, target.toString(), signal);
  return t.fetchFile(target.toString(), signal);
}
