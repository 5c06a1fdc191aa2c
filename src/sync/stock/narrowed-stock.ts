/**
 * @module narrowed-stock
 * C10 a store too large for one current-stock report. MoySklad refuses to build
 * `report/stock/bystore/current` past a server-side size with 13005 («Превышен допустимый объем …
 * Попробуйте сократить количество элементов использовав фильтры», md/_errors.md). The current
 * report accepts only two filters, `storeId` and `assortmentId` (md/reports/_report_stock.md
 * «Доступные фильтры отчёта Текущие Остатки»; no folder filter), and the stock sync already asks
 * per store; so the store's items are asked in chunks of assortment ids (the synced nomenclature),
 * at most `NARROW_CHUNK` per request (the URL stays short), and a chunk that is still refused is
 * halved until it passes.
 */
import type { MoySkladClient, StockCurrentQuery } from '../../moysklad/client.js';
import { MoySkladError } from '../../moysklad/errors.js';
import type { StockCurrentRow } from '../../moysklad/schemas/stock.js';

/** Assortment ids per narrowed request (36-character ids: about 3.7 KB of URL). */
export const NARROW_CHUNK = 100;

export const isReportTooLarge = (e: unknown): boolean => e instanceof MoySkladError && e.msCode === 13005;

export interface NarrowedStock {
  rows: StockCurrentRow[];
  /** Requests made. */
  requests: number;
}

/** C10 reads the store's current stock for `assortmentIds` in chunks, halving a chunk MoySklad still finds too large. */
export async function readStockNarrowed(
  client: MoySkladClient,
  query: StockCurrentQuery & { storeId: string },
  assortmentIds: readonly string[],
  signal?: AbortSignal,
): Promise<NarrowedStock> {
  const rows: StockCurrentRow[] = [];
  let requests = 0;
  const pending: Array<readonly string[]> = [];
  for (let i = 0; i < assortmentIds.length; i += NARROW_CHUNK) pending.push(assortmentIds.slice(i, i + NARROW_CHUNK));
  while (pending.length > 0) {
    const chunk = pending.shift()!;
    requests += 1;
    try {
      rows.push(...(await client.stockByStoreCurrent({ ...query, assortmentIds: chunk }, signal)));
    } catch (e) {
      if (!isReportTooLarge(e) || chunk.length === 1) throw e;
      const half = Math.ceil(chunk.length / 2);
      pending.unshift(chunk.slice(0, half), chunk.slice(half));
    }
  }
  return { rows, requests };
}
