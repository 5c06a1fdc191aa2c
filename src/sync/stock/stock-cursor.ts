/**
 * @module stock-cursor
 * B3 the stock cursor kept in `price_lists.stock_cursor`: when the last successful report was asked
 * and what the rows were built with; an incremental run goes on from it only while all of that
 * still holds (`incrementalBlocker`), otherwise the run is a full one.
 */
import type { PriceListRow, StockType } from '../../store/schema.js';
import type { StockScope } from './stock-scope.js';

/** How far each incremental window reaches back before the previous run's start. */
export const STOCK_OVERLAP_MS = 5 * 60_000;
/**
 * How far the local window of an incremental run reaches back before the newest product card the
 * previous run saw (`StockCursor.productsAt`): covers a product page stamped just before that card
 * but committed after the previous run read the products.
 */
export const STOCK_LOCAL_OVERLAP_MS = 2_000;
/** MoySklad refuses `changedSince` older than 24 h; keep a margin. */
export const STOCK_MAX_LOOKBACK_MS = 24 * 3600_000 - 10 * 60_000;

/** The cursor stored in `price_lists.stock_cursor`: when the last successful report was asked and for what. */
export interface StockCursor {
  /** ISO time taken just before the report request. */
  at: string;
  storeId: string;
  stockType: StockType;
  priceTypeId: string | null;
  /** C3: the price list's "publish without price" option the rows were built with (absent = off). */
  publishWithoutPrice?: boolean;
  /** C5: the integration's root folder the rows were built with (absent = none). */
  rootFolderMsId?: string;
  /** C5: the key of that root's subtree (`stockScopeOf`). */
  scopeKey?: string;
  /** The newest `products.updated_at` the run saw: the next run re-reads product cards written since. */
  productsAt?: string;
  /**
   * Digest (`digestOf`) of the cards the run saw with a stamp in [productsAt − STOCK_LOCAL_OVERLAP_MS,
   * productsAt]. If the next run finds the same cards there, none was written late into that
   * window and only cards stamped after `productsAt` are re-read; otherwise the whole window is.
   */
  productsDigest?: string;
}

export function parseStockCursor(text: string | null): StockCursor | null {
  if (!text) return null;
  try {
    const c = JSON.parse(text) as Partial<StockCursor>;
    if (typeof c.at !== 'string' || typeof c.storeId !== 'string' || typeof c.stockType !== 'string') return null;
    if (Number.isNaN(Date.parse(c.at))) return null;
    const productsAt = typeof c.productsAt === 'string' && !Number.isNaN(Date.parse(c.productsAt)) ? c.productsAt : undefined;
    const productsDigest = productsAt && typeof c.productsDigest === 'string' ? c.productsDigest : undefined;
    return {
      at: c.at,
      storeId: c.storeId,
      stockType: c.stockType,
      priceTypeId: c.priceTypeId ?? null,
      ...(c.publishWithoutPrice === true ? { publishWithoutPrice: true } : {}),
      ...(typeof c.rootFolderMsId === 'string' ? { rootFolderMsId: c.rootFolderMsId } : {}),
      ...(typeof c.scopeKey === 'string' ? { scopeKey: c.scopeKey } : {}),
      ...(productsAt ? { productsAt } : {}),
      ...(productsDigest ? { productsDigest } : {}),
    };
  } catch {
    return null;
  }
}

/** Why an incremental run must be a full one, or null when the cursor allows an increment. */
export function incrementalBlocker(pl: PriceListRow, cursor: StockCursor | null, nowMs: number, scope: StockScope = { rootFolderMsId: null, key: null }): string | null {
  if (!cursor) return 'no previous full sync';
  if (cursor.storeId !== pl.msStoreId) return 'the bound store changed';
  if (cursor.stockType !== pl.stockType) return 'the stock type changed';
  if (cursor.priceTypeId !== (pl.priceTypeMsId ?? null)) return 'the price type changed';
  if ((cursor.publishWithoutPrice === true) !== (pl.publishWithoutPrice === 1)) return 'the option for products without a price changed';
  if ((cursor.rootFolderMsId ?? null) !== scope.rootFolderMsId) return "the integration's root folder changed";
  if ((cursor.scopeKey ?? null) !== scope.key) return "folders moved in or out of the integration's root folder";
  if (nowMs - Date.parse(cursor.at) > STOCK_MAX_LOOKBACK_MS) return 'the last sync is older than 24 hours';
  return null;
}

/** Where the window of product cards that may have been written late starts, for a run that saw `productsAt`. */
export const localWindowFrom = (productsAt: string): string => new Date(Date.parse(productsAt) - STOCK_LOCAL_OVERLAP_MS).toISOString();
