/**
 * @module schema/price-lists
 * Price lists, their rows and the products they left out (C3).
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, KopecksColumn, Id, FlagWithDefault } from './columns.js';

export type StockType = 'stock' | 'freeStock' | 'quantity';

export interface PriceListsTable {
  id: Id;
  regionId: number;
  name: string;
  /** R11 bound MoySklad store; null = unbound. */
  msStoreId: string | null;
  stockType: ColumnType<StockType, StockType | undefined, StockType>;
  priceTypeMsId: string | null;
  /** R12 sync frequency; only set once bound. */
  syncIntervalMinutes: number | null;
  deliveryDays: number | null;
  lastSyncAt: IsoTime | null;
  stockCursor: string | null;
  /** The generation of `price_list_rows` readers see (atomic swap). */
  generation: ColumnType<number, number | undefined, number>;
  rowCount: ColumnType<number, number | undefined, number>;
  /**
   * Migration 0012 (C3): 1 = products without a value for the price type are published with an
   * empty price (`price_list_rows.price` null); 0 (default) = they are left out and listed in
   * `price_list_issues`.
   */
  publishWithoutPrice: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface PriceListRowsTable {
  id: Id;
  priceListId: number;
  generation: number;
  productId: number | null;
  msProductId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  quantity: number;
  /** Kopecks; null (migration 0012, C3) = no price for the list's price type, published empty. */
  price: KopecksColumn | null;
}

export type PriceListIssueReason = 'no-price';

/** Migration 0012 (C3): products a price list left out, with the reason (the data-quality report). */
export interface PriceListIssuesTable {
  id: Id;
  priceListId: number;
  productId: number | null;
  msProductId: string;
  brand: string;
  article: string;
  name: string;
  reason: PriceListIssueReason;
  detectedAt: IsoTime;
}
