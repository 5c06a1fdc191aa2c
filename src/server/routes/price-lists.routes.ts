/**
 * @module price-lists.routes
 * Price lists (R11–R13): CRUD, their rows as JSON, a CSV export for platforms that import
 * price lists by URL, and the forced sync (R13). The writes go through `app/price-list-service`.
 */
import { z } from 'zod';
import { exportPriceList } from '../../app/price-list-export.js';
import { createPriceList, forcePriceListSync, loadPriceList, updatePriceList } from '../../app/price-list-service.js';
import { CatalogViewRepository } from '../../store/repositories/catalog-view-repository.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import type { PriceListRow as PriceListTableRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { API_PREFIX } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams, Page, QueryId, PriceList, PriceListCreate, PriceListRow, PriceListUpdate, RowsQuery, SyncEnqueued } from '../api-schemas.js';

export { loadPriceList, PRICE_LIST_SYNC_KIND } from '../../app/price-list-service.js';

export function priceListToApi(deps: ApiDeps, r: PriceListTableRow): z.infer<typeof PriceList> {
  return {
    id: Number(r.id),
    regionId: Number(r.regionId),
    name: r.name,
    msStoreId: r.msStoreId,
    stockType: r.stockType,
    priceTypeMsId: r.priceTypeMsId,
    syncIntervalMinutes: r.syncIntervalMinutes,
    deliveryDays: r.deliveryDays ?? 0,
    publishWithoutPrice: r.publishWithoutPrice === 1,
    lastSyncAt: r.lastSyncAt,
    csvUrl: `${deps.publicBaseUrl.replace(/\/$/, '')}${API_PREFIX}/price-lists/${r.id}/export.csv`,
  };
}

/** List, create, read and update price lists. */
function priceListCrudOperations(deps: ApiDeps): ApiOperation[] {
  return [
    defineOperation({
      method: 'get', path: '/price-lists', operationId: 'listPriceLists', tag: 'price lists', summary: 'List price lists',
      query: z.object({ regionId: QueryId.optional() }),
      response: z.object({ items: z.array(PriceList) }),
      handler: async ({ query }) => {
        const rows = await new PriceListRepository(deps.db, deps.clock).list(query.regionId || undefined);
        return { items: rows.map((r) => priceListToApi(deps, r)) };
      },
    }),
    defineOperation({
      method: 'post', path: '/price-lists', operationId: 'createPriceList', tag: 'price lists',
      summary: 'Create a price list (optionally bound to a MoySklad store, R11)',
      description: 'A sync frequency can be set only once the list is bound to a store (R12).',
      body: PriceListCreate, response: PriceList, successStatus: 201, errors: ['not_found', 'price_list_unbound'],
      handler: async ({ body }) => priceListToApi(deps, await createPriceList(deps, body)),
    }),
    defineOperation({
      method: 'get', path: '/price-lists/:id', operationId: 'getPriceList', tag: 'price lists', summary: 'Read a price list',
      params: IdParams, response: PriceList, errors: ['not_found'],
      handler: async ({ params }) => priceListToApi(deps, await loadPriceList(deps, params.id)),
    }),
    defineOperation({
      method: 'patch', path: '/price-lists/:id', operationId: 'updatePriceList', tag: 'price lists', summary: 'Update a price list',
      params: IdParams, body: PriceListUpdate, response: PriceList, errors: ['not_found', 'price_list_unbound'],
      handler: async ({ params, body }) => priceListToApi(deps, await updatePriceList(deps, params.id, body)),
    }),
  ];
}

/** The rows of a price list, its exports and the forced sync. */
function priceListContentOperations(deps: ApiDeps): ApiOperation[] {
  return [
    defineOperation({
      method: 'get', path: '/price-lists/:id/rows', operationId: 'listPriceListRows', tag: 'price lists',
      summary: 'Rows of a price list (stock of its MoySklad store), paged; filter by brand and article, search by text (q)',
      params: IdParams, query: RowsQuery, response: Page(PriceListRow), errors: ['not_found'],
      handler: async ({ params, query }) => {
        const pl = await loadPriceList(deps, params.id);
        // E6: rows are searched through their product's search column (the stock sync's writes stay as they are).
        const { total, rows } = await new CatalogViewRepository(deps.db).priceListRows(params.id, pl.generation, query, query.limit, query.offset);
        return {
          items: rows.map((r) => ({ brand: r.brand, article: r.article, name: r.name, quantity: r.quantity, priceKopecks: r.price, msProductId: r.msProductId })),
          total,
          limit: query.limit,
          offset: query.offset,
        };
      },
    }),
    defineOperation({
      method: 'get', path: '/price-lists/:id/export.csv', operationId: 'exportPriceListCsv', tag: 'price lists',
      summary: 'The price list as CSV (UTF-8, ";", prices in roubles; an empty price cell = no price, C3): brand;article;name;quantity;price;delivery_days',
      params: IdParams, responseContentType: 'text/csv', errors: ['not_found', 'price_list_swapped'],
      // R11: the rows of one generation as they were at one moment (see src/app/price-list-export.ts).
      handler: async ({ params }) => exportPriceList(deps, await loadPriceList(deps, params.id), 'csv'),
    }),
    defineOperation({
      method: 'get', path: '/price-lists/:id/export.json', operationId: 'exportPriceListJson', tag: 'price lists',
      summary: 'The price list as JSON: {priceListId, name, generatedAt, rows:[{brand, article, name, quantity, priceKopecks, price, deliveryDays, msProductId}]}',
      params: IdParams, responseContentType: 'application/json', errors: ['not_found', 'price_list_swapped'],
      handler: async ({ params }) => exportPriceList(deps, await loadPriceList(deps, params.id), 'json'),
    }),
    defineOperation({
      method: 'post', path: '/price-lists/:id/sync', operationId: 'syncPriceList', tag: 'sync',
      summary: 'Force a stock sync of one price list (R13); merged with one already waiting',
      params: IdParams, response: SyncEnqueued, successStatus: 202, errors: ['not_found', 'price_list_unbound'],
      handler: async ({ params }) => forcePriceListSync(deps, params.id),
    }),
  ];
}

export function priceListOperations(deps: ApiDeps): ApiOperation[] {
  return [...priceListCrudOperations(deps), ...priceListContentOperations(deps)];
}
