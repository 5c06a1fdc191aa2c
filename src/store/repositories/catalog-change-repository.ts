/**
 * @module catalog-change-repository
 * E1 reads of the catalog change sequence (`catalog_changes`, written by the triggers of migration
 * 0034 in the transaction of every product change). One statement per page, so a page is one
 * consistent snapshot; a product that changed again since appears once, at its latest number.
 */
import { sql, type ExpressionBuilder, type SqlBool, type Expression } from 'kysely';
import { catalogChangeKind, type CatalogChangeKind } from '../../domain/catalog-changes.js';
import type { Db } from '../db.js';
import type { Database, ProductRow } from '../schema.js';
import { visibleInSomeIntegration, visibleUnderRoot, type IntegrationRoot } from './catalog-scope-repository.js';

export interface CatalogChange {
  seq: number;
  product: ProductRow;
  change: CatalogChangeKind;
}

export interface CatalogChangePage {
  items: CatalogChange[];
  /** More changes follow the page (read again at once with the page's last number). */
  hasMore: boolean;
}

type ProductsEb = ExpressionBuilder<Database & { p: Database['products'] }, 'p'>;

export class CatalogChangeRepository {
  constructor(private readonly db: Db) {}

  /**
   * Changes with a number greater than `after`, oldest first, at most `limit`. With an integration:
   * its account's products, in scope when under its root folder (C5); without: every product, in
   * scope when some integration shows it.
   */
  async page(after: number, limit: number, integration?: IntegrationRoot): Promise<CatalogChangePage> {
    let q = this.db
      .selectFrom('catalogChanges as c')
      .innerJoin('products as p', 'p.id', 'c.productId')
      .selectAll('p')
      .select('c.seq')
      .select((eb) => {
        const peb = eb as unknown as ProductsEb;
        const inScope: Expression<SqlBool> = integration ? visibleUnderRoot(peb, integration.rootFolderMsId) : visibleInSomeIntegration(peb);
        return sql<number>`case when ${inScope} then 1 else 0 end`.as('inScope');
      })
      .where('c.seq', '>', after);
    if (integration) q = q.where('p.msAccountId', '=', integration.msAccountId);
    const rows = await q.orderBy('c.seq').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(({ seq, inScope, ...product }) => ({
      seq: Number(seq),
      product: product as ProductRow,
      change: catalogChangeKind({ deleted: product.deleted === 1, archived: product.archived === 1, synced: product.syncState === 'ok', inScope: Number(inScope) === 1 }),
    }));
    return { items, hasMore: rows.length > limit };
  }

  /** The highest number written so far (0 when none). */
  async latest(): Promise<number> {
    const r = await this.db.selectFrom('catalogChanges').select((eb) => eb.fn.max('seq').as('top')).executeTakeFirst();
    return Number(r?.top ?? 0);
  }
}
