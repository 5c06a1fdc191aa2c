/**
 * @module catalog.routes
 * The product directory (R15) with search by brand and article, the site categories tree (R2)
 * and the sync triggers of an integration.
 */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import type { ProductRow } from '../../store/schema.js';
import { searchTextContains } from '../../store/search-filter.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { Category, IdParams, Page, Product, ProductQuery, SyncEnqueued, SyncParams, type CategoryNode } from '../api-schemas.js';

function productToApi(p: ProductRow, images: { productId: number; position: number; filename: string }[]): z.infer<typeof Product> {
  return {
    id: Number(p.id),
    brand: p.brand,
    article: p.article,
    name: p.name,
    description: p.description,
    categoryId: p.categoryId === null ? null : Number(p.categoryId),
    msId: p.msId,
    images: images.filter((i) => i.productId === p.id).map((i) => ({ position: i.position, filename: i.filename })),
    updatedAt: p.updatedAt,
  };
}

export function catalogOperations(deps: ApiDeps): ApiOperation[] {
  const visible = () => deps.db.selectFrom('products').where('deleted', '=', 0).where('archived', '=', 0).where('syncState', '=', 'ok');
  const imagesOf = (ids: number[]) =>
    ids.length
      ? deps.db.selectFrom('productImages').select(['productId', 'position', 'filename']).where('productId', 'in', ids).orderBy('position').execute()
      : Promise.resolve([]);
  return [
    defineOperation({
      method: 'get', path: '/catalog/products', operationId: 'listProducts', tag: 'catalog',
      summary: 'Products synced from MoySklad (R15), searchable by brand and article (normalized), paged',
      query: ProductQuery, response: Page(Product),
      handler: async ({ query }) => {
        let q = visible();
        if (query.brand) q = q.where('brandNorm', '=', normalizeBrand(query.brand));
        if (query.article) q = q.where('articleNorm', '=', normalizeArticle(query.article));
        if (query.categoryId) q = q.where('categoryId', '=', query.categoryId);
        const text = searchTextContains('searchText', query.q);
        if (text) {
          // E6: brand, article, code or name in any case (Cyrillic too), or the article in its normal form.
          const art = normalizeArticle(query.q);
          q = q.where((eb) => eb.or([text, ...(art ? [eb('articleNorm', 'like', `%${art}%`)] : [])]));
        }
        const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
        const rows = await q.selectAll().orderBy('brandNorm').orderBy('articleNorm').orderBy('id').limit(query.limit).offset(query.offset).execute();
        const images = await imagesOf(rows.map((r) => r.id));
        return { items: rows.map((r) => productToApi(r, images)), total: Number(total), limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'get', path: '/catalog/products/:id', operationId: 'getProduct', tag: 'catalog', summary: 'Read a product',
      params: IdParams, response: Product, errors: ['not_found'],
      handler: async ({ params }) => {
        const row = await visible().selectAll().where('id', '=', params.id).executeTakeFirst();
        if (!row) throw new NotFoundError('product', params.id);
        return productToApi(row, await imagesOf([row.id]));
      },
    }),
    defineOperation({
      method: 'get', path: '/categories', operationId: 'getCategoryTree', tag: 'catalog', summary: 'Site categories as a tree (R2, R22)',
      response: z.object({ items: z.array(Category) }),
      handler: async () => {
        const rows = await deps.db.selectFrom('categories').select(['id', 'parentId', 'name']).where('archived', '=', 0).orderBy('name').orderBy('id').execute();
        const nodes = new Map<number, CategoryNode>(rows.map((r) => [Number(r.id), { id: Number(r.id), name: r.name, parentId: r.parentId === null ? null : Number(r.parentId), children: [] }]));
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
        const integration = await deps.db.selectFrom('integrations').select('id').where('id', '=', params.id).executeTakeFirst();
        if (!integration) throw new NotFoundError('integration', params.id);
        const kind = deps.syncs.get(params.kind);
        if (!kind || kind.scope !== 'integration') throw new NotFoundError('sync kind', params.kind);
        const res = await deps.enqueuer.enqueue({ kind: params.kind, integrationId: params.id, trigger: 'api' });
        return { ...res, kind: params.kind };
      },
    }),
  ];
}
