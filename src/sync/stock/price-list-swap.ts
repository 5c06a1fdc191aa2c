/**
 * @module price-list-swap
 * Atomic replacement of a price list's rows (R11, issue 6): a reader sees the old list or the new
 * one, never a mix — also a reader that pages through the list (the CSV export) as long as it
 * pins the generation it started with.
 *
 * How: the rows readers see are those of `price_lists.generation`. A sync writes the next
 * generation's rows in short chunked transactions (invisible to readers, who filter on the current
 * generation), then ONE short transaction flips `price_lists.generation` — guarded by the
 * generation it started from, so two writers cannot both win. The previous generation is kept
 * until the next swap starts (so a paging reader that pinned it can finish), then deleted with any
 * leftovers of a failed swap. A failed or abandoned swap never touches the current generation.
 *
 * Incremental syncs use the same path (copy-on-write): the current rows are copied into the next
 * generation by one INSERT … SELECT inside the database, the changes applied there, then flipped.
 */
import { sql, type Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import { chunk, nowIso, sqliteHandleOf } from '../../store/database.js';
import { dialectOf } from '../../store/dialect-of.js';
import type { Database } from '../../store/schema.js';
import type { Clock } from '../../core/clock.js';

/** One row of a price list (price in kopecks). */
export interface StockRowInput {
  productId: number | null;
  msProductId: string;
  brand: string;
  article: string;
  articleNorm?: string;
  name: string;
  quantity: number;
  price: number;
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
  /** Rows per insert statement and per write transaction (default 500 / 5000). */
  rowsPerStatement?: number;
  rowsPerTransaction?: number;
  /** Called after each write transaction of the new generation (progress; tests interleave reads here). */
  onChunkWritten?: (written: number, total: number) => void | Promise<void>;
  /** Stored with the flip (the incremental cursor). */
  stockCursor?: string | null;
}

export interface SwapResult {
  generation: number;
  rowCount: number;
  /** Milliseconds spent writing rows and flipping (the clock's time). */
  writeMs: number;
  flipMs: number;
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

const toValues = (priceListId: number, generation: number, rows: readonly StockRowInput[]) =>
  rows.map((r) => ({
    priceListId,
    generation,
    productId: r.productId,
    msProductId: r.msProductId,
    brand: r.brand,
    article: r.article,
    articleNorm: r.articleNorm ?? normalizeArticle(r.article),
    name: r.name,
    quantity: r.quantity,
    price: Math.round(r.price),
  }));

/** Deletes rows of every generation except the current one (leftovers and the kept previous). */
async function clearOtherGenerations(db: Kysely<Database>, priceListId: number, current: number): Promise<void> {
  await db.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '<>', current).execute();
}

async function flip(
  db: Kysely<Database>,
  clock: Clock,
  priceListId: number,
  from: number,
  to: number,
  stockCursor: string | null | undefined,
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const count = await tx
      .selectFrom('priceListRows')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('priceListId', '=', priceListId)
      .where('generation', '=', to)
      .executeTakeFirstOrThrow();
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
    return Number(count.n);
  });
}

const SQLITE_INSERT = `insert into price_list_rows
  (price_list_id, generation, product_id, ms_product_id, brand, article, article_norm, name, quantity, price)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Writes one transaction's worth of rows. SQLite: one prepared statement in a synchronous
 * better-sqlite3 transaction (nothing else in the process can interleave; falls back to Kysely when
 * the shared connection is inside another transaction). PostgreSQL: `unnest` of column arrays,
 * 10 000 rows per statement. Otherwise multi-row VALUES.
 */
async function writeChunk(db: Kysely<Database>, priceListId: number, generation: number, rows: readonly StockRowInput[], perStatement: number): Promise<void> {
  const values = toValues(priceListId, generation, rows);
  const sqlite = sqliteHandleOf(db);
  if (sqlite && !sqlite.inTransaction) {
    const insert = sqlite.prepare(SQLITE_INSERT);
    sqlite.transaction(() => {
      for (const v of values) insert.run([v.priceListId, v.generation, v.productId, v.msProductId, v.brand, v.article, v.articleNorm, v.name, v.quantity, v.price]);
    })();
    return;
  }
  await db.transaction().execute(async (tx) => {
    if (dialectOf(tx) === 'postgres') {
      for (const part of chunk(values, 10_000)) {
        await sql`insert into price_list_rows
          (price_list_id, generation, product_id, ms_product_id, brand, article, article_norm, name, quantity, price)
          select ${priceListId}::integer, ${generation}::integer, u.* from unnest(
            ${part.map((v) => v.productId)}::integer[], ${part.map((v) => v.msProductId)}::text[],
            ${part.map((v) => v.brand)}::text[], ${part.map((v) => v.article)}::text[],
            ${part.map((v) => v.articleNorm)}::text[], ${part.map((v) => v.name)}::text[],
            ${part.map((v) => v.quantity)}::double precision[], ${part.map((v) => v.price)}::bigint[]) as u`.execute(tx);
      }
      return;
    }
    for (const part of chunk(values, perStatement)) await tx.insertInto('priceListRows').values(part).execute();
  });
}

async function writeRows(db: Kysely<Database>, priceListId: number, generation: number, rows: readonly StockRowInput[], options: SwapOptions): Promise<void> {
  const perStatement = options.rowsPerStatement ?? 500;
  const perTx = Math.max(perStatement, options.rowsPerTransaction ?? 5000);
  let written = 0;
  for (const txPart of chunk(rows, perTx)) {
    await writeChunk(db, priceListId, generation, txPart, perStatement);
    written += txPart.length;
    await options.onChunkWritten?.(written, rows.length);
  }
}

/**
 * Replaces the whole contents of a price list with `rows` (full sync). `fromGeneration` is the
 * generation the caller read the old rows of; if another writer flipped meanwhile the swap fails
 * with `price_list_swap_conflict` and the other writer's rows stay. Duplicate msProductIds: last wins.
 */
export async function replacePriceListRows(
  db: Kysely<Database>,
  clock: Clock,
  priceListId: number,
  fromGeneration: number,
  rows: readonly StockRowInput[],
  options: SwapOptions = {},
): Promise<SwapResult> {
  const t0 = clock.nowMs();
  const unique = new Map<string, StockRowInput>();
  for (const r of rows) unique.set(r.msProductId, r);
  const next = fromGeneration + 1;
  await clearOtherGenerations(db, priceListId, fromGeneration);
  try {
    await writeRows(db, priceListId, next, [...unique.values()], options);
    const t1 = clock.nowMs();
    const rowCount = await flip(db, clock, priceListId, fromGeneration, next, options.stockCursor);
    return { generation: next, rowCount, writeMs: t1 - t0, flipMs: clock.nowMs() - t1 };
  } catch (e) {
    await discardGeneration(db, priceListId, next);
    throw e;
  }
}

/**
 * Applies changes to a price list as a new generation (incremental sync): copies the current rows
 * forward inside the database, upserts `upserts`, deletes `removeMsProductIds`, then flips.
 */
export async function patchPriceListRows(
  db: Kysely<Database>,
  clock: Clock,
  priceListId: number,
  fromGeneration: number,
  upserts: readonly StockRowInput[],
  removeMsProductIds: readonly string[],
  options: SwapOptions = {},
): Promise<SwapResult> {
  const t0 = clock.nowMs();
  const next = fromGeneration + 1;
  await clearOtherGenerations(db, priceListId, fromGeneration);
  try {
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('priceListRows')
        .columns(['priceListId', 'generation', 'productId', 'msProductId', 'brand', 'article', 'articleNorm', 'name', 'quantity', 'price'])
        .expression((eb) =>
          eb
            .selectFrom('priceListRows')
            .select((s) => [
              'priceListId',
              s.val(next).as('generation'),
              'productId',
              'msProductId',
              'brand',
              'article',
              'articleNorm',
              'name',
              'quantity',
              'price',
            ])
            .where('priceListId', '=', priceListId)
            .where('generation', '=', fromGeneration),
        )
        .execute();
      for (const part of chunk(removeMsProductIds, 500)) {
        await tx.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '=', next).where('msProductId', 'in', part).execute();
      }
      for (const part of chunk(upserts, 500)) {
        await tx
          .insertInto('priceListRows')
          .values(toValues(priceListId, next, part))
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
    });
    await options.onChunkWritten?.(upserts.length, upserts.length);
    const t1 = clock.nowMs();
    const rowCount = await flip(db, clock, priceListId, fromGeneration, next, options.stockCursor);
    return { generation: next, rowCount, writeMs: t1 - t0, flipMs: clock.nowMs() - t1 };
  } catch (e) {
    await discardGeneration(db, priceListId, next);
    throw e;
  }
}

/** Removes the rows of a generation that never became current (best effort after a failure). */
async function discardGeneration(db: Kysely<Database>, priceListId: number, generation: number): Promise<void> {
  try {
    const pl = await db.selectFrom('priceLists').select('generation').where('id', '=', priceListId).executeTakeFirst();
    if (pl && pl.generation !== generation) {
      await db.deleteFrom('priceListRows').where('priceListId', '=', priceListId).where('generation', '=', generation).execute();
    }
  } catch {
    // the next swap clears leftovers anyway
  }
}
