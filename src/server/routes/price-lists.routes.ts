/**
 * @module price-lists.routes
 * Price lists (R11–R13): CRUD, their rows as JSON, a CSV export for platforms that import
 * price lists by URL, and the forced sync (R13).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { exportPriceList } from '../../app/price-list-export.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import { searchTextContains } from '../../store/search-filter.js';
import type { PriceListRow as PriceListTableRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { API_PREFIX } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams, Page, QueryId, PriceList, PriceListCreate, PriceListRow, PriceListUpdate, RowsQuery, SyncEnqueued } from '../api-schemas.js';
import { UnprocessableError } from '../error-handler.js';
import { loadRegion } from './regions.routes.js';

/** The sync kind a forced price-list sync enqueues (the stock sync, R4/R13). */
export const PRICE_LIST_SYNC_KIND = 'stock.full';

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

export async function loadPriceList(deps: ApiDeps, id: number): Promise<PriceListTableRow> {
  const row = await deps.db.selectFrom('priceLists').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('price list', id);
  return row;
}

export function priceListOperations(deps: ApiDeps): ApiOperation[] {
  const rowsQuery = (id: number, generation: number, q: z.infer<typeof RowsQuery>) => {
    let query = deps.db.selectFrom('priceListRows').where('priceListId', '=', id).where('generation', '=', generation);
    if (q.brand) query = query.where(sql<string>`upper(brand)`, '=', normalizeBrand(q.brand));
    if (q.article) query = query.where('articleNorm', '=', normalizeArticle(q.article));
    const text = searchTextContains('products.searchText', q.q);
    if (text) {
      // E6: rows are searched through their product's search column (the stock sync's writes stay as they are).
      const art = normalizeArticle(q.q);
      query = query.where((eb) => eb.or([eb('priceListRows.productId', 'in', eb.selectFrom('products').select('products.id').where(text)), ...(art ? [eb('priceListRows.articleNorm', 'like', `%${art}%`)] : [])]));
    }
    return query;
  };
  return [
    defineOperation({
      method: 'get', path: '/price-lists', operationId: 'listPriceLists', tag: 'price lists', summary: 'List price lists',
      query: z.object({ regionId: QueryId.optional() }),
      response: z.object({ items: z.array(PriceList) }),
      handler: async ({ query }) => {
        let q = deps.db.selectFrom('priceLists').selectAll().orderBy('id');
        if (query.regionId) q = q.where('regionId', '=', query.regionId);
        return { items: (await q.execute()).map((r) => priceListToApi(deps, r)) };
      },
    }),
    defineOperation({
      method: 'post', path: '/price-lists', operationId: 'createPriceList', tag: 'price lists',
      summary: 'Create a price list (optionally bound to a MoySklad store, R11)',
      description: 'A sync frequency can be set only once the list is bound to a store (R12).',
      body: PriceListCreate, response: PriceList, successStatus: 201, errors: ['not_found', 'price_list_unbound'],
      handler: async ({ body }) => {
        await loadRegion(deps, body.regionId);
        if (body.syncIntervalMinutes != null && !body.msStoreId) {
          throw new UnprocessableError('price_list_unbound', 'a sync frequency needs a bound MoySklad store (msStoreId)', [{ path: 'syncIntervalMinutes', message: 'bind the price list to a store first' }]);
        }
        const now = deps.clock.now().toISOString();
        const row = await deps.db
          .insertInto('priceLists')
          .values({
            regionId: body.regionId,
            name: body.name,
            msStoreId: body.msStoreId ?? null,
            stockType: body.stockType ?? 'quantity',
            syncIntervalMinutes: body.syncIntervalMinutes ?? null,
            deliveryDays: body.deliveryDays ?? 0,
            priceTypeMsId: body.priceTypeMsId ?? null,
            publishWithoutPrice: body.publishWithoutPrice ? 1 : 0,
            lastSyncAt: null,
            stockCursor: null,
            createdAt: now,
            updatedAt: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return priceListToApi(deps, row);
      },
    }),
    defineOperation({
      method: 'get', path: '/price-lists/:id', operationId: 'getPriceList', tag: 'price lists', summary: 'Read a price list',
      params: IdParams, response: PriceList, errors: ['not_found'],
      handler: async ({ params }) => priceListToApi(deps, await loadPriceList(deps, params.id)),
    }),
    defineOperation({
      method: 'patch', path: '/price-lists/:id', operationId: 'updatePriceList', tag: 'price lists', summary: 'Update a price list',
      params: IdParams, body: PriceListUpdate, response: PriceList, errors: ['not_found', 'price_list_unbound'],
      handler: async ({ params, body }) => {
        const current = await loadPriceList(deps, params.id);
        const msStoreId = body.msStoreId !== undefined ? body.msStoreId : current.msStoreId;
        let syncIntervalMinutes = body.syncIntervalMinutes !== undefined ? body.syncIntervalMinutes : current.syncIntervalMinutes;
        if (!msStoreId) {
          if (body.syncIntervalMinutes != null) {
            throw new UnprocessableError('price_list_unbound', 'a sync frequency needs a bound MoySklad store (msStoreId)', [{ path: 'syncIntervalMinutes', message: 'bind the price list to a store first' }]);
          }
          syncIntervalMinutes = null; // unbinding stops the schedule
        }
        const row = await deps.db
          .updateTable('priceLists')
          .set({
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.stockType !== undefined ? { stockType: body.stockType } : {}),
            ...(body.priceTypeMsId !== undefined ? { priceTypeMsId: body.priceTypeMsId } : {}),
            ...(body.deliveryDays !== undefined ? { deliveryDays: body.deliveryDays } : {}),
            ...(body.publishWithoutPrice !== undefined ? { publishWithoutPrice: body.publishWithoutPrice ? (1 as const) : (0 as const) } : {}),
            msStoreId: msStoreId ?? null,
            syncIntervalMinutes,
            updatedAt: deps.clock.now().toISOString(),
          })
          .where('id', '=', params.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return priceListToApi(deps, row);
      },
    }),
    defineOperation({
      method: 'get', path: '/price-lists/:id/rows', operationId: 'listPriceListRows', tag: 'price lists',
      summary: 'Rows of a price list (stock of its MoySklad store), paged; filter by brand and article, search by text (q)',
      params: IdParams, query: RowsQuery, response: Page(PriceListRow), errors: ['not_found'],
      handler: async ({ params, query }) => {
        const pl = await loadPriceList(deps, params.id);
        const base = rowsQuery(params.id, pl.generation, query);
        const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
        const rows = await base.selectAll().orderBy('brand').orderBy('article').orderBy('id').limit(query.limit).offset(query.offset).execute();
        return {
          items: rows.map((r) => ({ brand: r.brand, article: r.article, name: r.name, quantity: r.quantity, priceKopecks: r.price, msProductId: r.msProductId })),
          total: Number(total),
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
      handler: async ({ params }) => {
        const pl = await loadPriceList(deps, params.id);
        if (!pl.msStoreId) throw new UnprocessableError('price_list_unbound', `price list ${params.id} is not bound to a MoySklad store`);
        const integration = await deps.db.selectFrom('integrations').select('id').where('regionId', '=', pl.regionId).executeTakeFirst();
        const res = await deps.enqueuer.enqueue({
          kind: PRICE_LIST_SYNC_KIND,
          priceListId: params.id,
          ...(integration ? { integrationId: Number(integration.id) } : {}),
          trigger: 'api',
        });
        return { ...res, kind: PRICE_LIST_SYNC_KIND };
      },
    }),
  ];
}
