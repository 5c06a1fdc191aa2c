/**
 * @module catalog.routes
 * The product directory (R15) with search by brand and article, the site categories tree (R2)
 * and the sync triggers of an integration.
 */
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import { CatalogScopeRepository, visibleInSomeIntegration, visibleUnderRoot, type IntegrationRoot } from '../../store/repositories/catalog-scope-repository.js';
import type { ProductRow } from '../../store/schema.js';
import { searchTextContains } from '../../store/search-filter.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import { Category, IdParams, Page, QueryId, Product, ProductQuery, SyncEnqueued, SyncParams, type CategoryNode } from '../api-schemas.js';

function productToApi(p: ProductRow, images: { productId: number; position: number; filename: string }[], categoryId: number | null): z.infer<typeof Product> {
  return {
    id: Number(p.id),
    brand: p.brand,
    article: p.article,
    name: p.name,
    description: p.description,
    categoryId,
    kind: p.kind,
    msId: p.msId,
    images: images.filter((i) => i.productId === p.id).map((i) => ({ position: i.position, filename: i.filename })),
    updatedAt: p.updatedAt,
  };
}

/** Products as the API shows them (images and per-integration category), by product id. */
export async function productsToApi(db: ApiDeps['db'], scope: CatalogScopeRepository, rows: ProductRow[], integration?: IntegrationRoot): Promise<Map<number, z.infer<typeof Product>>> {
  if (rows.length === 0) return new Map();
  const images = await db.selectFrom('productImages').select(['productId', 'position', 'filename']).where('productId', 'in', rows.map((r) => r.id)).orderBy('position').execute();
  const categories = await scope.categoriesOfProducts(rows.map((r) => ({ id: Number(r.id), msAccountId: Number(r.msAccountId), msFolderId: r.msFolderId })), integration);
  return new Map(rows.map((r) => [Number(r.id), productToApi(r, images, categories.get(Number(r.id)) ?? null)]));
}

export function catalogOperations(deps: ApiDeps): ApiOperation[] {
  const scope = new CatalogScopeRepository(deps.db, deps.clock);
  /** C5: synced live products that the integration shows (its root's subtree), or some integration shows. */
  const visible = (integration?: IntegrationRoot) => {
    const q = deps.db.selectFrom('products as p').where('p.deleted', '=', 0).where('p.archived', '=', 0).where('p.syncState', '=', 'ok');
    return integration
      ? q.where('p.msAccountId', '=', integration.msAccountId).where((eb) => visibleUnderRoot(eb, integration.rootFolderMsId))
      : q.where((eb) => visibleInSomeIntegration(eb));
  };
  const integrationOf = async (id: number | undefined): Promise<IntegrationRoot | undefined> => {
    if (id === undefined) return undefined;
    const root = await scope.rootOf(id);
    if (!root) throw new NotFoundError('integration', id);
    return root;
  };
  const categoriesOf = (rows: ProductRow[], integration?: IntegrationRoot) => scope.categoriesOfProducts(rows.map((r) => ({ id: Number(r.id), msAccountId: Number(r.msAccountId), msFolderId: r.msFolderId })), integration);
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
        const integration = await integrationOf(query.integrationId);
        let q = visible(integration);
        if (query.brand) q = q.where('p.brandNorm', '=', normalizeBrand(query.brand));
        if (query.article) q = q.where('p.articleNorm', '=', normalizeArticle(query.article));
        if (query.categoryId) {
          // C8: a folder category holds the products of its folder as its integration shows them; a
          // site category those directly in its integration's root folder.
          const cat = await deps.db.selectFrom('categories').select(['msAccountId', 'msFolderId', 'integrationId']).where('id', '=', query.categoryId).executeTakeFirst();
          const owner = cat?.integrationId ? await scope.rootOf(Number(cat.integrationId)) : undefined;
          const sites = cat && !cat.msFolderId ? await deps.db.selectFrom('integrations').select(['id', 'msAccountId', 'rootFolderMsId']).where('siteCategoryId', '=', query.categoryId).where('rootFolderMsId', 'is not', null).execute() : [];
          q = q.where((eb) =>
            eb.or([
              ...(owner && cat?.msFolderId ? [eb.and([eb('p.msAccountId', '=', owner.msAccountId), eb('p.msFolderId', '=', cat.msFolderId), visibleUnderRoot(eb, owner.rootFolderMsId)])] : []),
              ...sites.map((i) => eb.and([eb('p.msAccountId', '=', Number(i.msAccountId)), eb('p.msFolderId', '=', i.rootFolderMsId as string)])),
              sql<SqlBool>`1 = 0`,
            ]),
          );
        }
        const text = searchTextContains('p.searchText', query.q);
        if (text) {
          // E6: brand, article, code or name in any case (Cyrillic too), or the article in its normal form.
          const art = normalizeArticle(query.q);
          q = q.where((eb) => eb.or([text, ...(art ? [eb('p.articleNorm', 'like', `%${art}%`)] : [])]));
        }
        const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
        const rows = await q.selectAll('p').orderBy('p.brandNorm').orderBy('p.articleNorm').orderBy('p.id').limit(query.limit).offset(query.offset).execute();
        const images = await imagesOf(rows.map((r) => r.id));
        const categories = await categoriesOf(rows, integration);
        return { items: rows.map((r) => productToApi(r, images, categories.get(Number(r.id)) ?? null)), total: Number(total), limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'get', path: '/catalog/products/:id', operationId: 'getProduct', tag: 'catalog', summary: 'Read a product',
      params: IdParams, response: Product, errors: ['not_found'],
      handler: async ({ params }) => {
        const row = await visible().selectAll('p').where('p.id', '=', params.id).executeTakeFirst();
        if (!row) throw new NotFoundError('product', params.id);
        return productToApi(row, await imagesOf([row.id]), (await categoriesOf([row])).get(Number(row.id)) ?? null);
      },
    }),
    defineOperation({
      method: 'get', path: '/categories', operationId: 'getCategoryTree', tag: 'catalog', summary: 'Site categories as a tree (R2, R22); with integrationId that integration’s tree (C8)',
      query: z.object({ integrationId: QueryId.optional().meta({ description: "C8: only this integration's folder categories (plus the store's own)" }) }),
      response: z.object({ items: z.array(Category) }),
      handler: async ({ query }) => {
        if (query.integrationId !== undefined) await integrationOf(query.integrationId);
        let q = deps.db.selectFrom('categories').select(['id', 'parentId', 'name']).where('archived', '=', 0);
        if (query.integrationId !== undefined) q = q.where((eb) => eb.or([eb('integrationId', 'is', null), eb('integrationId', '=', query.integrationId as number)]));
        const rows = await q.orderBy('name').orderBy('id').execute();
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
        const res = await deps.enqueuer.enqueue({ kind: kind.kind, integrationId: params.id, trigger: 'api' });
        return { ...res, kind: params.kind };
      },
    }),
  ];
}
