/**
 * @module product-repository
 * The store's product directory (R15), per MoySklad account. Bulk upserts are chunked inside one
 * transaction (fast on SQLite: one fsync per batch, not per row).
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import { searchTextOf } from '../../domain/search-text.js';
import { chunk, flag, nowIso, sqliteHandleOf } from '../database.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import type { ProductRow, ProductSyncState } from '../schema.js';

export type Product = ProductRow;

/** A product as the nomenclature sync produces it. Norms are computed when omitted. */
export interface ProductUpsert {
  msId: string;
  brand: string;
  brandNorm?: string;
  article: string;
  articleNorm?: string;
  code?: string | null;
  name: string;
  description?: string | null;
  categoryId?: number | null;
  msFolderId?: string | null;
  archived?: boolean;
  deleted?: boolean;
  /** MoySklad `updated` as ISO UTC. */
  msUpdated?: string | null;
  syncState?: ProductSyncState;
  skipReason?: string | null;
}

export interface ListProductsOptions {
  limit?: number;
  afterId?: number;
  /** Only products whose row changed at or after this ISO time. */
  updatedSince?: string;
  includeDeleted?: boolean;
  categoryId?: number;
  articleNorm?: string;
}

/** ~16 parameters per row; 1000 rows stay below SQLite's 32766 and PostgreSQL's 65535. */
const PRODUCT_CHUNK = 1000;

/** Same statement as the Kysely path below, for the SQLite fast path. Keep the two in step. */
const SQLITE_UPSERT = `insert into products (ms_account_id, ms_id, brand, brand_norm, article, article_norm, code, name, description,
  category_id, ms_folder_id, archived, deleted, ms_updated, sync_state, skip_reason, search_text, created_at, updated_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (ms_account_id, ms_id) do update set brand = excluded.brand, brand_norm = excluded.brand_norm,
  article = excluded.article, article_norm = excluded.article_norm, code = excluded.code, name = excluded.name,
  description = excluded.description, category_id = excluded.category_id, ms_folder_id = excluded.ms_folder_id,
  archived = excluded.archived, deleted = excluded.deleted, ms_updated = excluded.ms_updated,
  sync_state = excluded.sync_state, skip_reason = excluded.skip_reason, search_text = excluded.search_text, updated_at = excluded.updated_at`;

export class ProductRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * R15 Inserts or overwrites products by (msAccountId, msId): MoySklad wins for every field.
   * Returns how many rows were written.
   */
  async upsertMany(msAccountId: number, products: readonly ProductUpsert[]): Promise<number> {
    if (products.length === 0) return 0;
    const at = nowIso(this.clock);
    const values = products.map((p) => ({
      msAccountId,
      msId: p.msId,
      brand: p.brand,
      brandNorm: p.brandNorm ?? normalizeBrand(p.brand),
      article: p.article,
      articleNorm: p.articleNorm ?? normalizeArticle(p.article),
      code: p.code ?? null,
      name: p.name,
      description: p.description ?? null,
      categoryId: p.categoryId ?? null,
      msFolderId: p.msFolderId ?? null,
      archived: flag(p.archived),
      deleted: flag(p.deleted),
      msUpdated: p.msUpdated ?? null,
      syncState: p.syncState ?? ('ok' as const),
      skipReason: p.skipReason ?? null,
      searchText: searchTextOf(p.name, p.code, p.brand, p.article),
      createdAt: at,
      updatedAt: at,
    }));
    const sqlite = sqliteHandleOf(this.db);
    if (sqlite && !sqlite.inTransaction) {
      // SQLite fast path: one prepared statement in one synchronous transaction.
      const stmt = sqlite.prepare(SQLITE_UPSERT);
      sqlite.transaction(() => {
        for (const v of values) {
          stmt.run([v.msAccountId, v.msId, v.brand, v.brandNorm, v.article, v.articleNorm, v.code, v.name, v.description, v.categoryId, v.msFolderId, v.archived, v.deleted, v.msUpdated, v.syncState, v.skipReason, v.searchText, v.createdAt, v.updatedAt]);
        }
      })();
      return values.length;
    }
    await withTransaction(this.db, async (tx) => {
      for (const part of chunk(values, PRODUCT_CHUNK)) {
        await tx
          .insertInto('products')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['msAccountId', 'msId']).doUpdateSet((eb) => ({
              brand: eb.ref('excluded.brand'),
              brandNorm: eb.ref('excluded.brandNorm'),
              article: eb.ref('excluded.article'),
              articleNorm: eb.ref('excluded.articleNorm'),
              code: eb.ref('excluded.code'),
              name: eb.ref('excluded.name'),
              description: eb.ref('excluded.description'),
              categoryId: eb.ref('excluded.categoryId'),
              msFolderId: eb.ref('excluded.msFolderId'),
              archived: eb.ref('excluded.archived'),
              deleted: eb.ref('excluded.deleted'),
              msUpdated: eb.ref('excluded.msUpdated'),
              syncState: eb.ref('excluded.syncState'),
              skipReason: eb.ref('excluded.skipReason'),
              searchText: eb.ref('excluded.searchText'),
              updatedAt: eb.ref('excluded.updatedAt'),
            })),
          )
          .execute();
      }
    });
    return values.length;
  }

  /**
   * After a full resync (R17/R19): products of the account not written since `since` (the run's
   * start) no longer exist in MoySklad and are marked deleted. Returns how many.
   */
  async markMissingDeleted(msAccountId: number, since: string): Promise<number> {
    const r = await this.db
      .updateTable('products')
      .set({ deleted: 1, updatedAt: nowIso(this.clock) })
      .where('msAccountId', '=', msAccountId)
      .where('updatedAt', '<', since)
      .where('deleted', '=', 0)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * R19 The one way products leave the store: deleted = 1, updated_at = now, and their data-quality
   * issues go (per 500 ids, one transaction each). Returns the MoySklad ids it marked (those live before).
   */
  async markDeleted(msAccountId: number, msIds: readonly string[]): Promise<string[]> {
    if (msIds.length === 0) return [];
    const at = nowIso(this.clock);
    const marked: string[] = [];
    for (const part of chunk(msIds, 500)) {
      await withTransaction(this.db, async (tx) => {
        const rows = await tx
          .updateTable('products')
          .set({ deleted: 1, updatedAt: at })
          .where('msAccountId', '=', msAccountId)
          .where('deleted', '=', 0)
          .where('msId', 'in', part)
          .returning('msId')
          .execute();
        marked.push(...rows.map((r) => r.msId));
        await tx.deleteFrom('dataQualityIssues').where('msAccountId', '=', msAccountId).where('msProductId', 'in', part).execute();
      });
    }
    return marked;
  }

  /** Of `msIds`, those that are live (not deleted) products of the account, in the stored spelling. */
  async liveMsIds(msAccountId: number, msIds: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const part of chunk(msIds, 500)) {
      const rows = await this.db.selectFrom('products').select('msId').where('msAccountId', '=', msAccountId).where('deleted', '=', 0).where('msId', 'in', part).orderBy('msId').execute();
      out.push(...rows.map((r) => r.msId));
    }
    return out;
  }

  async find(id: number): Promise<Product | null> {
    return (await this.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async get(id: number): Promise<Product> {
    const p = await this.find(id);
    if (!p) throw new NotFoundError('product', id);
    return p;
  }

  async findByMsId(msAccountId: number, msId: string): Promise<Product | null> {
    return (
      (await this.db
        .selectFrom('products')
        .selectAll()
        .where('msAccountId', '=', msAccountId)
        .where('msId', '=', msId)
        .executeTakeFirst()) ?? null
    );
  }

  /** Map msId → product id for a batch (stock sync joins rows to products). */
  async idsByMsIds(msAccountId: number, msIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const part of chunk(msIds, 1000)) {
      const rows = await this.db
        .selectFrom('products')
        .select(['id', 'msId'])
        .where('msAccountId', '=', msAccountId)
        .where('msId', 'in', part)
        .execute();
      for (const r of rows) out.set(r.msId, r.id);
    }
    return out;
  }

  /** C2: of these product ids, those that have variants in the store (index `products_parent_idx`). */
  async parentsWithVariants(msAccountId: number, parentMsIds: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const part of chunk(parentMsIds, 500)) {
      const rows = await this.db.selectFrom('products').select('parentMsId').distinct().where('msAccountId', '=', msAccountId).where('parentMsId', 'in', part).execute();
      for (const r of rows) if (r.parentMsId !== null) out.push(r.parentMsId);
    }
    return out.sort();
  }

  /** R20 Products matching brand + article (normalized), not deleted, synced ones first. */
  async findByBrandArticle(msAccountId: number, brand: string, article: string): Promise<Product[]> {
    return this.db
      .selectFrom('products')
      .selectAll()
      .where('msAccountId', '=', msAccountId)
      .where('brandNorm', '=', normalizeBrand(brand))
      .where('articleNorm', '=', normalizeArticle(article))
      .where('deleted', '=', 0)
      .orderBy('archived')
      .orderBy('id')
      .execute();
  }

  async list(msAccountId: number, options: ListProductsOptions = {}): Promise<Product[]> {
    let q = this.db.selectFrom('products').selectAll().where('msAccountId', '=', msAccountId).orderBy('id');
    if (!options.includeDeleted) q = q.where('deleted', '=', 0);
    if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
    if (options.updatedSince !== undefined) q = q.where('updatedAt', '>=', options.updatedSince);
    if (options.categoryId !== undefined) q = q.where('categoryId', '=', options.categoryId);
    if (options.articleNorm !== undefined) q = q.where('articleNorm', '=', options.articleNorm);
    if (options.limit !== undefined) q = q.limit(options.limit);
    return q.execute();
  }

  async count(msAccountId: number, options: { includeDeleted?: boolean; syncState?: ProductSyncState } = {}): Promise<number> {
    let q = this.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('msAccountId', '=', msAccountId);
    if (!options.includeDeleted) q = q.where('deleted', '=', 0);
    if (options.syncState) q = q.where('syncState', '=', options.syncState);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
