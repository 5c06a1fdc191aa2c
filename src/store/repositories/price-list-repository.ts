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
 * `withPriceListLock` serialises writers of one price list within the process. */
import type { Clock } from '../../core/clock.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import { sql } from 'kysely';
import { chunk, nowIso, sqliteHandleOf } from '../database.js';
import { dialectOf } from '../dialect-of.js';
import type { Db } from '../db.js';
import { recordPlatformEvent, recordPlatformEventSqlite } from './platform-event-recorder.js';
import { recordRowChanges, recordRowChangesSqlite, type TouchedRows } from './price-list-change-repository.js';
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
  /** C3: publish products without a price for the price type with an empty price (default: leave them out). */
  publishWithoutPrice?: boolean;
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
  /** Kopecks; null = no price for the list's price type, published empty (C3, never 0). */
  price: number | null;
}

export type PriceListItem = Omit<PriceListRowRow, 'generation'>;

/** Changes to the current generation (`patchRows`). */
export interface RowPatch {
  /** Rows to insert or replace (by MoySklad product id). */
  upserts?: readonly PriceListRowInput[];
  removeMsProductIds?: readonly string[];
  /** New quantities of existing rows, by row id (nothing else of the row changes). */
  quantities?: ReadonlyArray<{ id: number; quantity: number }>;
}

export class PriceListSwapConflictError extends AppError {
  constructor(priceListId: number) {
    super('price_list_swap_conflict', `price list ${priceListId} was replaced by another sync meanwhile; its rows were left as the other sync wrote them`, {
      status: 409,
    });
    this.name = 'PriceListSwapConflictError';
  }
}

export interface SwapOptions {
  /** The generation the caller read the old rows of (default: the current one, read at the start). */
  fromGeneration?: number;
  /** Rows per insert statement and per write transaction (default 500 / 5000). */
  rowsPerStatement?: number;
  rowsPerTransaction?: number;
  /** Called after each write transaction of the new generation (progress; tests interleave reads here). */
  onChunkWritten?: (written: number, total: number) => void | Promise<void>;
  /** Stored with the flip (the incremental cursor). */
  stockCursor?: string | null;
  /** Staged swaps: the number of rows expected (the `total` given to `onChunkWritten`). */
  expectedRows?: number;
  /** `patchRows`: called inside its transaction just before the commit (tests read from another connection here). */
  beforeCommit?: () => void | Promise<void>;
}

export interface SwapResult {
  generation: number;
  rowCount: number;
  /** Milliseconds spent writing rows and flipping (the clock's time). */
  writeMs: number;
  flipMs: number;
}

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
    const { db, clock } = this;
    const upserts = patch.upserts ?? [];
    const removeMsProductIds = patch.removeMsProductIds ?? [];
    const quantities = patch.quantities ?? [];
    const touched = upserts.length + removeMsProductIds.length + quantities.length;
    const t0 = clock.nowMs();
    const generation = options.fromGeneration ?? (await this.get(priceListId)).generation;
    const sqlite = sqliteHandleOf(db);
    if (sqlite && !sqlite.inTransaction && !options.beforeCommit) {
      // SQLite fast path: the same statements, prepared, in one synchronous transaction.
      const rowCount = patchSqlite(sqlite, priceListId, generation, patch, nowIso(clock), options.stockCursor);
      await options.onChunkWritten?.(touched, touched);
      return { generation, rowCount, writeMs: clock.nowMs() - t0, flipMs: 0 };
    }
    const rowCount = await db.transaction().execute(async (tx) => {
      const at = nowIso(clock);
      // Claim the list first (guarded by the generation): a concurrent swap fails one of the two.
      const claimed = await tx
        .updateTable('priceLists')
        .set({ lastSyncAt: at, updatedAt: at, ...(options.stockCursor !== undefined ? { stockCursor: options.stockCursor } : {}) })
        .where('id', '=', priceListId)
        .where('generation', '=', generation)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new PriceListSwapConflictError(priceListId);
      if (quantities.length > 0 && dialectOf(tx) === 'postgres') {
        for (const part of chunk(quantities, 10_000)) {
          await sql`update price_list_rows r set quantity = u.q
            from unnest(${part.map((q) => q.id)}::bigint[], ${part.map((q) => q.quantity)}::double precision[]) as u(id, q)
            where r.id = u.id and r.price_list_id = ${priceListId} and r.generation = ${generation}`.execute(tx);
        }
      } else {
        for (const q of quantities) {
          await tx.updateTable('priceListRows').set({ quantity: q.quantity }).where('id', '=', q.id).where('priceListId', '=', priceListId).where('generation', '=', generation).execute();
        }
      }
      for (const part of chunk(removeMsProductIds, 500)) {
        await tx.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '=', generation).where('msProductId', 'in', part).execute();
      }
      const unique = new Map<string, PriceListRowInput>();
      for (const r of upserts) unique.set(r.msProductId, r);
      for (const part of chunk([...unique.values()], 500)) {
        await tx
          .insertInto('priceListRows')
          .values(toValues(priceListId, generation, part))
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
      let n: number;
      if (upserts.length + removeMsProductIds.length > 0) {
        n = Number((await countRows(tx, priceListId, generation)).n);
        await tx.updateTable('priceLists').set({ rowCount: n }).where('id', '=', priceListId).execute();
      } else {
        n = Number((await tx.selectFrom('priceLists').select('rowCount').where('id', '=', priceListId).executeTakeFirstOrThrow()).rowCount);
      }
      await recordRowChanges(tx, priceListId, generation, at, touchedBy(patch));
      await recordPlatformEvent(tx, clock, { type: 'price_list.updated', data: { priceListId, generation, rowCount: n, change: 'patched' } });
      await options.beforeCommit?.();
      return n;
    });
    await options.onChunkWritten?.(touched, touched);
    return { generation, rowCount, writeMs: clock.nowMs() - t0, flipMs: 0 };
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

/**
 * The next generation of a price list, written piecewise (see `PriceListRepository.beginSwap`).
 * Nothing here is visible to readers until `commit` flips `price_lists.generation` to it.
 */
export class StagedSwap {
  readonly generation: number;
  #written = 0;
  #writeMs = 0;
  #done = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly priceListId: number,
    readonly fromGeneration: number,
    private readonly options: SwapOptions,
  ) {
    this.generation = fromGeneration + 1;
  }

  /** Inserts rows (transactions of `rowsPerTransaction`); returns their row ids in input order. */
  async insert(rows: readonly PriceListRowInput[]): Promise<number[]> {
    const perStatement = this.options.rowsPerStatement ?? 500;
    const perTx = Math.max(perStatement, this.options.rowsPerTransaction ?? 5000);
    const ids: number[] = [];
    for (const part of chunk(rows, perTx)) {
      const t0 = this.clock.nowMs();
      for (const id of await writeChunk(this.db, this.priceListId, this.generation, part, perStatement, true)) ids.push(id);
      this.#writeMs += this.clock.nowMs() - t0;
      this.#written += part.length;
      await this.options.onChunkWritten?.(this.#written, Math.max(this.options.expectedRows ?? 0, this.#written));
    }
    return ids;
  }

  /** Sets `quantities[i]` on the staged row `ids[i]`. */
  async setQuantities(ids: readonly number[], quantities: readonly number[]): Promise<void> {
    const t0 = this.clock.nowMs();
    const { db, priceListId, generation } = this;
    const sqlite = sqliteHandleOf(db);
    if (sqlite && !sqlite.inTransaction) {
      const update = sqlite.prepare('update price_list_rows set quantity = ? where id = ? and price_list_id = ? and generation = ?');
      sqlite.transaction(() => {
        for (let i = 0; i < ids.length; i++) update.run(quantities[i], ids[i], priceListId, generation);
      })();
    } else {
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < ids.length; i += 10_000) {
          const partIds = ids.slice(i, i + 10_000);
          const partQ = quantities.slice(i, i + 10_000);
          if (dialectOf(tx) === 'postgres') {
            await sql`update price_list_rows r set quantity = u.q
              from unnest(${partIds}::bigint[], ${partQ}::double precision[]) as u(id, q)
              where r.id = u.id and r.price_list_id = ${priceListId} and r.generation = ${generation}`.execute(tx);
          } else {
            for (let j = 0; j < partIds.length; j++) {
              await tx.updateTable('priceListRows').set({ quantity: partQ[j]! }).where('id', '=', partIds[j]!).where('generation', '=', generation).execute();
            }
          }
        }
      });
    }
    this.#writeMs += this.clock.nowMs() - t0;
  }

  /** Deletes staged rows by id. */
  async deleteIds(ids: readonly number[]): Promise<void> {
    const t0 = this.clock.nowMs();
    for (const part of chunk(ids, 500)) {
      await this.db.deleteFrom('priceListRows').where('priceListId', '=', this.priceListId).where('generation', '=', this.generation).where('id', 'in', part).execute();
    }
    this.#writeMs += this.clock.nowMs() - t0;
  }

  /** Flips readers to the staged generation (guarded by `fromGeneration`); on failure the rows are discarded. */
  async commit(stockCursor?: string | null): Promise<SwapResult> {
    this.#done = true;
    const t1 = this.clock.nowMs();
    try {
      const rowCount = await flip(this.db, this.clock, this.priceListId, this.fromGeneration, this.generation, stockCursor ?? this.options.stockCursor);
      return { generation: this.generation, rowCount, writeMs: this.#writeMs, flipMs: this.clock.nowMs() - t1 };
    } catch (e) {
      await discardGeneration(this.db, this.priceListId, this.generation);
      throw e;
    }
  }

  /** Discards the staged rows (the current generation is untouched). */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await discardGeneration(this.db, this.priceListId, this.generation);
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

const toValues = (priceListId: number, generation: number, rows: readonly PriceListRowInput[]) =>
  rows.map((r) => ({
    priceListId,
    generation,
    productId: r.productId ?? null,
    msProductId: r.msProductId,
    brand: r.brand,
    article: r.article,
    articleNorm: r.articleNorm ?? normalizeArticle(r.article),
    name: r.name,
    quantity: r.quantity,
    price: r.price === null ? null : Math.round(r.price),
  }));

/** Deletes rows of every generation except the current one (leftovers and the kept previous). */
async function clearOtherGenerations(db: Db, priceListId: number, current: number): Promise<void> {
  await db.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '<>', current).execute();
}

function countRows(db: Db, priceListId: number, generation: number): Promise<{ n: number | string | bigint }> {
  return db
    .selectFrom('priceListRows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('priceListId', '=', priceListId)
    .where('generation', '=', generation)
    .executeTakeFirstOrThrow();
}

async function flip(db: Db, clock: Clock, priceListId: number, from: number, to: number, stockCursor: string | null | undefined): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const count = await countRows(tx, priceListId, to);
    const at = nowIso(clock);
    const r = await tx
      .updateTable('priceLists')
      .set({
        generation: to,
        rowCount: Number(count.n),
        lastSyncAt: at,
        ...(stockCursor !== undefined ? { stockCursor } : {}),
        updatedAt: at,
      })
      .where('id', '=', priceListId)
      .where('generation', '=', from)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new PriceListSwapConflictError(priceListId);
    // E2: only the rows that differ from the ones last published become changes.
    await recordRowChanges(tx, priceListId, to, at);
    await recordPlatformEvent(tx, clock, { type: 'price_list.updated', data: { priceListId, generation: to, rowCount: Number(count.n), change: 'replaced' } });
    return Number(count.n);
  });
}

/** E2: the rows a patch touched. */
const touchedBy = (patch: RowPatch): TouchedRows => ({
  msProductIds: [...(patch.upserts ?? []).map((u) => u.msProductId), ...(patch.removeMsProductIds ?? [])],
  rowIds: (patch.quantities ?? []).map((q) => q.id),
});

type SqliteHandle = NonNullable<ReturnType<typeof sqliteHandleOf>>;

/** `patchRows` on SQLite: claim, delete, upsert, recount — one synchronous transaction. */
function patchSqlite(sqlite: SqliteHandle, priceListId: number, generation: number, patch: RowPatch, at: string, stockCursor: string | null | undefined): number {
  const upserts = patch.upserts ?? [];
  const removeMsProductIds = patch.removeMsProductIds ?? [];
  const claim = sqlite.prepare(
    stockCursor !== undefined
      ? 'update price_lists set last_sync_at = ?, updated_at = ?, stock_cursor = ? where id = ? and generation = ?'
      : 'update price_lists set last_sync_at = ?, updated_at = ? where id = ? and generation = ?',
  );
  const remove = sqlite.prepare('delete from price_list_rows where price_list_id = ? and generation = ? and ms_product_id = ?');
  const upsert = sqlite.prepare(`${SQLITE_INSERT}
    on conflict (price_list_id, generation, ms_product_id) do update set product_id = excluded.product_id, brand = excluded.brand,
      article = excluded.article, article_norm = excluded.article_norm, name = excluded.name, quantity = excluded.quantity, price = excluded.price`);
  const setQuantity = sqlite.prepare('update price_list_rows set quantity = ? where id = ? and price_list_id = ? and generation = ?');
  const count = sqlite.prepare('select count(*) as n from price_list_rows where price_list_id = ? and generation = ?');
  const setCount = sqlite.prepare('update price_lists set row_count = ? where id = ?');
  const storedCount = sqlite.prepare('select row_count as n from price_lists where id = ?');
  return sqlite.transaction(() => {
    const claimed = stockCursor !== undefined ? claim.run(at, at, stockCursor, priceListId, generation) : claim.run(at, at, priceListId, generation);
    if (claimed.changes !== 1) throw new PriceListSwapConflictError(priceListId);
    for (const q of patch.quantities ?? []) setQuantity.run(q.quantity, q.id, priceListId, generation);
    for (const id of removeMsProductIds) remove.run(priceListId, generation, id);
    for (const v of toValues(priceListId, generation, upserts)) {
      upsert.run([v.priceListId, v.generation, v.productId, v.msProductId, v.brand, v.article, v.articleNorm, v.name, v.quantity, v.price]);
    }
    let n: number;
    if (upserts.length + removeMsProductIds.length === 0) n = Number((storedCount.get(priceListId) as { n: number }).n);
    else setCount.run((n = Number((count.get(priceListId, generation) as { n: number }).n)), priceListId);
    recordRowChangesSqlite(sqlite, priceListId, generation, at, touchedBy(patch));
    recordPlatformEventSqlite(sqlite, Date.parse(at), { type: 'price_list.updated', data: { priceListId, generation, rowCount: n, change: 'patched' } });
    return n;
  })();
}

const SQLITE_INSERT = `insert into price_list_rows
  (price_list_id, generation, product_id, ms_product_id, brand, article, article_norm, name, quantity, price)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Writes one transaction's worth of rows; with `wantIds` returns their row ids in input order.
 * SQLite: one prepared statement in a synchronous better-sqlite3 transaction (nothing else in the
 * process can interleave; falls back to Kysely when the shared connection is inside another
 * transaction). PostgreSQL: `unnest` of column arrays, 10 000 rows per statement. Otherwise
 * multi-row VALUES.
 */
async function writeChunk(db: Db, priceListId: number, generation: number, rows: readonly PriceListRowInput[], perStatement: number, wantIds = false): Promise<number[]> {
  const values = toValues(priceListId, generation, rows);
  const ids: number[] = [];
  const sqlite = sqliteHandleOf(db);
  if (sqlite && !sqlite.inTransaction) {
    const insert = sqlite.prepare(SQLITE_INSERT);
    sqlite.transaction(() => {
      for (const v of values) {
        const r = insert.run([v.priceListId, v.generation, v.productId, v.msProductId, v.brand, v.article, v.articleNorm, v.name, v.quantity, v.price]);
        if (wantIds) ids.push(Number(r.lastInsertRowid));
      }
    })();
    return ids;
  }
  const byMsId = new Map<string, number>();
  await db.transaction().execute(async (tx) => {
    if (dialectOf(tx) === 'postgres') {
      for (const part of chunk(values, 10_000)) {
        const r = await sql<{ id: number | string; msProductId: string }>`insert into price_list_rows
          (price_list_id, generation, product_id, ms_product_id, brand, article, article_norm, name, quantity, price)
          select ${priceListId}::integer, ${generation}::integer, u.* from unnest(
            ${part.map((v) => v.productId)}::integer[], ${part.map((v) => v.msProductId)}::text[],
            ${part.map((v) => v.brand)}::text[], ${part.map((v) => v.article)}::text[],
            ${part.map((v) => v.articleNorm)}::text[], ${part.map((v) => v.name)}::text[],
            ${part.map((v) => v.quantity)}::double precision[], ${part.map((v) => v.price)}::bigint[]) as u
          ${wantIds ? sql`returning id, ms_product_id` : sql``}`.execute(tx);
        // (result columns come back camelCased by the CamelCasePlugin)
        for (const row of r.rows) byMsId.set(row.msProductId, Number(row.id));
      }
      return;
    }
    for (const part of chunk(values, perStatement)) {
      if (!wantIds) await tx.insertInto('priceListRows').values(part).execute();
      else for (const row of await tx.insertInto('priceListRows').values(part).returning(['id', 'msProductId']).execute()) byMsId.set(row.msProductId, Number(row.id));
    }
  });
  if (wantIds) for (const v of values) ids.push(byMsId.get(v.msProductId)!);
  return ids;
}

async function writeRows(db: Db, priceListId: number, generation: number, rows: readonly PriceListRowInput[], options: SwapOptions): Promise<void> {
  const perStatement = options.rowsPerStatement ?? 500;
  const perTx = Math.max(perStatement, options.rowsPerTransaction ?? 5000);
  let written = 0;
  for (const txPart of chunk(rows, perTx)) {
    await writeChunk(db, priceListId, generation, txPart, perStatement);
    written += txPart.length;
    await options.onChunkWritten?.(written, rows.length);
  }
}

/** Removes the rows of a generation that never became current (best effort after a failure). */
async function discardGeneration(db: Db, priceListId: number, generation: number): Promise<void> {
  try {
    const pl = await db.selectFrom('priceLists').select('generation').where('id', '=', priceListId).executeTakeFirst();
    if (pl && pl.generation !== generation) {
      await db.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '=', generation).execute();
    }
  } catch {
    // the next swap clears leftovers anyway
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
