/**
 * @module changes.routes
 * The change feeds a platform pulls instead of re-reading everything:
 * - E1 `GET /catalog/changes?after=&limit=&integrationId=` — products changed after the cursor, each
 *   once at its latest change: an upsert with the product as it is now, or a tombstone (deleted,
 *   archived, no longer synced);
 * - E2 `GET /price-lists/{id}/changes?after=&limit=` — the list's rows changed after the cursor
 *   (a swap yields only the rows that differ), tombstones for rows that left.
 * Cursors are change numbers written in the transaction of the change (never a clock).
 */
import { NotFoundError } from '../../core/errors.js';
import { nextCursor, parseCursor } from '../../domain/catalog-changes.js';
import { CatalogChangeRepository } from '../../store/repositories/catalog-change-repository.js';
import { CatalogScopeRepository } from '../../store/repositories/catalog-scope-repository.js';
import { PriceListRepository } from '../../store/repositories/price-list-repository.js';
import { PriceListChangeRepository } from '../../store/repositories/price-list-change-repository.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { IdParams } from '../api-schemas.js';
import { CatalogChange, CatalogChangesQuery, ChangePage, ChangesQuery, PriceListRowChange } from '../change-schemas.js';
import { productsToApi } from './catalog.routes.js';

export function changeOperations(deps: ApiDeps): ApiOperation[] {
  const scope = new CatalogScopeRepository(deps.db, deps.clock);
  return [
    defineOperation({
      method: 'get', path: '/catalog/changes', operationId: 'listCatalogChanges', tag: 'catalog',
      summary: 'E1 catalog changes after a cursor: upserts and tombstones (deleted, archived, not synced), oldest first, with the next cursor',
      query: CatalogChangesQuery, response: ChangePage(CatalogChange, 'CatalogChangePage'), errors: ['not_found'],
      handler: async ({ query }) => {
        const after = parseCursor(query.after) ?? 0;
        const integration = query.integrationId === undefined ? undefined : ((await scope.rootOf(query.integrationId)) ?? undefined);
        if (query.integrationId !== undefined && !integration) throw new NotFoundError('integration', query.integrationId);
        const page = await new CatalogChangeRepository(deps.db).page(after, query.limit, integration);
        const upserts = page.items.filter((i) => i.change.op === 'upsert').map((i) => i.product);
        const products = await productsToApi(deps, scope, upserts, integration);
        return {
          items: page.items.map((i) => ({
            seq: i.seq,
            op: i.change.op,
            productId: Number(i.product.id),
            msId: i.product.msId,
            reason: i.change.op === 'tombstone' ? i.change.reason : null,
            product: i.change.op === 'upsert' ? (products.get(Number(i.product.id)) ?? null) : null,
          })),
          nextCursor: nextCursor(after, page.items.map((i) => i.seq)),
          hasMore: page.hasMore,
        };
      },
    }),
    defineOperation({
      method: 'get', path: '/price-lists/:id/changes', operationId: 'listPriceListChanges', tag: 'price lists',
      summary: "E2 a price list's row changes after a cursor, across generation swaps (only rows that differ), tombstones for rows that left",
      params: IdParams, query: ChangesQuery, response: ChangePage(PriceListRowChange, 'PriceListChangePage'), errors: ['not_found'],
      handler: async ({ params, query }) => {
        if (!(await new PriceListRepository(deps.db, deps.clock).find(params.id))) throw new NotFoundError('price list', params.id);
        const after = parseCursor(query.after) ?? 0;
        const page = await new PriceListChangeRepository(deps.db).page(params.id, after, query.limit);
        return {
          items: page.items.map((r) => ({
            seq: r.seq,
            op: r.removed === 1 ? ('tombstone' as const) : ('upsert' as const),
            msProductId: r.msProductId,
            productId: r.productId === null ? null : Number(r.productId),
            brand: r.brand,
            article: r.article,
            name: r.name,
            quantity: Number(r.quantity),
            priceKopecks: r.price === null ? null : Number(r.price),
            changedAt: r.changedAt,
          })),
          nextCursor: nextCursor(after, page.items.map((r) => r.seq)),
          hasMore: page.hasMore,
        };
      },
    }),
  ];
}
