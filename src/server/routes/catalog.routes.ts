/**
 * @module catalog.routes
 * The product directory (R15) with search by brand and article, the site categories tree (R2)
 * and the sync triggers of an integration.
 */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { CatalogScopeRepository, type IntegrationRoot } from '../../store/repositories/catalog-scope-repository.js';
import { IntegrationRepository } from '../../store/repositories/integration-repository.js';
import { ProductViewRepository, type ProductImageRef } from '../../store/repositories/product-view-repository.js';
import type { ProductRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { Category, IdParams, Page, QueryId, Product, ProductQuery, SyncEnqueued, SyncParams, type CategoryNode } from '../api-schemas.js';

function productToApi(p: ProductRow, images: readonly ProductImageRef[], categoryId: number | null): z.infer<typeof Product> {
  return {
    id: Number(p.id),
    brand: p.brand,
    article: p.article,
    name: p.name,
    description: p.description,
    categoryId,
    kind: p.kind,
    msId: p.msId,
    images: images.filter((i) => i.productId === Number(p.id)).map((i) => ({ position: i.position, filename: i.filename })),
    updatedAt: p.updatedAt,
  };
}

/** Products as the API shows them (images and per-integration category), by product id. */
export async function productsToApi(deps: Pick<ApiDeps, 'db' | 'clock'>, scope: CatalogScopeRepository, rows: ProductRow[], integration?: IntegrationRoot): Promise<Map<number, z.infer<typeof Product>>> {
  if (rows.length === 0) return new Map();
  const images = await new ProductViewRepository(deps.db, deps.clock).imagesOf(rows.map((r) => Number(r.id)));
  const categories = await scope.categoriesOfProducts(rows.map((r) => ({ id: Number(r.id), msAccountId: Number(r.msAccountId), msFolderId: r.msFolderId })), integration);
  return new Map(rows.map((r) => [Number(r.id), productToApi(r, images, categories.get(Number(r.id)) ?? null)]));
}

export function catalogOperations(deps: ApiDeps): ApiOperation[] {
  const scope = new CatalogScopeRepository(deps.db, deps.clock);
  const products = new ProductViewRepository(deps.db, deps.clock);
  const integrationOf = async (id: number | undefined): Promise<IntegrationRoot | undefined> => {
    if (id === undefined) return undefined;
    const root = await scope.rootOf(id);
    if (!root) throw new NotFoundError('integration', id);
    return root;
  };
  const categoriesOf = (rows: ProductRow[], integration?: IntegrationRoot) => scope.categoriesOfProducts(rows.map((r) => ({ id: Number(r.id), msAccountId: Number(r.msAccountId), msFolderId: r.msFolderId })), integration);
  const imagesOf = (ids: number[]) => products.imagesOf(ids);
  return [
    defineOperation({
      method: 'get', path: '/catalog/products', operationId: 'listProducts', tag: 'catalog',
      summary: 'Products synced from MoySklad (R15), searchable by brand and article (normalized), paged',
      query: ProductQuery, response: Page(Product),
      handler: async ({ query }) => {
        const integration = await integrationOf(query.integrationId);
        const { total, rows } = await products.productsPage(integration, query, query.limit, query.offset);
        const images = await imagesOf(rows.map((r) => Number(r.id)));
        const categories = await categoriesOf(rows, integration);
        return { items: rows.map((r) => productToApi(r, images, categories.get(Number(r.id)) ?? null)), total, limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'get', path: '/catalog/products/:id', operationId: 'getProduct', tag: 'catalog', summary: 'Read a product',
      params: IdParams, response: Product, errors: ['not_found'],
      handler: async ({ params }) => {
        const row = await products.visibleProduct(params.id);
        if (!row) throw new NotFoundError('product', params.id);
        return productToApi(row, await imagesOf([Number(row.id)]), (await categoriesOf([row])).get(Number(row.id)) ?? null);
      },
    }),
    defineOperation({
      method: 'get', path: '/categories', operationId: 'getCategoryTree', tag: 'catalog', summary: 'Site categories as a tree (R2, R22); with integrationId that integration’s tree (C8)',
      query: z.object({ integrationId: QueryId.optional().meta({ description: "C8: only this integration's folder categories (plus the store's own)" }) }),
      response: z.object({ items: z.array(Category) }),
      handler: async ({ query }) => {
        if (query.integrationId !== undefined) await integrationOf(query.integrationId);
        const rows = await products.liveCategories(query.integrationId);
        const nodes = new Map<number, CategoryNode>(rows.map((r) => [r.id, { id: r.id, name: r.name, parentId: r.parentId, children: [] }]));
        const roots: CategoryNode[] = [];
        for (const node of nodes.values()) {
          const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
          if (parent) parent.children.push(node);
          else roots.push(node);
        }
        return { items: roots };
      },
    }),
    defineOperation({
      method: 'post', path: '/integrations/:id/sync/:kind', operationId: 'triggerSync', tag: 'sync',
      summary: 'Start a sync of one integration now (e.g. nomenclature.full for R17); merged with one already waiting',
      params: SyncParams, response: SyncEnqueued, successStatus: 202, errors: ['not_found'],
      handler: async ({ params }) => {
        const integration = await new IntegrationRepository(deps.db, deps.clock).find(params.id);
        if (!integration) throw new NotFoundError('integration', params.id);
        const kind = deps.syncs.get(params.kind);
        if (!kind || kind.scope !== 'integration') throw new NotFoundError('sync kind', params.kind);
        const res = await deps.enqueuer.enqueue({ kind: kind.kind, integrationId: params.id, trigger: 'api' });
        return { ...res, kind: params.kind };
      },
    }),
  ];
}
