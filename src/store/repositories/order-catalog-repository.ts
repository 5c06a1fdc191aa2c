/**
 * @module order-catalog-repository
 * What the order export reads of the catalog (C1, C2, C4): candidate cards of order lines from the
 * synced product directory and from the current generation of price lists, the cards of lines
 * already linked, products found or created in MoySklad (insert only), and the price lists bound
 * to a MoySklad store (refreshed right after an export moved its reserves).
 */
import type { Clock } from '../../core/clock.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import type { CardCandidate } from '../../domain/product-match.js';
import { chunk, nowIso } from '../database.js';
import type { Db } from '../db.js';
import { searchTextOf } from '../../domain/search-text.js';

/** A card of a price list's current generation (the row the customer ordered from). */
export interface PriceListCard extends CardCandidate {
  priceListId: number;
}

/** A product found or created in MoySklad while resolving order lines. */
export interface RememberedProduct {
  msId: string;
  brand: string;
  article: string;
  code: string | null;
  name: string;
  description?: string | null;
}

export interface BoundPriceList {
  id: number;
  integrationId: number;
}

const CHUNK = 500;

const card = (r: { msId: string; brand: string; article: string; name: string; kind: 'product' | 'variant'; archived: number; syncState: string }): CardCandidate => ({
  msId: r.msId,
  brand: r.brand,
  article: r.article,
  name: r.name,
  kind: r.kind,
  archived: r.archived === 1,
  clean: r.syncState === 'ok',
});

export class OrderCatalogRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Cards of the account's directory (not deleted) with one of the normalized articles, oldest first. */
  cardsByArticles(msAccountId: number, articleNorms: readonly string[]): Promise<CardCandidate[]> {
    return this.#cards(msAccountId, 'articleNorm', articleNorms);
  }

  /** Directory cards (not deleted) whose `column` is one of `values`, oldest first. */
  async #cards(msAccountId: number, column: 'articleNorm' | 'msId', values: readonly string[]): Promise<CardCandidate[]> {
    const out: CardCandidate[] = [];
    for (const part of chunk([...new Set(values)], CHUNK)) {
      const rows = await this.db
        .selectFrom('products')
        .select(['msId', 'brand', 'article', 'name', 'kind', 'archived', 'syncState'])
        .where('msAccountId', '=', msAccountId)
        .where(column, 'in', part)
        .where('deleted', '=', 0)
        .orderBy('id')
        .execute();
      for (const r of rows) out.push(card(r));
    }
    return out;
  }

  /**
   * Rows of the price lists' current generations with one of the normalized articles, as cards of
   * their products (kind from the directory; rows whose product is deleted are left out).
   */
  async priceListCards(msAccountId: number, priceListIds: readonly number[], articleNorms: readonly string[]): Promise<PriceListCard[]> {
    if (priceListIds.length === 0) return [];
    const out: PriceListCard[] = [];
    for (const part of chunk([...new Set(articleNorms)], CHUNK)) {
      const rows = await this.db
        .selectFrom('priceListRows as r')
        .innerJoin('priceLists as pl', (j) => j.onRef('pl.id', '=', 'r.priceListId').onRef('pl.generation', '=', 'r.generation'))
        .innerJoin('products as p', (j) => j.onRef('p.msId', '=', 'r.msProductId').on('p.msAccountId', '=', msAccountId))
        .select(['r.priceListId', 'r.msProductId as msId', 'r.brand', 'r.article', 'r.name', 'p.kind', 'p.archived', 'p.syncState'])
        .where('r.priceListId', 'in', [...new Set(priceListIds)])
        .where('r.articleNorm', 'in', part)
        .where('p.deleted', '=', 0)
        .orderBy('r.id')
        .execute();
      for (const r of rows) out.push({ ...card(r), priceListId: Number(r.priceListId) });
    }
    return out;
  }

  /** The directory's cards (not deleted) of the given MoySklad ids. */
  async cardsByMsIds(msAccountId: number, msIds: readonly string[]): Promise<Map<string, CardCandidate>> {
    return new Map((await this.#cards(msAccountId, 'msId', msIds)).map((c) => [c.msId, c]));
  }

  /** Adds products to the directory without touching rows the nomenclature sync owns (insert only). */
  async remember(msAccountId: number, products: readonly RememberedProduct[]): Promise<void> {
    const now = nowIso(this.clock);
    for (const pr of products) {
      await this.db
        .insertInto('products')
        .values({
          msAccountId,
          msId: pr.msId,
          brand: pr.brand,
          brandNorm: normalizeBrand(pr.brand),
          article: pr.article,
          articleNorm: normalizeArticle(pr.article),
          code: pr.code,
          name: pr.name,
          description: pr.description ?? null,
          categoryId: null,
          msFolderId: null,
          msUpdated: null,
          skipReason: null,
          searchText: searchTextOf(pr.name, pr.code, pr.brand, pr.article),
          createdAt: now,
          updatedAt: now,
        })
        .onConflict((oc) => oc.columns(['msAccountId', 'msId']).doNothing())
        .execute();
    }
  }

  /**
   * A row of the price list's current generation with goods available, of a card of the given
   * kind (the demo orders a variant when the list has one), the oldest first.
   */
  async firstAvailableRow(priceListId: number, kind: 'product' | 'variant'): Promise<{ brand: string; article: string; name: string; quantity: number; price: number } | null> {
    const row = await this.db
      .selectFrom('priceListRows as r')
      .innerJoin('priceLists as pl', (j) => j.onRef('pl.id', '=', 'r.priceListId').onRef('pl.generation', '=', 'r.generation'))
      .innerJoin('products as p', 'p.id', 'r.productId')
      .select(['r.brand', 'r.article', 'r.name', 'r.quantity', 'r.price'])
      .where('r.priceListId', '=', priceListId)
      .where('r.quantity', '>=', 1)
      // C3: a row published without a price (price list option) has no price to order at.
      .where('r.price', 'is not', null)
      .where('p.kind', '=', kind)
      .orderBy('r.id')
      .limit(1)
      .executeTakeFirst();
    return row && row.price !== null ? { brand: row.brand, article: row.article, name: row.name, quantity: Number(row.quantity), price: Number(row.price) } : null;
  }

  /** The MoySklad store each of the price lists is bound to (unbound lists are left out). */
  async storesOfPriceLists(priceListIds: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const part of chunk([...new Set(priceListIds)], CHUNK)) {
      const rows = await this.db.selectFrom('priceLists').select(['id', 'msStoreId']).where('id', 'in', part).execute();
      for (const r of rows) if (r.msStoreId) out.set(Number(r.id), r.msStoreId);
    }
    return out;
  }

  /** Price lists bound to a MoySklad store of the account (through their region's integration). */
  async priceListsBoundToStore(msAccountId: number, msStoreId: string): Promise<BoundPriceList[]> {
    const rows = await this.db
      .selectFrom('priceLists as pl')
      .innerJoin('integrations as i', 'i.regionId', 'pl.regionId')
      .select(['pl.id', 'i.id as integrationId'])
      .where('i.msAccountId', '=', msAccountId)
      .where('pl.msStoreId', '=', msStoreId)
      .orderBy('pl.id')
      .execute();
    return rows.map((r) => ({ id: Number(r.id), integrationId: Number(r.integrationId) }));
  }
}
