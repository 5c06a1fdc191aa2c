/**
 * @module product-view-repository
 * R15/C5/C8/E6: the product directory as the REST API reads it — synced live products an
 * integration shows (or some integration shows), searched and paged, with their photos, and the
 * site categories. Read-only.
 */
import { sql, type SqlBool } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import type { Db } from '../db.js';
import type { ProductRow } from '../schema.js';
import { searchTextContains } from '../search-filter.js';
import { CatalogScopeRepository, visibleInSomeIntegration, visibleUnderRoot, type IntegrationRoot } from './catalog-scope-repository.js';

/** What the product directory filters by (each optional). */
export interface ProductFilter {
  brand?: string | undefined;
  article?: string | undefined;
  categoryId?: number | undefined;
  q?: string | undefined;
}

export interface ProductImageRef {
  productId: number;
  position: number;
  filename: string;
}

export interface CategoryRecord {
  id: number;
  parentId: number | null;
  name: string;
}

export class ProductViewRepository {
  readonly #scope: CatalogScopeRepository;

  constructor(
    private readonly db: Db,
    clock: Clock,
  ) {
    this.#scope = new CatalogScopeRepository(db, clock);
  }

  /** C5: synced live products that the integration shows (its root's subtree), or some integration shows. */
  #visible(integration?: IntegrationRoot) {
    const q = this.db.selectFrom('products as p').where('p.deleted', '=', 0).where('p.archived', '=', 0).where('p.syncState', '=', 'ok');
    return integration
      ? q.where('p.msAccountId', '=', integration.msAccountId).where((eb) => visibleUnderRoot(eb, integration.rootFolderMsId))
      : q.where((eb) => visibleInSomeIntegration(eb));
  }

  /** A page of visible products in brand, article order, with the total. */
  async productsPage(integration: IntegrationRoot | undefined, filter: ProductFilter, limit: number, offset: number): Promise<{ total: number; rows: ProductRow[] }> {
    let q = this.#visible(integration);
    if (filter.brand) q = q.where('p.brandNorm', '=', normalizeBrand(filter.brand));
    if (filter.article) q = q.where('p.articleNorm', '=', normalizeArticle(filter.article));
    if (filter.categoryId) {
      // C8: a folder category holds the products of its folder as its integration shows them; a
      // site category those directly in its integration's root folder.
      const cat = await this.db.selectFrom('categories').select(['msAccountId', 'msFolderId', 'integrationId']).where('id', '=', filter.categoryId).executeTakeFirst();
      const owner = cat?.integrationId ? await this.#scope.rootOf(Number(cat.integrationId)) : undefined;
      const sites =
        cat && !cat.msFolderId
          ? await this.db.selectFrom('integrations').select(['id', 'msAccountId', 'rootFolderMsId']).where('siteCategoryId', '=', filter.categoryId).where('rootFolderMsId', 'is not', null).execute()
          : [];
      q = q.where((eb) =>
        eb.or([
          ...(owner && cat?.msFolderId ? [eb.and([eb('p.msAccountId', '=', owner.msAccountId), eb('p.msFolderId', '=', cat.msFolderId), visibleUnderRoot(eb, owner.rootFolderMsId)])] : []),
          ...sites.map((i) => eb.and([eb('p.msAccountId', '=', Number(i.msAccountId)), eb('p.msFolderId', '=', i.rootFolderMsId as string)])),
          sql<SqlBool>`1 = 0`,
        ]),
      );
    }
    const text = searchTextContains('p.searchText', filter.q);
    if (text) {
      // E6: brand, article, code or name in any case (Cyrillic too), or the article in its normal form.
      const art = normalizeArticle(filter.q ?? '');
      q = q.where((eb) => eb.or([text, ...(art ? [eb('p.articleNorm', 'like', `%${art}%`)] : [])]));
    }
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await q.selectAll('p').orderBy('p.brandNorm').orderBy('p.articleNorm').orderBy('p.id').limit(limit).offset(offset).execute();
    return { total: Number(total), rows };
  }

  /** A product some integration shows, or null. */
  async visibleProduct(id: number): Promise<ProductRow | null> {
    return (await this.#visible().selectAll('p').where('p.id', '=', id).executeTakeFirst()) ?? null;
  }

  /** The photos of these products, by position. */
  async imagesOf(productIds: readonly number[]): Promise<ProductImageRef[]> {
    if (productIds.length === 0) return [];
    const rows = await this.db.selectFrom('productImages').select(['productId', 'position', 'filename']).where('productId', 'in', [...productIds]).orderBy('position').execute();
    return rows.map((r) => ({ productId: Number(r.productId), position: r.position, filename: r.filename }));
  }

  /** R2/C8: live categories by name; with an integration, the store's own plus that integration's. */
  async liveCategories(integrationId?: number): Promise<CategoryRecord[]> {
    let q = this.db.selectFrom('categories').select(['id', 'parentId', 'name']).where('archived', '=', 0);
    if (integrationId !== undefined) q = q.where((eb) => eb.or([eb('integrationId', 'is', null), eb('integrationId', '=', integrationId)]));
    const rows = await q.orderBy('name').orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), parentId: r.parentId === null ? null : Number(r.parentId), name: r.name }));
  }
}
