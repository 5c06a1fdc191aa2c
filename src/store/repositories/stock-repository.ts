/**
 * @module stock-repository
 * What a stock sync reads (R4, R11, B3): the products of the synced nomenclature, each joined with
 * its row in the price list's current generation (one query per page), the current rows by
 * MoySklad product id, and the product cards' stamps of a time window. One statement per method;
 * the sync pages, maps and yields between them (`sync/stock/stock-rows.ts`).
 */
import type { Db } from '../db.js';
import type { PriceListRow } from '../schema.js';

/** The price list as the queries need it, with its integration's root folder (C5: null = all folders). */
export type StockListRef = Pick<PriceListRow, 'id' | 'generation'> & { rootFolderMsId?: string | null };

/** A product row as read: the card, its sale prices' JSON, its folder path (C5) and its current row's figures. */
export interface StockProductRecord {
  id: number | string;
  msId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  archived: number;
  deleted: number;
  syncState: string;
  salePrices: string | null;
  updatedAt: string;
  /** The path of the product's folder; read only when the list has a root folder. */
  folderPath?: string | null;
  oldQuantity: number | null;
  oldPrice: number | null;
  oldName: string | null;
  oldBrand: string | null;
  oldArticle: string | null;
}

/** A row of the current generation: its id and the figures a stock change can touch. */
export interface StockRowRecord {
  id: number;
  msProductId: string;
  quantity: number;
  price: number | null;
}

export class StockRepository {
  constructor(private readonly db: Db) {}

  #products(msAccountId: number, pl: StockListRef) {
    return (
      this.db
        .selectFrom('products as p')
        .leftJoin('priceListRows as r', (j) => j.onRef('r.msProductId', '=', 'p.msId').on('r.priceListId', '=', pl.id).on('r.generation', '=', pl.generation))
        // C5: the product's folder path, only when the integration has a root folder (an index probe per product).
        .$if(Boolean(pl.rootFolderMsId), (q) => q.leftJoin('msFolders as f', (j) => j.onRef('f.msAccountId', '=', 'p.msAccountId').onRef('f.msId', '=', 'p.msFolderId')).select('f.path as folderPath'))
        .select([
          'p.id',
          'p.msId',
          'p.brand',
          'p.article',
          'p.articleNorm',
          'p.name',
          'p.archived',
          'p.deleted',
          'p.syncState',
          'p.salePrices',
          'p.updatedAt',
          'r.quantity as oldQuantity',
          'r.price as oldPrice',
          'r.name as oldName',
          'r.brand as oldBrand',
          'r.article as oldArticle',
        ])
        .where('p.msAccountId', '=', msAccountId)
    );
  }

  /** One keyset page of the account's products (by id, after `afterId`). */
  async productPage(msAccountId: number, pl: StockListRef, afterId: number, limit: number): Promise<StockProductRecord[]> {
    return this.#products(msAccountId, pl).where('p.id', '>', afterId).orderBy('p.id').limit(limit).execute();
  }

  /** The products with these MoySklad ids (one statement: the caller chunks). */
  async productsByMsIds(msAccountId: number, pl: StockListRef, msIds: readonly string[]): Promise<StockProductRecord[]> {
    return this.#products(msAccountId, pl).where('p.msId', 'in', msIds).execute();
  }

  /**
   * One keyset page on (updated_at, id) of the products whose card was written since `sinceIso`
   * (`strictlyAfter`: after it), continuing after `after` (the previous page's last product).
   */
  async productsUpdatedPage(
    msAccountId: number,
    pl: StockListRef,
    since: { sinceIso: string; strictlyAfter: boolean; after: { at: string; id: number } | null },
    limit: number,
  ): Promise<StockProductRecord[]> {
    const a = since.after;
    return this.#products(msAccountId, pl)
      .where((eb) => (a ? eb.or([eb('p.updatedAt', '>', a.at), eb.and([eb('p.updatedAt', '=', a.at), eb('p.id', '>', a.id)])]) : eb('p.updatedAt', since.strictlyAfter ? '>' : '>=', since.sinceIso)))
      .orderBy('p.updatedAt')
      .orderBy('p.id')
      .limit(limit)
      .execute();
  }

  /** Rows of the current generation with these MoySklad product ids (one statement: the caller chunks). */
  async rowsByMsIds(pl: StockListRef, msIds: readonly string[]): Promise<StockRowRecord[]> {
    const rows = await this.db
      .selectFrom('priceListRows')
      .select(['id', 'msProductId', 'quantity', 'price'])
      .where('priceListId', '=', pl.id)
      .where('generation', '=', pl.generation)
      .where('msProductId', 'in', msIds)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), msProductId: r.msProductId, quantity: Number(r.quantity), price: r.price === null ? null : Number(r.price) }));
  }

  /** Rows of the price list's current generation. */
  async currentRowCount(pl: StockListRef): Promise<number> {
    const r = await this.db
      .selectFrom('priceListRows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('priceListId', '=', pl.id)
      .where('generation', '=', pl.generation)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The account's product cards with `fromIso <= updated_at <= toIso`: id and stamp only (an index-only read). */
  async cardsBetween(msAccountId: number, fromIso: string, toIso: string): Promise<Array<{ id: number; updatedAt: string }>> {
    const rows = await this.db.selectFrom('products').select(['id', 'updatedAt']).where('msAccountId', '=', msAccountId).where('updatedAt', '>=', fromIso).where('updatedAt', '<=', toIso).execute();
    return rows.map((r) => ({ id: Number(r.id), updatedAt: r.updatedAt }));
  }
}
