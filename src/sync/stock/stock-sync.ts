/**
 * @module stock-sync
 * Stock of one MoySklad store into one price list (R4, R11–R14, B2, B3).
 *
 * - Full: ONE `report/stock/bystore/current?stockType=<type>&include=zeroLines&filter=storeId=<id>`;
 *   while it is in flight the next generation is staged from the synced nomenclature (`products`
 *   with their stored sale prices); then the quantities are set and the generation flipped
 *   (`PriceListRepository.beginSwap` → `StagedSwap`).
 * - Incremental: the same report with `changedSince` = last cursor − 5 min overlap (never more than
 *   24 h back; an older, missing or foreign cursor falls back to a full sync), plus the rows whose
 *   product card changed in the local nomenclature since the last run (price, name) — no extra
 *   request; patched in place in one transaction (`PriceListRepository.patchRows`).
 * - Every run is one `sync_runs` record and ONE price-list log entry (R14) with rows added,
 *   changed, zeroed, removed, duration, requests and errors. Details (products missing from the
 *   nomenclature) go to the integration log.
 * - A failed run leaves the previous contents and says why (the run's log entry and `sync_runs`).
 * - C10: a store whose report MoySklad finds too large (13005) is read by chunks of items
 *   (`narrowed-stock.ts`); a user without the stock-report right (13004) fails the run, which
 *   `recordRun` turns into the integration's problem (Russian status, the stock schedule waits).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Database, PriceListRow, StockType, SyncTrigger } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { loadIntegrationContext, type IntegrationContext } from '../integration-context.js';
import { recordRun, type FinishedRun, type SyncRun, type SyncRunDeps } from '../sync-run.js';
import { PriceListIssueRepository } from '../../store/repositories/price-list-issue-repository.js';
import { PriceListRepository, withPriceListLock, type PriceListRowInput, type StagedSwap, type SwapOptions, type SwapResult } from '../../store/repositories/price-list-repository.js';
import { stockScopeOf, type StockScope } from './stock-scope.js';
import { isReportTooLarge, readStockNarrowed } from './narrowed-stock.js';
import { cardsBetween, currentRowCount, differsBesidesQuantity, digestOf, productPages, productsByMsIds, productsUpdatedSince, rowsByMsIds, yieldToEventLoop, type ProductWithRow } from './stock-rows.js';

export { STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND } from './kinds.js';
import { STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND } from './kinds.js';

/** How far each incremental window reaches back before the previous run's start. */
export const STOCK_OVERLAP_MS = 5 * 60_000;
/** Products new to the nomenclature that an incremental run fetches by id (more → a full run). */
export const NEW_PRODUCTS_PER_INCREMENT = 200;
/**
 * How far the local window of an incremental run reaches back before the newest product card the
 * previous run saw (`StockCursor.productsAt`): covers a product page stamped just before that card
 * but committed after the previous run read the products.
 */
export const STOCK_LOCAL_OVERLAP_MS = 2_000;
/** MoySklad refuses `changedSince` older than 24 h; keep a margin. */
export const STOCK_MAX_LOOKBACK_MS = 24 * 3600_000 - 10 * 60_000;

export type StockSyncMode = 'full' | 'incremental';

export interface StockSyncDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  runDeps: SyncRunDeps;
}

export interface StockSyncRequest {
  priceListId: number;
  mode: StockSyncMode;
  trigger: SyncTrigger;
  signal?: AbortSignal;
  /** Hooks into the row swap (progress; tests interleave reads with it). */
  swap?: Pick<SwapOptions, 'onChunkWritten' | 'rowsPerTransaction' | 'rowsPerStatement' | 'beforeCommit'>;
  /** Called with the swap's figures (rows, write and flip time) when rows were swapped (benchmarks). */
  onSwapped?: (result: SwapResult) => void;
  /** Progress callback (the CLI / queue). */
  progress?: (p: { done: number; total?: number; message?: string }) => void | Promise<void>;
}

/** The cursor stored in `price_lists.stock_cursor`: when the last successful report was asked and for what. */
export interface StockCursor {
  /** ISO time taken just before the report request. */
  at: string;
  storeId: string;
  stockType: StockType;
  priceTypeId: string | null;
  /** C3: the price list's "publish without price" option the rows were built with (absent = off). */
  publishWithoutPrice?: boolean;
  /** C5: the integration's root folder the rows were built with (absent = none). */
  rootFolderMsId?: string;
  /** C5: the key of that root's subtree (`stockScopeOf`). */
  scopeKey?: string;
  /** The newest `products.updated_at` the run saw: the next run re-reads product cards written since. */
  productsAt?: string;
  /**
   * Digest (`digestOf`) of the cards the run saw with a stamp in [productsAt − STOCK_LOCAL_OVERLAP_MS,
   * productsAt]. If the next run finds the same cards there, none was written late into that
   * window and only cards stamped after `productsAt` are re-read; otherwise the whole window is.
   */
  productsDigest?: string;
}

export class PriceListUnboundError extends AppError {
  constructor(priceListId: number) {
    super('price_list_unbound', `price list ${priceListId} is not bound to a MoySklad store; it is never touched by the stock sync`, { status: 422 });
    this.name = 'PriceListUnboundError';
  }
}

export class StockStoreMissingError extends AppError {
  constructor(storeId: string) {
    super('stock_store_missing', `MoySklad store ${storeId} does not exist (deleted?); the price list keeps its previous contents — bind it to an existing store`, {
      status: 422,
    });
    this.name = 'StockStoreMissingError';
  }
}

export function parseStockCursor(text: string | null): StockCursor | null {
  if (!text) return null;
  try {
    const c = JSON.parse(text) as Partial<StockCursor>;
    if (typeof c.at !== 'string' || typeof c.storeId !== 'string' || typeof c.stockType !== 'string') return null;
    if (Number.isNaN(Date.parse(c.at))) return null;
    const productsAt = typeof c.productsAt === 'string' && !Number.isNaN(Date.parse(c.productsAt)) ? c.productsAt : undefined;
    const productsDigest = productsAt && typeof c.productsDigest === 'string' ? c.productsDigest : undefined;
    return {
      at: c.at,
      storeId: c.storeId,
      stockType: c.stockType,
      priceTypeId: c.priceTypeId ?? null,
      ...(c.publishWithoutPrice === true ? { publishWithoutPrice: true } : {}),
      ...(typeof c.rootFolderMsId === 'string' ? { rootFolderMsId: c.rootFolderMsId } : {}),
      ...(typeof c.scopeKey === 'string' ? { scopeKey: c.scopeKey } : {}),
      ...(productsAt ? { productsAt } : {}),
      ...(productsDigest ? { productsDigest } : {}),
    };
  } catch {
    return null;
  }
}

/** Why an incremental run must be a full one, or null when the cursor allows an increment. */
export function incrementalBlocker(pl: PriceListRow, cursor: StockCursor | null, nowMs: number, scope: StockScope = { rootFolderMsId: null, key: null }): string | null {
  if (!cursor) return 'no previous full sync';
  if (cursor.storeId !== pl.msStoreId) return 'the bound store changed';
  if (cursor.stockType !== pl.stockType) return 'the stock type changed';
  if (cursor.priceTypeId !== (pl.priceTypeMsId ?? null)) return 'the price type changed';
  if ((cursor.publishWithoutPrice === true) !== (pl.publishWithoutPrice === 1)) return 'the option for products without a price changed';
  if ((cursor.rootFolderMsId ?? null) !== scope.rootFolderMsId) return "the integration's root folder changed";
  if ((cursor.scopeKey ?? null) !== scope.key) return "folders moved in or out of the integration's root folder";
  if (nowMs - Date.parse(cursor.at) > STOCK_MAX_LOOKBACK_MS) return 'the last sync is older than 24 hours';
  return null;
}

type Counts = Record<'rows' | 'added' | 'changed' | 'zeroed' | 'removed' | 'unchanged' | 'missingProducts' | 'unusableProducts' | 'outsideRoot' | 'noPrice' | 'recalculating' | 'errors', number>;

/** A price list with the scope of its integration (C5). */
type ScopedPriceList = PriceListRow & { rootFolderMsId: string | null; scopeKey: string | null };
const zeroCounts = (): Counts => ({
  rows: 0,
  added: 0,
  changed: 0,
  zeroed: 0,
  removed: 0,
  unchanged: 0,
  missingProducts: 0,
  unusableProducts: 0,
  outsideRoot: 0,
  noPrice: 0,
  recalculating: 0,
  errors: 0,
});

type RowClass = 'added' | 'changed' | 'zeroed' | 'unchanged';

/** How a row with `quantity` compares with the product's previous row (`old` null = none). */
function classify(quantity: number, old: { quantity: number } | null, differs: boolean): RowClass {
  if (!old) return 'added';
  if (quantity === 0 && old.quantity !== 0) return 'zeroed';
  if (quantity !== old.quantity || differs) return 'changed';
  return 'unchanged';
}

/** A price list's available quantity is never negative (MoySklad's can be, e.g. oversold stock). */
const clampQuantity = (q: number): number => (q > 0 ? q : 0);

/** The quantity of a report value; null (MoySklad is recalculating) keeps the previous one. */
function quantityOf(value: number | null, old: { quantity: number } | null, counts: Counts): number {
  if (value !== null) return clampQuantity(value);
  counts.recalculating += 1;
  return old?.quantity ?? 0;
}

/** A row of a product; without a price for the list's type its price is empty (null), never 0 (C3). */
function rowOf(p: ProductWithRow, quantity: number): PriceListRowInput {
  return { productId: p.id, msProductId: p.msId, brand: p.brand, article: p.article, articleNorm: p.articleNorm, name: p.name, quantity, price: p.price ?? null };
}

/** The price list's integration (one per region), or a clear error. */
async function integrationOf(db: Kysely<Database>, pl: PriceListRow): Promise<number> {
  const i = await db.selectFrom('integrations').select('id').where('regionId', '=', pl.regionId).executeTakeFirst();
  if (!i) throw new AppError('integration_missing', `region ${pl.regionId} of price list ${pl.id} has no MoySklad integration`, { status: 422 });
  return Number(i.id);
}

/**
 * Runs one stock sync of a price list inside a recorded run; returns the finished run, or throws
 * (after recording the failed run and its reason) when it failed — the previous rows stay.
 */
export async function syncPriceListStock(deps: StockSyncDeps, request: StockSyncRequest): Promise<FinishedRun> {
  const { db } = deps;
  const pl0 = await db.selectFrom('priceLists').selectAll().where('id', '=', request.priceListId).executeTakeFirst();
  const integrationId = pl0 ? await integrationOf(db, pl0).catch(() => null) : null;
  const kind = request.mode === 'full' ? STOCK_FULL_KIND : STOCK_INCREMENTAL_KIND;
  return withPriceListLock(request.priceListId, () =>
    recordRun(deps.runDeps, { kind, trigger: request.trigger, integrationId, priceListId: pl0 ? request.priceListId : null }, async (run) => {
      const pl = await db.selectFrom('priceLists').selectAll().where('id', '=', request.priceListId).executeTakeFirst();
      if (!pl) throw new AppError('not_found', `price list ${request.priceListId} not found`, { status: 404 });
      if (!pl.msStoreId) throw new PriceListUnboundError(pl.id);
      if (integrationId === null) await integrationOf(db, pl);
      const ctx = await loadIntegrationContext(db, deps.clients, integrationId!);
      const scope = await stockScopeOf(db, deps.clock, ctx.msAccount.id, ctx.integration.rootFolderMsId);
      // C5: the rows hold the goods of the integration's root folder only.
      const view: ScopedPriceList = { ...pl, rootFolderMsId: scope.rootFolderMsId, scopeKey: scope.key };
      const counts = zeroCounts();
      let message: string;
      if (request.mode === 'incremental') {
        const cursor = parseStockCursor(pl.stockCursor);
        const blocker = incrementalBlocker(pl, cursor, deps.clock.nowMs(), scope);
        if (blocker) {
          run.count('fullFallback');
          message = `full sync instead of incremental: ${blocker}`;
          await runFull(deps, request, run, ctx, view, counts);
        } else {
          message = await runIncremental(deps, request, run, ctx, view, cursor!, counts);
        }
      } else {
        message = await runFull(deps, request, run, ctx, view, counts);
      }
      for (const [k, v] of Object.entries(counts)) run.count(k, v);
      return { status: 'ok', message };
    }),
  );
}

async function logDetail(deps: StockSyncDeps, run: SyncRun, level: 'info' | 'warn', message: string, details: unknown): Promise<void> {
  // Integration log (not the price list's): the price list gets exactly one entry per run (R14).
  await deps.runDeps.log.write({ level, integrationId: run.meta.integrationId ?? null, priceListId: null, runId: run.id, kind: run.meta.kind, message, details });
}

async function reportMissing(deps: StockSyncDeps, run: SyncRun, pl: PriceListRow, missing: string[], unusable: Array<[string, string]>, unpriced: readonly string[] = []): Promise<void> {
  if (unpriced.length > 0) {
    await logDetail(deps, run, 'info', `price list ${pl.id}: ${unpriced.length} item(s) left out: no price of the list's price type (listed in the data-quality report)`, {
      priceListId: pl.id,
      count: unpriced.length,
      sample: unpriced.slice(0, 20),
    });
  }
  if (missing.length > 0) {
    await logDetail(deps, run, 'warn', `price list ${pl.id}: ${missing.length} item(s) of store ${pl.msStoreId} are not in the synced nomenclature and were left out; run the nomenclature sync`, {
      priceListId: pl.id,
      count: missing.length,
      sample: missing.slice(0, 20),
    });
  }
  if (unusable.length > 0) {
    await logDetail(deps, run, 'info', `price list ${pl.id}: ${unusable.length} item(s) left out because the product is archived, deleted or not synced (R16)`, {
      priceListId: pl.id,
      count: unusable.length,
      sample: unusable.slice(0, 20).map(([id, reason]) => ({ msProductId: id, reason })),
    });
  }
}

/** Per-product flags of a full run's lookup. */
const USABLE = 1;
const HAS_OLD = 2;
const DIFFERS = 4;
const NO_PRICE = 8;
const SEEN = 16;
/** Usable but without a price, and the list leaves such products out (C3). */
const UNPRICED = 32;

/**
 * Full run. The report request is sent first; while MoySklad builds it (≈ 10 s for 100 000 lines)
 * the next generation is staged from the nomenclature: one row per usable product with its
 * previous quantity (0 for a new row), its price and text. When the report arrives only the
 * quantities that differ are set (by row id) and the rows of products the report does not list
 * are deleted, then the generation is flipped. Memory stays flat: products are read in pages and
 * only numbers are kept per product.
 */
async function runFull(deps: StockSyncDeps, request: StockSyncRequest, run: SyncRun, ctx: IntegrationContext, pl: ScopedPriceList, counts: Counts): Promise<string> {
  const { db, clock } = deps;
  const storeId = pl.msStoreId!;
  const publishWithoutPrice = pl.publishWithoutPrice === 1;
  const askedAt = clock.now();
  const reportP = ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, includeZeroLines: true }, request.signal);
  reportP.catch(() => undefined); // awaited below; a failure while staging must not leave it unhandled
  let staged: StagedSwap | undefined;
  try {
    await yieldToEventLoop(); // the request goes out before the synchronous SQLite work starts
    const oldCount = await currentRowCount(db, pl);
    staged = await new PriceListRepository(db, clock).beginSwap(pl.id, {
      ...request.swap,
      fromGeneration: pl.generation,
      expectedRows: oldCount,
      onChunkWritten: async (written, total) => {
        await request.progress?.({ done: written, total, message: 'writing rows' });
        await request.swap?.onChunkWritten?.(written, total);
      },
    });
    const index = new Map<string, number>();
    const flags: number[] = [];
    const oldQuantity: number[] = [];
    const rowIds: number[] = [];
    const reasons = new Map<number, string>();
    const cards: Array<{ id: number; updatedAt: string }> = [];
    let productsAt = '';
    for await (const page of productPages(db, ctx.msAccount.id, pl)) {
      const rows: PriceListRowInput[] = [];
      const at: number[] = [];
      for (const p of page) {
        const i = flags.length;
        index.set(p.msId, i);
        if (p.updatedAt > productsAt) productsAt = p.updatedAt;
        cards.push({ id: p.id, updatedAt: p.updatedAt });
        let f = 0;
        if (p.reason !== null) reasons.set(i, p.reason);
        else if (p.price === undefined && !publishWithoutPrice) f |= UNPRICED;
        else f |= USABLE;
        if (p.old) f |= HAS_OLD;
        if (p.old && differsBesidesQuantity(p, p.old)) f |= DIFFERS;
        if (p.price === undefined) f |= NO_PRICE;
        flags.push(f);
        oldQuantity.push(p.old?.quantity ?? 0);
        rowIds.push(0);
        if (f & USABLE) {
          rows.push(rowOf(p, p.old?.quantity ?? 0));
          at.push(i);
        }
      }
      const ids = await staged.insert(rows);
      for (let k = 0; k < ids.length; k++) rowIds[at[k]!] = ids[k]!;
    }

    let report;
    try {
      report = await reportP;
    } catch (e) {
      if (!isReportTooLarge(e)) throw e;
      // C10: MoySklad finds the store's report too large (13005): ask it by chunks of the nomenclature's items.
      const narrowed = await readStockNarrowed(ctx.client, { storeId, stockType: pl.stockType, includeZeroLines: true }, [...index.keys()], request.signal);
      report = narrowed.rows;
      run.count('narrowedRequests', narrowed.requests);
      await logDetail(deps, run, 'info', `price list ${pl.id}: MoySklad finds the stock report of store ${storeId} too large (13005); read in ${narrowed.requests} parts by item`, {
        priceListId: pl.id,
        requests: narrowed.requests,
        items: index.size,
      });
    }
    await request.progress?.({ done: 0, total: report.length, message: `stock report: ${report.length} items` });
    if (report.length === 0 && oldCount > 0) {
      // An empty report for a store that had rows: make sure the store still exists before emptying the list.
      const stores = await ctx.client.stores(request.signal);
      if (!stores.some((s) => s.id === storeId)) throw new StockStoreMissingError(storeId);
    }
    const missing: string[] = [];
    const missingSeen = new Set<string>();
    const unusable: Array<[string, string]> = [];
    const unpriced: string[] = [];
    // New quantities by product index; the updates then go out in row-id order (rows were staged
    // in product order), which keeps SQLite's page accesses sequential.
    const newQuantity = new Float64Array(flags.length);
    let keptOld = 0;
    for (const r of report) {
      if (r.storeId !== undefined && r.storeId !== null && r.storeId !== storeId) continue;
      const i = index.get(r.assortmentId);
      if (i === undefined) {
        if (!missingSeen.has(r.assortmentId)) {
          missingSeen.add(r.assortmentId);
          missing.push(r.assortmentId);
        }
        continue;
      }
      const f = flags[i]!;
      if (f & SEEN) continue;
      flags[i] = f | SEEN;
      if (f & UNPRICED) {
        unpriced.push(r.assortmentId);
        counts.noPrice += 1;
        continue;
      }
      if (!(f & USABLE)) {
        const reason = reasons.get(i) ?? 'unusable';
        if (reason === 'outside-root') counts.outsideRoot += 1;
        else unusable.push([r.assortmentId, reason]);
        continue;
      }
      const previous = oldQuantity[i]!; // the staged quantity (0 for a new row)
      const quantity = r.value === null ? (counts.recalculating++, previous) : clampQuantity(r.value);
      newQuantity[i] = quantity;
      if (f & NO_PRICE) counts.noPrice += 1;
      if (f & HAS_OLD) {
        keptOld += 1;
        counts[quantity === 0 && previous !== 0 ? 'zeroed' : quantity !== previous || f & DIFFERS ? 'changed' : 'unchanged'] += 1;
      } else {
        counts.added += 1;
      }
    }
    const updateIds: number[] = [];
    const updateQuantities: number[] = [];
    // Staged rows of usable products the report does not list.
    const unlisted: number[] = [];
    for (let i = 0; i < flags.length; i++) {
      const f = flags[i]!;
      if (!(f & USABLE)) continue;
      if (!(f & SEEN)) unlisted.push(rowIds[i]!);
      else if (newQuantity[i] !== oldQuantity[i]) {
        updateIds.push(rowIds[i]!);
        updateQuantities.push(newQuantity[i]!);
      }
    }
    await staged.setQuantities(updateIds, updateQuantities);
    await staged.deleteIds(unlisted);
    counts.removed = oldCount - keptOld;
    counts.missingProducts = missing.length;
    counts.unusableProducts = unusable.length;
    await reportMissing(deps, run, pl, missing, unusable, unpriced);
    const cursor: StockCursor = {
      at: askedAt.toISOString(),
      storeId,
      stockType: pl.stockType,
      priceTypeId: pl.priceTypeMsId ?? null,
      ...(publishWithoutPrice ? { publishWithoutPrice } : {}),
      ...(pl.rootFolderMsId !== null ? { rootFolderMsId: pl.rootFolderMsId } : {}),
      ...(pl.scopeKey !== null ? { scopeKey: pl.scopeKey } : {}),
      ...(productsAt ? { productsAt, productsDigest: digestOf(cards, localWindowFrom(productsAt), productsAt) } : {}),
    };
    const swap = await staged.commit(JSON.stringify(cursor));
    await new PriceListIssueRepository(db, clock).replace(pl.id, ctx.msAccount.id, 'no-price', unpriced);
    counts.rows = swap.rowCount;
    request.onSwapped?.(swap);
    return `full: ${swap.rowCount} rows from ${report.length} report lines${unpriced.length > 0 ? `; ${unpriced.length} left out without a price` : ''}`;
  } catch (e) {
    await staged?.abort();
    throw e;
  }
}

/** Where the window of product cards that may have been written late starts, for a run that saw `productsAt`. */
const localWindowFrom = (productsAt: string): string => new Date(Date.parse(productsAt) - STOCK_LOCAL_OVERLAP_MS).toISOString();

/**
 * Incremental run. The `changedSince` report is requested first; while it is in flight the
 * products written locally since the last run are read (with their rows). Then the changed rows
 * are patched into the current generation in ONE transaction (no copy of the list).
 */
async function runIncremental(
  deps: StockSyncDeps,
  request: StockSyncRequest,
  run: SyncRun,
  ctx: IntegrationContext,
  pl: ScopedPriceList,
  cursor: StockCursor,
  counts: Counts,
): Promise<string> {
  const { db, clock } = deps;
  const storeId = pl.msStoreId!;
  const publishWithoutPrice = pl.publishWithoutPrice === 1;
  const askedAt = clock.now();
  const since = new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS);
  const reportP = ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, changedSince: since }, request.signal);
  reportP.catch(() => undefined); // awaited below
  await yieldToEventLoop(); // the request goes out before the first synchronous SQLite query
  // Products whose card changed in the local nomenclature since the last run (price, name,
  // archive), and products new to it that are not in the list yet: the cards stamped after the
  // newest one the last run saw, plus — unless the cards just before it are exactly those the last
  // run saw (digest) — the cards of the window before it, which may have been committed late.
  const seen: Array<{ id: number; updatedAt: string }> = [];
  let local: ProductWithRow[];
  if (cursor.productsAt) {
    const from = localWindowFrom(cursor.productsAt);
    const window = await cardsBetween(db, ctx.msAccount.id, from, cursor.productsAt);
    const same = cursor.productsDigest !== undefined && digestOf(window, from, cursor.productsAt) === cursor.productsDigest;
    if (same) for (const c of window) seen.push(c);
    local = await productsUpdatedSince(db, ctx.msAccount.id, pl, same ? cursor.productsAt : from, { strictlyAfter: same });
  } else {
    local = await productsUpdatedSince(db, ctx.msAccount.id, pl, new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS).toISOString());
  }
  let productsAt = cursor.productsAt ?? '';
  for (const p of local) {
    if (p.updatedAt > productsAt) productsAt = p.updatedAt;
    seen.push({ id: p.id, updatedAt: p.updatedAt });
  }
  let report;
  try {
    report = await reportP;
  } catch (e) {
    if (!isReportTooLarge(e)) throw e;
    // C10: too many changes for one report (13005): a full run, which reads the store by parts.
    run.count('fullFallback');
    const m = await runFull(deps, request, run, ctx, pl, counts);
    return `full sync instead of incremental: the changes report is too large for MoySklad (13005); ${m}`;
  }
  const stockById = new Map<string, number | null>();
  for (const r of report) {
    if (r.storeId !== undefined && r.storeId !== null && r.storeId !== storeId) continue;
    stockById.set(r.assortmentId, r.value);
  }
  // New products' stock did not necessarily change, so ask for exactly them (one more request);
  // many of them → a full run.
  const fresh = local.filter((p) => p.reason === null && !p.old && !stockById.has(p.msId)).map((p) => p.msId);
  if (fresh.length > NEW_PRODUCTS_PER_INCREMENT) {
    run.count('fullFallback');
    const m = await runFull(deps, request, run, ctx, pl, counts);
    return `full sync instead of incremental: more than ${NEW_PRODUCTS_PER_INCREMENT} products are new to the nomenclature; ${m}`;
  }
  if (fresh.length > 0) {
    const extra = await ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, includeZeroLines: true, assortmentIds: fresh }, request.signal);
    for (const r of extra) if (r.storeId === undefined || r.storeId === null || r.storeId === storeId) stockById.set(r.assortmentId, r.value);
  }
  // Three kinds of candidates:
  // - products written locally since the last run (`local`): rebuilt from the product card;
  // - report lines of products with a row and an unchanged card: the row was built from that
  //   card, so only its quantity can differ — set by row id, the product is not read;
  // - report lines without a row (new to the list, or not a usable product): the product is read.
  const localById = new Map<string, ProductWithRow>();
  for (const p of local) localById.set(p.msId, p);
  const reportOnly = [...stockById.keys()].filter((id) => !localById.has(id));
  const rows = await rowsByMsIds(db, pl, reportOnly);
  const withoutRow = await productsByMsIds(
    db,
    ctx.msAccount.id,
    pl,
    reportOnly.filter((id) => !rows.has(id)),
  );
  const upserts: PriceListRowInput[] = [];
  const quantities: Array<{ id: number; quantity: number }> = [];
  const removals: string[] = [];
  const missing: string[] = [];
  const unusable: Array<[string, string]> = [];
  // C3: products left out for want of a price (reported), and products that got a row again.
  const unpriced: string[] = [];
  const settled: string[] = [];
  for (const id of reportOnly) {
    const row = rows.get(id);
    if (!row) continue;
    const quantity = quantityOf(stockById.get(id) ?? null, row, counts);
    if (row.price === null) counts.noPrice += 1;
    const c = classify(quantity, row, false);
    counts[c] += 1;
    if (c !== 'unchanged') quantities.push({ id: row.id, quantity });
  }
  const evaluate = (id: string, p: ProductWithRow | undefined): void => {
    const old = p?.old ?? null;
    if (!p || p.reason !== null || (p.price === undefined && !publishWithoutPrice)) {
      if (!p) missing.push(id);
      else if (p.reason === 'outside-root') {
        counts.outsideRoot += 1;
        settled.push(id);
      } else if (p.reason !== null) {
        unusable.push([id, p.reason]);
        settled.push(id);
      } else {
        unpriced.push(id);
        counts.noPrice += 1;
      }
      if (old) {
        removals.push(id);
        counts.removed += 1;
      }
      return;
    }
    settled.push(id);
    const quantity = stockById.has(id) ? quantityOf(stockById.get(id) ?? null, old, counts) : (old?.quantity ?? 0);
    if (p.price === undefined) counts.noPrice += 1;
    const c = classify(quantity, old, old ? differsBesidesQuantity(p, old) : false);
    counts[c] += 1;
    if (c !== 'unchanged') upserts.push(rowOf(p, quantity));
  };
  for (const id of reportOnly) if (!rows.has(id)) evaluate(id, withoutRow.get(id));
  for (const p of local) if (p.old || stockById.has(p.msId)) evaluate(p.msId, p);
  counts.missingProducts = missing.length;
  counts.unusableProducts = unusable.length;
  await reportMissing(deps, run, pl, missing, unusable, unpriced);
  const issues = new PriceListIssueRepository(db, clock);
  await issues.clear(pl.id, settled);
  await issues.record(pl.id, ctx.msAccount.id, 'no-price', unpriced);
  const next: StockCursor = {
    ...cursor,
    at: askedAt.toISOString(),
    ...(productsAt ? { productsAt, productsDigest: digestOf(seen, localWindowFrom(productsAt), productsAt) } : {}),
  };
  if (upserts.length === 0 && removals.length === 0 && quantities.length === 0) {
    // Nothing changed: move the cursor only (same generation, nothing for readers to see).
    await db.updateTable('priceLists').set({ stockCursor: JSON.stringify(next), lastSyncAt: askedAt.toISOString(), updatedAt: clock.now().toISOString() }).where('id', '=', pl.id).where('generation', '=', pl.generation).execute();
    counts.rows = pl.rowCount;
    return `incremental since ${since.toISOString()}: no changes in ${report.length} report lines`;
  }
  const swap = await new PriceListRepository(db, clock).patchRows(pl.id, { upserts, quantities, removeMsProductIds: removals }, {
    ...request.swap,
    fromGeneration: pl.generation,
    stockCursor: JSON.stringify(next),
  });
  counts.rows = swap.rowCount;
  request.onSwapped?.(swap);
  return `incremental since ${since.toISOString()}: ${upserts.length + quantities.length} rows written, ${removals.length} removed from ${report.length} report lines`;
}
