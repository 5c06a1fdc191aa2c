/**
 * @module price-list-row-repository
 * The writes of price-list rows (R11, B3) behind `PriceListRepository`: a next generation written
 * whole (`writeRows`) or piecewise (`StagedSwap`), the guarded flip to it, an in-place patch of the
 * current generation (`patchGeneration`), and the one quantity update by row id (`setQuantities`).
 * SQLite runs them as prepared statements in synchronous transactions when it can; PostgreSQL
 * writes column arrays through `unnest`.
 */
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import { sql } from 'kysely';
import { chunk, nowIso, sqliteHandleOf } from '../database.js';
import { dialectOf } from '../dialect-of.js';
import type { Db } from '../db.js';
import { recordPlatformEvent, recordPlatformEventSqlite } from './platform-event-recorder.js';
import { recordRowChanges, recordRowChangesSqlite, type TouchedRows } from './price-list-change-repository.js';

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

  /** Sets `quantities[i]` on the staged row `ids[i]` (one transaction). */
  async setQuantities(ids: readonly number[], quantities: readonly number[]): Promise<void> {
    const t0 = this.clock.nowMs();
    const { db, priceListId, generation } = this;
    const sqlite = sqliteHandleOf(db);
    if (sqlite && !sqlite.inTransaction) sqlite.transaction(() => setQuantitiesSqlite(sqlite, priceListId, generation, ids, quantities))();
    else await db.transaction().execute((tx) => setQuantities(tx, priceListId, generation, ids, quantities));
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

/**
 * `PriceListRepository.patchRows` on the generation `generation` (`t0`: when the patch started,
 * for `writeMs`).
 */
export async function patchGeneration(db: Db, clock: Clock, priceListId: number, generation: number, patch: RowPatch, options: SwapOptions, t0: number): Promise<SwapResult> {
  const upserts = patch.upserts ?? [];
  const removeMsProductIds = patch.removeMsProductIds ?? [];
  const quantities = patch.quantities ?? [];
  const touched = upserts.length + removeMsProductIds.length + quantities.length;
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
    await setQuantities(
      tx,
      priceListId,
      generation,
      quantities.map((q) => q.id),
      quantities.map((q) => q.quantity),
    );
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
 * The one quantity update of rows by id (staged rows of a full sync, rows of an incremental patch):
 * inside the caller's transaction. PostgreSQL: `unnest` of id and quantity arrays, 10 000 rows per
 * statement; otherwise one update per row.
 */
export async function setQuantities(tx: Db, priceListId: number, generation: number, ids: readonly number[], quantities: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  if (dialectOf(tx) === 'postgres') {
    for (let i = 0; i < ids.length; i += 10_000) {
      await sql`update price_list_rows r set quantity = u.q
        from unnest(${ids.slice(i, i + 10_000)}::bigint[], ${quantities.slice(i, i + 10_000)}::double precision[]) as u(id, q)
        where r.id = u.id and r.price_list_id = ${priceListId} and r.generation = ${generation}`.execute(tx);
    }
    return;
  }
  for (let i = 0; i < ids.length; i++) {
    await tx.updateTable('priceListRows').set({ quantity: quantities[i]! }).where('id', '=', ids[i]!).where('priceListId', '=', priceListId).where('generation', '=', generation).execute();
  }
}

/** `setQuantities` on SQLite's own handle: a prepared statement, inside the caller's synchronous transaction. */
export function setQuantitiesSqlite(sqlite: SqliteHandle, priceListId: number, generation: number, ids: readonly number[], quantities: readonly number[]): void {
  if (ids.length === 0) return;
  const update = sqlite.prepare('update price_list_rows set quantity = ? where id = ? and price_list_id = ? and generation = ?');
  for (let i = 0; i < ids.length; i++) update.run(quantities[i], ids[i], priceListId, generation);
}

export const toValues = (priceListId: number, generation: number, rows: readonly PriceListRowInput[]) =>
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
export async function clearOtherGenerations(db: Db, priceListId: number, current: number): Promise<void> {
  await db.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '<>', current).execute();
}

export function countRows(db: Db, priceListId: number, generation: number): Promise<{ n: number | string | bigint }> {
  return db
    .selectFrom('priceListRows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('priceListId', '=', priceListId)
    .where('generation', '=', generation)
    .executeTakeFirstOrThrow();
}

export async function flip(db: Db, clock: Clock, priceListId: number, from: number, to: number, stockCursor: string | null | undefined): Promise<number> {
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
  const count = sqlite.prepare('select count(*) as n from price_list_rows where price_list_id = ? and generation = ?');
  const setCount = sqlite.prepare('update price_lists set row_count = ? where id = ?');
  const storedCount = sqlite.prepare('select row_count as n from price_lists where id = ?');
  return sqlite.transaction(() => {
    const claimed = stockCursor !== undefined ? claim.run(at, at, stockCursor, priceListId, generation) : claim.run(at, at, priceListId, generation);
    if (claimed.changes !== 1) throw new PriceListSwapConflictError(priceListId);
    const quantities = patch.quantities ?? [];
    setQuantitiesSqlite(
      sqlite,
      priceListId,
      generation,
      quantities.map((q) => q.id),
      quantities.map((q) => q.quantity),
    );
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

export async function writeRows(db: Db, priceListId: number, generation: number, rows: readonly PriceListRowInput[], options: SwapOptions): Promise<void> {
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
export async function discardGeneration(db: Db, priceListId: number, generation: number): Promise<void> {
  try {
    const pl = await db.selectFrom('priceLists').select('generation').where('id', '=', priceListId).executeTakeFirst();
    if (pl && pl.generation !== generation) {
      await db.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '=', generation).execute();
    }
  } catch {
    // the next swap clears leftovers anyway
  }
}
