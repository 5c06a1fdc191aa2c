/**
 * @module price-list-repository
 * Price lists (R11–R14) and their rows. Rows are replaced by an atomic generation swap:
 * new rows are written under `generation + 1`, then one short transaction flips
 * `price_lists.generation`; readers join rows on the list's current generation in one statement,
 * so they see the old list or the new one, never a mix. The previous generation is kept until
 * the next swap starts (so an export that pinned it can finish), then deleted with any leftovers
 * of a failed swap. Same rule as the stock sync's swap (`src/sync/stock/price-list-swap.ts`).
 */
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import { sql } from 'kysely';
import { chunk, nowIso, sqliteHandleOf } from '../database.js';
import { dialectOf } from '../dialect-of.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import type { PriceListRow, PriceListRowRow, StockType } from '../schema.js';

export type PriceList = PriceListRow;

export interface PriceListInput {
  regionId: number;
  name: string;
  msStoreId?: string | null;
  stockType?: StockType;
  priceTypeMsId?: string | null;
  syncIntervalMinutes?: number | null;
  deliveryDays?: number | null;
}

/** One row of a price list as a sync produces it. `articleNorm` is computed when omitted. */
export interface PriceListRowInput {
  productId?: number | null;
  msProductId: string;
  brand: string;
  article: string;
  articleNorm?: string;
  name: string;
  quantity: number;
  /** Kopecks. */
  price: number;
}

export type PriceListItem = Omit<PriceListRowRow, 'generation'>;

export interface ListRowsOptions {
  limit?: number;
  /** Rows with id greater than this (keyset pagination). */
  afterId?: number;
  articleNorm?: string;
  /** Only rows with quantity > 0. */
  inStockOnly?: boolean;
}

/** 10 parameters per row: far below SQLite's and PostgreSQL's limits. */
const ROW_CHUNK = 1000;

export class PriceListRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(regionId?: number): Promise<PriceList[]> {
    let q = this.db.selectFrom('priceLists').selectAll().orderBy('id');
    if (regionId !== undefined) q = q.where('regionId', '=', regionId);
    return q.execute();
  }

  /** Bound price lists with a sync interval (the scheduler's input, R12). */
  async listScheduled(): Promise<PriceList[]> {
    return this.db
      .selectFrom('priceLists')
      .selectAll()
      .where('msStoreId', 'is not', null)
      .where('syncIntervalMinutes', 'is not', null)
      .orderBy('id')
      .execute();
  }

  async find(id: number): Promise<PriceList | null> {
    return (await this.db.selectFrom('priceLists').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async get(id: number): Promise<PriceList> {
    const p = await this.find(id);
    if (!p) throw new NotFoundError('price_list', id);
    return p;
  }

  async create(input: PriceListInput): Promise<PriceList> {
    checkInterval(input.msStoreId ?? null, input.syncIntervalMinutes ?? null);
    const at = nowIso(this.clock);
    return this.db
      .insertInto('priceLists')
      .values({
        regionId: input.regionId,
        name: input.name,
        msStoreId: input.msStoreId ?? null,
        ...(input.stockType ? { stockType: input.stockType } : {}),
        priceTypeMsId: input.priceTypeMsId ?? null,
        syncIntervalMinutes: input.syncIntervalMinutes ?? null,
        deliveryDays: input.deliveryDays ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Unbinding (msStoreId null) also clears the sync interval (R12: only set once bound). */
  async update(id: number, patch: Partial<Omit<PriceListInput, 'regionId'>>): Promise<PriceList> {
    const current = await this.get(id);
    const msStoreId = patch.msStoreId !== undefined ? patch.msStoreId : current.msStoreId;
    let interval = patch.syncIntervalMinutes !== undefined ? patch.syncIntervalMinutes : current.syncIntervalMinutes;
    if (msStoreId === null && patch.syncIntervalMinutes === undefined) interval = null;
    checkInterval(msStoreId, interval);
    const row = await this.db
      .updateTable('priceLists')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.stockType !== undefined ? { stockType: patch.stockType } : {}),
        ...(patch.priceTypeMsId !== undefined ? { priceTypeMsId: patch.priceTypeMsId } : {}),
        ...(patch.deliveryDays !== undefined ? { deliveryDays: patch.deliveryDays } : {}),
        msStoreId,
        syncIntervalMinutes: interval,
        ...(msStoreId !== current.msStoreId ? { stockCursor: null } : {}),
        updatedAt: nowIso(this.clock),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('price_list', id);
    return row;
  }

  async delete(id: number): Promise<void> {
    const r = await this.db.deleteFrom('priceLists').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError('price_list', id);
  }

  /**
   * R11 Replaces all rows of the price list atomically (see module doc). Returns the new
   * generation and row count. Rows with the same msProductId: the last one wins.
   */
  async replaceRows(
    priceListId: number,
    rows: readonly PriceListRowInput[],
    options: { stockCursor?: string | null } = {},
  ): Promise<{ generation: number; rowCount: number }> {
    const current = await this.get(priceListId);
    const next = current.generation + 1;
    const unique = new Map<string, PriceListRowInput>();
    for (const r of rows) unique.set(r.msProductId, r);
    const values = [...unique.values()].map((r) => ({
      priceListId,
      generation: next,
      productId: r.productId ?? null,
      msProductId: r.msProductId,
      brand: r.brand,
      article: r.article,
      articleNorm: r.articleNorm ?? normalizeArticle(r.article),
      name: r.name,
      quantity: r.quantity,
      price: Math.round(r.price),
    }));
    const flipValues = {
      generation: next,
      rowCount: values.length,
      lastSyncAt: nowIso(this.clock),
      ...(options.stockCursor !== undefined ? { stockCursor: options.stockCursor } : {}),
      updatedAt: nowIso(this.clock),
    };
    const concurrent = (): ValidationError => new ValidationError(`price list ${priceListId} was replaced concurrently; retry`);
    const sqlite = sqliteHandleOf(this.db);
    if (sqlite && !sqlite.inTransaction) {
      // SQLite fast path: prepared statements in one synchronous transaction (readers in WAL mode
      // keep seeing the old generation until it commits).
      const insert = sqlite.prepare(SQLITE_INSERT_ROW);
      sqlite.transaction(() => {
        sqlite.prepare('delete from price_list_rows where price_list_id = ? and generation <> ?').run(priceListId, current.generation);
        for (const v of values) {
          insert.run([v.priceListId, v.generation, v.productId, v.msProductId, v.brand, v.article, v.articleNorm, v.name, v.quantity, v.price]);
        }
        const r = sqlite
          .prepare(
            'update price_lists set generation = ?, row_count = ?, last_sync_at = ?, stock_cursor = coalesce(?, stock_cursor), updated_at = ? where id = ? and generation = ?',
          )
          .run(next, values.length, flipValues.lastSyncAt, options.stockCursor ?? null, flipValues.updatedAt, priceListId, current.generation);
        if (r.changes !== 1) throw concurrent();
        if (options.stockCursor === null) sqlite.prepare('update price_lists set stock_cursor = null where id = ?').run(priceListId);
      })();
    } else {
      await withTransaction(this.db, async (tx) => {
        // Leftovers of a crashed swap (generations other than the current) are cleared first.
        await tx.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '<>', current.generation).execute();
        await insertRows(tx, values);
        const flipped = await tx
          .updateTable('priceLists')
          .set(flipValues)
          .where('id', '=', priceListId)
          .where('generation', '=', current.generation)
          .executeTakeFirst();
        if (Number(flipped.numUpdatedRows) !== 1) throw concurrent();
      });
    }
    return { generation: next, rowCount: values.length };
  }

  /**
   * Updates some rows of the current generation in place (incremental stock sync, B3): rows
   * with a known msProductId get new quantity/price, new ones are added, `removeMsProductIds` deleted.
   */
  async patchRows(
    priceListId: number,
    upserts: readonly PriceListRowInput[],
    removeMsProductIds: readonly string[] = [],
    options: { stockCursor?: string | null } = {},
  ): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      const pl = await tx.selectFrom('priceLists').select('generation').where('id', '=', priceListId).executeTakeFirst();
      if (!pl) throw new NotFoundError('price_list', priceListId);
      for (const part of chunk(upserts, ROW_CHUNK)) {
        await tx
          .insertInto('priceListRows')
          .values(
            part.map((r) => ({
              priceListId,
              generation: pl.generation,
              productId: r.productId ?? null,
              msProductId: r.msProductId,
              brand: r.brand,
              article: r.article,
              articleNorm: r.articleNorm ?? normalizeArticle(r.article),
              name: r.name,
              quantity: r.quantity,
              price: Math.round(r.price),
            })),
          )
          .onConflict((oc) =>
            oc.columns(['priceListId', 'generation', 'msProductId']).doUpdateSet((eb) => ({
              productId: eb.ref('excluded.productId'),
              brand: eb.ref('excluded.brand'),
              article: eb.ref('excluded.article'),
              articleNorm: eb.ref('excluded.articleNorm'),
              name: eb.ref('excluded.name'),
              quantity: eb.ref('excluded.quantity'),
              price: eb.ref('excluded.price'),
            })),
          )
          .execute();
      }
      for (const part of chunk(removeMsProductIds, ROW_CHUNK)) {
        await tx
          .deleteFrom('priceListRows')
          .where('priceListId', '=', priceListId)
          .where('generation', '=', pl.generation)
          .where('msProductId', 'in', part)
          .execute();
      }
      const count = await tx
        .selectFrom('priceListRows')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('priceListId', '=', priceListId)
        .where('generation', '=', pl.generation)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('priceLists')
        .set({
          rowCount: Number(count.n),
          lastSyncAt: nowIso(this.clock),
          ...(options.stockCursor !== undefined ? { stockCursor: options.stockCursor } : {}),
          updatedAt: nowIso(this.clock),
        })
        .where('id', '=', priceListId)
        .execute();
    });
  }

  /** Rows of the current generation, ordered by id (one statement: consistent during a swap). */
  async listRows(priceListId: number, options: ListRowsOptions = {}): Promise<PriceListItem[]> {
    let q = this.db
      .selectFrom('priceListRows as r')
      .innerJoin('priceLists as p', (j) => j.onRef('p.id', '=', 'r.priceListId').onRef('p.generation', '=', 'r.generation'))
      .select([
        'r.id',
        'r.priceListId',
        'r.productId',
        'r.msProductId',
        'r.brand',
        'r.article',
        'r.articleNorm',
        'r.name',
        'r.quantity',
        'r.price',
      ])
      .where('r.priceListId', '=', priceListId)
      .orderBy('r.id');
    if (options.afterId !== undefined) q = q.where('r.id', '>', options.afterId);
    if (options.articleNorm !== undefined) q = q.where('r.articleNorm', '=', options.articleNorm);
    if (options.inStockOnly) q = q.where('r.quantity', '>', 0);
    if (options.limit !== undefined) q = q.limit(options.limit);
    return q.execute();
  }

  /**
   * Streams every row of ONE generation in pages (CSV export): the generation current at the
   * start is pinned, so a swap during the export never mixes lists (the previous generation
   * survives one swap). If the pinned rows change under the reader (a second swap deleted them,
   * or an in-place patch), the count no longer matches and `ConflictError('price_list_swapped')`
   * is thrown: a partial export is never passed off as complete; the caller restarts.
   */
  async *iterateRows(priceListId: number, pageSize = 5000): AsyncGenerator<PriceListItem[]> {
    const { generation, rowCount } = await this.get(priceListId);
    let afterId: number | undefined;
    let seen = 0;
    for (;;) {
      let q = this.db
        .selectFrom('priceListRows')
        .select(['id', 'priceListId', 'productId', 'msProductId', 'brand', 'article', 'articleNorm', 'name', 'quantity', 'price'])
        .where('priceListId', '=', priceListId)
        .where('generation', '=', generation)
        .orderBy('id')
        .limit(pageSize);
      if (afterId !== undefined) q = q.where('id', '>', afterId);
      const page = await q.execute();
      seen += page.length;
      if (page.length < pageSize && seen !== rowCount) {
        throw new ConflictError('price_list_swapped', `price list ${priceListId} changed during the read (${seen} of ${rowCount} rows); retry`);
      }
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      afterId = page[page.length - 1]?.id;
    }
  }
}

const SQLITE_INSERT_ROW = `insert into price_list_rows
  (price_list_id, generation, product_id, ms_product_id, brand, article, article_norm, name, quantity, price)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

type RowValues = {
  priceListId: number;
  generation: number;
  productId: number | null;
  msProductId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  quantity: number;
  price: number;
};

/**
 * Inserts rows through Kysely: on PostgreSQL as `unnest` of column arrays (10,000 rows per
 * statement, an order of magnitude faster than multi-row VALUES); elsewhere multi-row VALUES.
 */
async function insertRows(tx: Db, values: readonly RowValues[]): Promise<void> {
  if (dialectOf(tx) === 'postgres') {
    for (const part of chunk(values, 10_000)) {
      const first = part[0];
      if (!first) continue;
      await sql`insert into price_list_rows
        (price_list_id, generation, product_id, ms_product_id, brand, article, article_norm, name, quantity, price)
        select ${first.priceListId}::integer, ${first.generation}::integer, u.* from unnest(
          ${part.map((v) => v.productId)}::integer[], ${part.map((v) => v.msProductId)}::text[],
          ${part.map((v) => v.brand)}::text[], ${part.map((v) => v.article)}::text[],
          ${part.map((v) => v.articleNorm)}::text[], ${part.map((v) => v.name)}::text[],
          ${part.map((v) => v.quantity)}::double precision[], ${part.map((v) => v.price)}::bigint[]) as u`.execute(tx);
    }
    return;
  }
  for (const part of chunk(values, ROW_CHUNK)) await tx.insertInto('priceListRows').values(part).execute();
}

function checkInterval(msStoreId: string | null, interval: number | null): void {
  if (interval !== null && msStoreId === null) {
    throw new ValidationError('sync interval can only be set once the price list is bound to a MoySklad store', {
      syncIntervalMinutes: 'price list is not bound to a store (R12)',
    });
  }
  if (interval !== null && (!Number.isInteger(interval) || interval < 1)) {
    throw new ValidationError('sync interval must be a whole number of minutes ≥ 1', { syncIntervalMinutes: 'must be ≥ 1' });
  }
}
