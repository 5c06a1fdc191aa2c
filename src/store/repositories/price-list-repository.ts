/**
 * @module price-list-repository
 * Price lists (R11–R14) and their rows. The one place rows are written (R11, issue 6): a reader
 * sees the old list or the new one, never a mix — also a reader that pages through the list (the
 * CSV export) as long as it pins the generation it started with.
 *
 * How: the rows readers see are those of `price_lists.generation`. A sync writes the next
 * generation's rows in short chunked transactions (invisible to readers, who filter on the current
 * generation), then ONE short transaction flips `price_lists.generation` — guarded by the
 * generation it started from, so two writers cannot both win. The previous generation is kept
 * until the next swap starts (so a paging reader that pinned it can finish), then deleted with any
 * leftovers of a failed swap. A failed or abandoned swap never touches the current generation.
 *
 * A full sync may stage the next generation piecewise (`beginSwap` → `StagedSwap`: insert rows,
 * fix quantities by row id, delete rows, then commit = the same guarded flip).
 *
 * Incremental syncs patch the current generation in place in ONE transaction (`patchRows`):
 * readers see the list before or after it, never a mix, and no copy of the list is made.
 * `withPriceListLock` serialises writers of one price list within the process. The row writes
 * themselves are `price-list-row-repository.ts`. */
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import {
  clearOtherGenerations,
  discardGeneration,
  flip,
  patchGeneration,
  StagedSwap,
  writeRows,
  type PriceListRowInput,
  type RowPatch,
  type SwapOptions,
  type SwapResult,
} from './price-list-row-repository.js';
import type { PriceListRow, PriceListRowRow, StockType } from '../schema.js';

export { PriceListSwapConflictError, StagedSwap, type PriceListRowInput, type RowPatch, type SwapOptions, type SwapResult } from './price-list-row-repository.js';

export type PriceList = PriceListRow;

export interface PriceListInput {
  regionId: number;
  name: string;
  msStoreId?: string | null;
  stockType?: StockType;
  priceTypeMsId?: string | null;
  syncIntervalMinutes?: number | null;
  deliveryDays?: number | null;
  /** C3: publish products without a price for the price type with an empty price (default: leave them out). */
  publishWithoutPrice?: boolean;
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
        publishWithoutPrice: input.publishWithoutPrice ? 1 : 0,
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
        ...(patch.publishWithoutPrice !== undefined ? { publishWithoutPrice: patch.publishWithoutPrice ? (1 as const) : (0 as const) } : {}),
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
   * R11 Replaces the whole contents of a price list with `rows` (full sync). `fromGeneration`
   * (default: the current one) is the generation the caller read the old rows of; if another
   * writer flipped meanwhile the swap fails with `price_list_swap_conflict` and the other writer's
   * rows stay. Duplicate msProductIds: last wins.
   */
  async replaceRows(priceListId: number, rows: readonly PriceListRowInput[], options: SwapOptions = {}): Promise<SwapResult> {
    const unique = new Map<string, PriceListRowInput>();
    for (const r of rows) unique.set(r.msProductId, r);
    return this.#swap(priceListId, options, (_from, next) => writeRows(this.db, priceListId, next, [...unique.values()], options));
  }

  /**
   * Applies changes to the CURRENT generation in place, in ONE transaction (incremental stock sync,
   * B3): sets `quantities` by row id, upserts `upserts`, deletes `removeMsProductIds`, recounts
   * the rows (only when rows were added or removed) and stores the cursor —
   * readers see the list before or after the patch, never a mix (one transaction on SQLite and on
   * PostgreSQL). Guarded like a flip: if another writer swapped the list since `fromGeneration`
   * the transaction rolls back with `price_list_swap_conflict`. A reader paging through the
   * patched generation (`iterateRows`) notices the patch and fails instead of mixing.
   */
  async patchRows(priceListId: number, patch: RowPatch, options: SwapOptions = {}): Promise<SwapResult> {
    const t0 = this.clock.nowMs();
    const generation = options.fromGeneration ?? (await this.get(priceListId)).generation;
    return patchGeneration(this.db, this.clock, priceListId, generation, patch, options, t0);
  }

  /** Moves the stock cursor only, while the list is still at `generation` (an incremental run without changes). */
  async moveStockCursor(priceListId: number, generation: number, stockCursor: string, lastSyncAt: string): Promise<void> {
    await this.db.updateTable('priceLists').set({ stockCursor, lastSyncAt, updatedAt: nowIso(this.clock) }).where('id', '=', priceListId).where('generation', '=', generation).execute();
  }

  /**
   * Starts a swap whose rows are written piecewise (`StagedSwap`): clears the other generations
   * and returns a writer for the next one, invisible to readers until `commit` flips to it.
   * The full stock sync stages the rows while its MoySklad request is in flight, then fixes the
   * quantities by row id when the report arrives. `abort` (or a failed commit) discards the rows.
   */
  async beginSwap(priceListId: number, options: SwapOptions = {}): Promise<StagedSwap> {
    const fromGeneration = options.fromGeneration ?? (await this.get(priceListId)).generation;
    await clearOtherGenerations(this.db, priceListId, fromGeneration);
    return new StagedSwap(this.db, this.clock, priceListId, fromGeneration, options);
  }

  /**
   * The frame of every swap: clears the other generations, writes the next one (`write`), flips
   * to it; on any failure the unfinished generation is discarded and the error rethrown.
   */
  async #swap(priceListId: number, options: SwapOptions, write: (fromGeneration: number, next: number) => Promise<void>): Promise<SwapResult> {
    const { db, clock } = this;
    const t0 = clock.nowMs();
    const fromGeneration = options.fromGeneration ?? (await this.get(priceListId)).generation;
    const next = fromGeneration + 1;
    await clearOtherGenerations(db, priceListId, fromGeneration);
    try {
      await write(fromGeneration, next);
      const t1 = clock.nowMs();
      const rowCount = await flip(db, clock, priceListId, fromGeneration, next, options.stockCursor);
      return { generation: next, rowCount, writeMs: t1 - t0, flipMs: clock.nowMs() - t1 };
    } catch (e) {
      await discardGeneration(db, priceListId, next);
      throw e;
    }
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
   * survives one swap). If the pinned rows change under the reader (a second swap deleted them —
   * the count no longer matches — or `patchRows` patched them in place — the list's `updated_at`
   * moved while it stayed on the pinned generation), `ConflictError('price_list_swapped')` is
   * thrown: a partial or mixed export is never passed off as complete; the caller restarts.
   */
  async *iterateRows(priceListId: number, pageSize = 5000): AsyncGenerator<PriceListItem[]> {
    const { generation, rowCount, updatedAt } = await this.get(priceListId);
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
      // An in-place patch (`patchRows`) of the pinned generation while it is current: the pages
      // read so far may be older than the rest, so the read fails rather than mixing.
      const now = await this.db.selectFrom('priceLists').select(['generation', 'updatedAt']).where('id', '=', priceListId).executeTakeFirst();
      if (now && now.generation === generation && now.updatedAt !== updatedAt) {
        throw new ConflictError('price_list_swapped', `price list ${priceListId} was patched during the read; retry`);
      }
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

/** In-process serialisation per price list (across processes the queue's credential lease does it). */
const locks = new Map<number, Promise<unknown>>();
export async function withPriceListLock<T>(priceListId: number, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(priceListId) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  locks.set(priceListId, tail);
  try {
    return await run;
  } finally {
    if (locks.get(priceListId) === tail) locks.delete(priceListId);
  }
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
