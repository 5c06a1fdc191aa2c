/**
 * @module moysklad/endpoints/stock
 * Stock reports: the unpaged current figures and the paged extended reports.
 */
import { formatMoscow } from '../../core/moscow-time.js';
import { MoySkladBadResponseError } from '../errors.js';
import { pages } from '../lists.js';
import type { ListQuery } from '../query.js';
import { stockAllRowSchema, stockByStoreRowSchema, stockCurrentRowsSchema, type MsStockAllRow, type MsStockByStoreRow, type StockCurrentRow } from '../schemas/stock.js';
import type { MoySkladTransport } from '../transport.js';
import type { StockCurrentQuery } from '../types.js';

/** `report/stock/bystore/current`: one unpaged call at normal weight; `value` is the stockType's figure. */
export function stockByStoreCurrent(t: MoySkladTransport, query: StockCurrentQuery & { storeId?: string } = {}, signal?: AbortSignal): Promise<StockCurrentRow[]> {
  const filter: string[] = [];
  if (query.storeId) filter.push(`storeId=${query.storeId}`);
  return stockCurrent(t, 'report/stock/bystore/current', query, filter, signal);
}

/** `report/stock/all/current`: totals over all stores. */
export function stockAllCurrent(t: MoySkladTransport, query: StockCurrentQuery = {}, signal?: AbortSignal): Promise<StockCurrentRow[]> {
  return stockCurrent(t, 'report/stock/all/current', query, [], signal);
}

/** Pages of `report/stock/all` (5 units per page). */
export function stockAll(t: MoySkladTransport, query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsStockAllRow[]> {
  return pages(t, 'report/stock/all', query, stockAllRowSchema, signal);
}

/** Pages of `report/stock/bystore` (5 units per page). */
export function stockByStore(t: MoySkladTransport, query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsStockByStoreRow[]> {
  return pages(t, 'report/stock/bystore', query, stockByStoreRowSchema, signal);
}

async function stockCurrent(t: MoySkladTransport, path: string, query: StockCurrentQuery, filter: string[], signal: AbortSignal | undefined): Promise<StockCurrentRow[]> {
  const stockType = query.stockType ?? 'stock';
  if (query.assortmentIds?.length) filter.unshift(`assortmentId=${query.assortmentIds.join(',')}`);
  const body = await t.request('GET', path, {
    query: {
      stockType,
      include: query.includeZeroLines ? 'zeroLines' : undefined,
      changedSince: query.changedSince ? formatMoscow(query.changedSince, false) : undefined,
      filter: filter.length ? filter.join(';') : undefined,
    },
    signal,
  });
  const rows = t.parse(stockCurrentRowsSchema, body, 'GET', path);
  return rows.map((r) => {
    const v = (r as Record<string, unknown>)[stockType];
    if (v !== null && v !== undefined && typeof v !== 'number') {
      throw new MoySkladBadResponseError(`${path}: ${stockType} of ${r.assortmentId} is not a number`, { status: 200, method: 'GET', path });
    }
    return { assortmentId: r.assortmentId, storeId: r.storeId, value: v ?? null } satisfies StockCurrentRow;
  });
}
