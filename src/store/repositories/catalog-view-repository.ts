/**
 * @module catalog-view-repository
 * The reads the admin panel's catalog pages show (Номенклатура, a price list's rows, the
 * data-quality report, the category and price-type choices): paged, searched (E6) lists, read-only.
 */
import { sql } from 'kysely';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import type { Db } from '../db.js';
import { searchTextContains } from '../search-filter.js';

export interface ProductListItem {
  id: number;
  msAccountId: number;
  msFolderId: string | null;
  brand: string;
  article: string;
  name: string;
  archived: boolean;
}

export interface PriceListRowItem {
  brand: string;
  article: string;
  name: string;
  quantity: number;
  price: number | null;
}

/** What a price list's rows can be filtered by (each optional). */
export interface PriceListRowsFilter {
  q?: string | undefined;
  brand?: string | undefined;
  article?: string | undefined;
}

export interface PriceListRowView extends PriceListRowItem {
  msProductId: string | null;
}

export class CatalogViewRepository {
  constructor(private readonly db: Db) {}

  /** E6: synced products by brand, article, code or name in any case (or the normalized article); brand, article order. */
  async productsPage(q: string, page: number, size: number): Promise<{ total: number; items: ProductListItem[] }> {
    let base = this.db.selectFrom('products as p').where('p.deleted', '=', 0).where('p.syncState', '=', 'ok');
    const text = searchTextContains('p.searchText', q);
    if (text) {
      const art = normalizeArticle(q);
      base = base.where((eb) => eb.or([text, ...(art ? [eb('p.articleNorm', 'like', `%${art}%`)] : [])]));
    }
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await base
      .select(['p.id', 'p.msAccountId', 'p.msFolderId', 'p.brand', 'p.article', 'p.name', 'p.archived'])
      .orderBy('p.brand')
      .orderBy('p.article')
      .orderBy('p.id')
      .limit(size)
      .offset((page - 1) * size)
      .execute();
    return {
      total: Number(total),
      items: rows.map((p) => ({ id: Number(p.id), msAccountId: Number(p.msAccountId), msFolderId: p.msFolderId, brand: p.brand, article: p.article, name: p.name, archived: Boolean(p.archived) })),
    };
  }

  /** The first stored photo (blob hash) of each product. */
  async thumbnails(productIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (productIds.length === 0) return out;
    const images = await this.db
      .selectFrom('productImages')
      .select(['productId', 'blobHash', 'position'])
      .where('productId', 'in', [...productIds])
      .where('blobHash', 'is not', null)
      .orderBy('position')
      .execute();
    for (const im of images) if (im.blobHash && !out.has(Number(im.productId))) out.set(Number(im.productId), im.blobHash);
    return out;
  }

  async categoryNames(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('categories').select(['id', 'name']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((c) => [Number(c.id), c.name]));
  }

  /** Categories a site category select offers (not archived, by name). */
  async categoryChoices(limit = 500): Promise<Array<{ id: number; name: string }>> {
    const rows = await this.db.selectFrom('categories').select(['id', 'name']).where('archived', '=', 0).orderBy('name').limit(limit).execute();
    return rows.map((c) => ({ id: Number(c.id), name: c.name }));
  }

  /** B5: the data-quality report, newest first. */
  async dataQualityIssues(limit = 500) {
    return this.db
      .selectFrom('dataQualityIssues')
      .select(['msProductId', 'msType', 'code', 'article', 'name', 'reason', 'message', 'detectedAt'])
      .orderBy('detectedAt', 'desc')
      .limit(limit)
      .execute();
  }

  /** C3: products price lists left out, with the list's name. */
  async priceListIssues(limit = 500) {
    return this.db
      .selectFrom('priceListIssues as i')
      .innerJoin('priceLists as pl', 'pl.id', 'i.priceListId')
      .select(['i.brand', 'i.article', 'i.name', 'i.reason', 'i.detectedAt', 'pl.id as priceListId', 'pl.name as priceList'])
      .orderBy('pl.id')
      .orderBy('i.id')
      .limit(limit)
      .execute();
  }

  /** The stored sale prices of some of an account's products (to learn its price types). */
  async salePriceSamples(msAccountId: number, limit = 200): Promise<string[]> {
    const rows = await this.db.selectFrom('products').select('salePrices').where('msAccountId', '=', msAccountId).where('salePrices', 'is not', null).limit(limit).execute();
    return rows.map((r) => r.salePrices).filter((s): s is string => s !== null);
  }

  /** E6: a price list's current rows, searched like the API (brand, article, code or name; or the normalized article). */
  async priceListRowsPage(priceListId: number, generation: number, q: string, page: number, size: number): Promise<{ total: number; rows: PriceListRowItem[] }> {
    const { total, rows } = await this.priceListRows(priceListId, generation, { q }, size, (page - 1) * size);
    return { total, rows: rows.map(({ msProductId: _ms, ...r }) => r) };
  }

  /**
   * R11/E6: rows of one generation of a price list, brand-then-article order: `brand` and `article`
   * match their normal forms; `q` is searched through the row's product (brand, article, code or
   * name, any case) or as a part of the normalized article.
   */
  async priceListRows(priceListId: number, generation: number, filter: PriceListRowsFilter, limit: number, offset: number): Promise<{ total: number; rows: PriceListRowView[] }> {
    let rowsQ = this.db.selectFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '=', generation);
    if (filter.brand) rowsQ = rowsQ.where(sql<string>`upper(brand)`, '=', normalizeBrand(filter.brand));
    if (filter.article) rowsQ = rowsQ.where('articleNorm', '=', normalizeArticle(filter.article));
    const text = searchTextContains('products.searchText', filter.q);
    if (text) {
      // The stock sync's writes stay as they are: rows are searched through their product's search column.
      const art = normalizeArticle(filter.q ?? '');
      rowsQ = rowsQ.where((eb) => eb.or([eb('priceListRows.productId', 'in', eb.selectFrom('products').select('products.id').where(text)), ...(art ? [eb('priceListRows.articleNorm', 'like', `%${art}%`)] : [])]));
    }
    const { total } = await rowsQ.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await rowsQ
      .select(['brand', 'article', 'name', 'quantity', 'price', 'msProductId'])
      .orderBy('brand')
      .orderBy('article')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    return { total: Number(total), rows: rows.map((r) => ({ ...r, price: r.price === null ? null : Number(r.price) })) };
  }
}
