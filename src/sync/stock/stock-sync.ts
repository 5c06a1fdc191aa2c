/**
 * @module stock-sync
 * Stock of one MoySklad store into one price list (R4, R11–R14, B2, B3).
 *
 * - Full: ONE `report/stock/bystore/current?stockType=<type>&include=zeroLines&filter=storeId=<id>`
 *   joined to the synced nomenclature (`products` by MoySklad id, with their stored sale prices),
 *   then an atomic generation swap (`PriceListRepository.replaceRows`).
 * - Incremental: the same report with `changedSince` = last cursor − 5 min overlap (never more than
 *   24 h back; an older, missing or foreign cursor falls back to a full sync), plus the rows whose
 *   product changed in the local nomenclature since the cursor (price, name) — no extra request.
 * - Every run is one `sync_runs` record and ONE price-list log entry (R14) with rows added,
 *   changed, zeroed, removed, duration, requests and errors. Details (products missing from the
 *   nomenclature) go to the integration log.
 * - A failed run leaves the previous contents and says why (the run's log entry and `sync_runs`).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { StockCurrentRow } from '../../moysklad/schemas/stock.js';
import type { Database, PriceListRow, StockType, SyncTrigger } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { loadIntegrationContext, type IntegrationContext } from '../integration-context.js';
import { recordRun, type FinishedRun, type SyncRun, type SyncRunDeps } from '../sync-run.js';
import { parseSalePrices, pickPrice } from './product-prices.js';
import { PriceListRepository, withPriceListLock, type PriceListRowInput, type SwapOptions, type SwapResult } from '../../store/repositories/price-list-repository.js';

export const STOCK_FULL_KIND = 'stock.full';
export const STOCK_INCREMENTAL_KIND = 'stock.incremental';

/** How far each incremental window reaches back before the previous run's start. */
export const STOCK_OVERLAP_MS = 5 * 60_000;
/** Products new to the nomenclature that an incremental run fetches by id (more → a full run). */
export const NEW_PRODUCTS_PER_INCREMENT = 200;
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
  swap?: Pick<SwapOptions, 'onChunkWritten' | 'rowsPerTransaction' | 'rowsPerStatement'>;
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
    return { at: c.at, storeId: c.storeId, stockType: c.stockType, priceTypeId: c.priceTypeId ?? null };
  } catch {
    return null;
  }
}

/** Why an incremental run must be a full one, or null when the cursor allows an increment. */
export function incrementalBlocker(pl: PriceListRow, cursor: StockCursor | null, nowMs: number): string | null {
  if (!cursor) return 'no previous full sync';
  if (cursor.storeId !== pl.msStoreId) return 'the bound store changed';
  if (cursor.stockType !== pl.stockType) return 'the stock type changed';
  if (cursor.priceTypeId !== (pl.priceTypeMsId ?? null)) return 'the price type changed';
  if (nowMs - Date.parse(cursor.at) > STOCK_MAX_LOOKBACK_MS) return 'the last sync is older than 24 hours';
  return null;
}

interface ProductInfo {
  id: number;
  msId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  usable: boolean;
  reason: 'archived' | 'deleted' | 'skipped' | null;
  salePrices: string | null;
  updatedAt: string;
}

interface OldRow {
  quantity: number;
  price: number;
  name: string;
  brand: string;
  article: string;
}

type Counts = Record<'rows' | 'added' | 'changed' | 'zeroed' | 'removed' | 'unchanged' | 'missingProducts' | 'unusableProducts' | 'noPrice' | 'recalculating' | 'errors', number>;
const zeroCounts = (): Counts => ({
  rows: 0,
  added: 0,
  changed: 0,
  zeroed: 0,
  removed: 0,
  unchanged: 0,
  missingProducts: 0,
  unusableProducts: 0,
  noPrice: 0,
  recalculating: 0,
  errors: 0,
});

const productColumns = ['id', 'msId', 'brand', 'article', 'articleNorm', 'name', 'archived', 'deleted', 'syncState', 'salePrices', 'updatedAt'] as const;

function toProductInfo(p: {
  id: number;
  msId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  archived: number;
  deleted: number;
  syncState: string;
  salePrices: string | null;
  updatedAt: string;
}): ProductInfo {
  const reason = p.deleted === 1 ? 'deleted' : p.archived === 1 ? 'archived' : p.syncState !== 'ok' ? 'skipped' : null;
  return {
    id: Number(p.id),
    msId: p.msId,
    brand: p.brand,
    article: p.article,
    articleNorm: p.articleNorm,
    name: p.name,
    usable: reason === null,
    reason,
    salePrices: p.salePrices,
    updatedAt: p.updatedAt,
  };
}

async function loadProducts(db: Kysely<Database>, msAccountId: number, msIds?: readonly string[]): Promise<Map<string, ProductInfo>> {
  const out = new Map<string, ProductInfo>();
  if (msIds === undefined) {
    // Keyset pages keep memory and statement size flat on 100 000 products.
    for (let afterId = 0; ; ) {
      const page = await db
        .selectFrom('products')
        .select([...productColumns])
        .where('msAccountId', '=', msAccountId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(20_000)
        .execute();
      for (const p of page) out.set(p.msId, toProductInfo(p));
      if (page.length < 20_000) break;
      afterId = Number(page[page.length - 1]!.id);
    }
    return out;
  }
  for (let i = 0; i < msIds.length; i += 1000) {
    const part = msIds.slice(i, i + 1000);
    const rows = await db.selectFrom('products').select([...productColumns]).where('msAccountId', '=', msAccountId).where('msId', 'in', part).execute();
    for (const p of rows) out.set(p.msId, toProductInfo(p));
  }
  return out;
}

async function loadOldRows(db: Kysely<Database>, priceListId: number, generation: number, msIds?: readonly string[]): Promise<Map<string, OldRow>> {
  const out = new Map<string, OldRow>();
  const base = db
    .selectFrom('priceListRows')
    .select(['msProductId', 'quantity', 'price', 'name', 'brand', 'article'])
    .where('priceListId', '=', priceListId)
    .where('generation', '=', generation);
  if (msIds === undefined) {
    for (const r of await base.execute()) out.set(r.msProductId, { quantity: Number(r.quantity), price: Number(r.price), name: r.name, brand: r.brand, article: r.article });
    return out;
  }
  for (let i = 0; i < msIds.length; i += 1000) {
    for (const r of await base.where('msProductId', 'in', msIds.slice(i, i + 1000)).execute()) {
      out.set(r.msProductId, { quantity: Number(r.quantity), price: Number(r.price), name: r.name, brand: r.brand, article: r.article });
    }
  }
  return out;
}

function classify(row: PriceListRowInput, old: OldRow | undefined): 'added' | 'changed' | 'zeroed' | 'unchanged' {
  if (!old) return 'added';
  if (row.quantity === 0 && old.quantity !== 0) return 'zeroed';
  if (row.quantity !== old.quantity || row.price !== old.price || row.name !== old.name || row.brand !== old.brand || row.article !== old.article) {
    return 'changed';
  }
  return 'unchanged';
}

/** A price list's available quantity is never negative (MoySklad's can be, e.g. oversold stock). */
const clampQuantity = (q: number): number => (q > 0 ? q : 0);

interface Built {
  row: PriceListRowInput;
}

function buildRow(p: ProductInfo, value: number | null, old: OldRow | undefined, priceTypeId: string | null, counts: Counts): Built {
  let quantity: number;
  if (value === null) {
    counts.recalculating += 1;
    quantity = old?.quantity ?? 0;
  } else {
    quantity = clampQuantity(value);
  }
  const price = pickPrice(parseSalePrices(p.salePrices), priceTypeId);
  if (price === undefined) counts.noPrice += 1;
  return {
    row: { productId: p.id, msProductId: p.msId, brand: p.brand, article: p.article, articleNorm: p.articleNorm, name: p.name, quantity, price: price ?? 0 },
  };
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
      const counts = zeroCounts();
      let message: string;
      if (request.mode === 'incremental') {
        const cursor = parseStockCursor(pl.stockCursor);
        const blocker = incrementalBlocker(pl, cursor, deps.clock.nowMs());
        if (blocker) {
          run.count('fullFallback');
          message = `full sync instead of incremental: ${blocker}`;
          await runFull(deps, request, run, ctx, pl, counts);
        } else {
          message = await runIncremental(deps, request, run, ctx, pl, cursor!, counts);
        }
      } else {
        message = await runFull(deps, request, run, ctx, pl, counts);
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

async function reportMissing(deps: StockSyncDeps, run: SyncRun, pl: PriceListRow, missing: string[], unusable: Array<[string, string]>): Promise<void> {
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

async function runFull(deps: StockSyncDeps, request: StockSyncRequest, run: SyncRun, ctx: IntegrationContext, pl: PriceListRow, counts: Counts): Promise<string> {
  const { db, clock } = deps;
  const storeId = pl.msStoreId!;
  const askedAt = clock.now();
  const report = await ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, includeZeroLines: true }, request.signal);
  await request.progress?.({ done: 0, total: report.length, message: `stock report: ${report.length} items` });
  const old = await loadOldRows(db, pl.id, pl.generation);
  if (report.length === 0 && old.size > 0) {
    // An empty report for a store that had rows: make sure the store still exists before emptying the list.
    const stores = await ctx.client.stores(request.signal);
    if (!stores.some((s) => s.id === storeId)) throw new StockStoreMissingError(storeId);
  }
  const products = await loadProducts(db, ctx.msAccount.id);
  const rows: PriceListRowInput[] = [];
  const missing: string[] = [];
  const unusable: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const r of report) {
    if (r.storeId !== undefined && r.storeId !== null && r.storeId !== storeId) continue;
    if (seen.has(r.assortmentId)) continue;
    seen.add(r.assortmentId);
    const p = products.get(r.assortmentId);
    if (!p) {
      missing.push(r.assortmentId);
      continue;
    }
    if (!p.usable) {
      unusable.push([p.msId, p.reason ?? 'unusable']);
      continue;
    }
    const o = old.get(p.msId);
    const { row } = buildRow(p, r.value, o, pl.priceTypeMsId, counts);
    counts[classify(row, o)] += 1;
    rows.push(row);
  }
  const kept = new Set(rows.map((r) => r.msProductId));
  for (const id of old.keys()) if (!kept.has(id)) counts.removed += 1;
  counts.missingProducts = missing.length;
  counts.unusableProducts = unusable.length;
  await reportMissing(deps, run, pl, missing, unusable);
  const cursor: StockCursor = { at: askedAt.toISOString(), storeId, stockType: pl.stockType, priceTypeId: pl.priceTypeMsId ?? null };
  const swap = await new PriceListRepository(db, clock).replaceRows(pl.id, rows, {
    ...request.swap,
    fromGeneration: pl.generation,
    stockCursor: JSON.stringify(cursor),
    onChunkWritten: async (written, total) => {
      await request.progress?.({ done: written, total, message: 'writing rows' });
      await request.swap?.onChunkWritten?.(written, total);
    },
  });
  counts.rows = swap.rowCount;
  request.onSwapped?.(swap);
  return `full: ${swap.rowCount} rows from ${report.length} report lines`;
}

async function runIncremental(
  deps: StockSyncDeps,
  request: StockSyncRequest,
  run: SyncRun,
  ctx: IntegrationContext,
  pl: PriceListRow,
  cursor: StockCursor,
  counts: Counts,
): Promise<string> {
  const { db, clock } = deps;
  const storeId = pl.msStoreId!;
  const askedAt = clock.now();
  const since = new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS);
  const report: StockCurrentRow[] = await ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, changedSince: since }, request.signal);
  const stockById = new Map<string, number | null>();
  for (const r of report) {
    if (r.storeId !== undefined && r.storeId !== null && r.storeId !== storeId) continue;
    stockById.set(r.assortmentId, r.value);
  }
  // Products whose card changed in the local nomenclature since the cursor (price, name, archive).
  const changedLocally = await db
    .selectFrom('priceListRows')
    .innerJoin('products', (j) => j.onRef('products.msId', '=', 'priceListRows.msProductId'))
    .select('priceListRows.msProductId')
    .where('priceListRows.priceListId', '=', pl.id)
    .where('priceListRows.generation', '=', pl.generation)
    .where('products.msAccountId', '=', ctx.msAccount.id)
    .where('products.updatedAt', '>=', new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS).toISOString())
    .execute();
  // Products new to the nomenclature since the cursor and not in the list yet: their stock did not
  // necessarily change, so ask for exactly them (one more request); many of them → a full run.
  const sinceIso = new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS).toISOString();
  const fresh = (
    await db
      .selectFrom('products as p')
      .select('p.msId')
      .where('p.msAccountId', '=', ctx.msAccount.id)
      .where('p.updatedAt', '>=', sinceIso)
      .where('p.syncState', '=', 'ok')
      .where('p.archived', '=', 0)
      .where('p.deleted', '=', 0)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('priceListRows as r')
              .select('r.id')
              .where('r.priceListId', '=', pl.id)
              .where('r.generation', '=', pl.generation)
              .whereRef('r.msProductId', '=', 'p.msId'),
          ),
        ),
      )
      .limit(NEW_PRODUCTS_PER_INCREMENT + 1)
      .execute()
  )
    .map((r) => r.msId)
    .filter((id) => !stockById.has(id));
  if (fresh.length > NEW_PRODUCTS_PER_INCREMENT) {
    run.count('fullFallback');
    const m = await runFull(deps, request, run, ctx, pl, counts);
    return `full sync instead of incremental: more than ${NEW_PRODUCTS_PER_INCREMENT} products are new to the nomenclature; ${m}`;
  }
  if (fresh.length > 0) {
    const extra = await ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, includeZeroLines: true, assortmentIds: fresh }, request.signal);
    for (const r of extra) if (r.storeId === undefined || r.storeId === null || r.storeId === storeId) stockById.set(r.assortmentId, r.value);
  }
  const ids = [...new Set([...stockById.keys(), ...changedLocally.map((r) => r.msProductId)])];
  // A large change set (e.g. after a full nomenclature resync) is cheaper read whole than by id lists.
  const whole = ids.length > 5000;
  const products = await loadProducts(db, ctx.msAccount.id, whole ? undefined : ids);
  const old = await loadOldRows(db, pl.id, pl.generation, whole ? undefined : ids);
  const upserts: PriceListRowInput[] = [];
  const removals: string[] = [];
  const missing: string[] = [];
  const unusable: Array<[string, string]> = [];
  for (const id of ids) {
    const p = products.get(id);
    const o = old.get(id);
    if (!p || !p.usable) {
      if (!p) missing.push(id);
      else unusable.push([id, p.reason ?? 'unusable']);
      if (o) {
        removals.push(id);
        counts.removed += 1;
      }
      continue;
    }
    const value = stockById.has(id) ? (stockById.get(id) ?? null) : (o?.quantity ?? 0);
    const { row } = buildRow(p, value, o, pl.priceTypeMsId, counts);
    const c = classify(row, o);
    counts[c] += 1;
    if (c !== 'unchanged') upserts.push(row);
  }
  counts.missingProducts = missing.length;
  counts.unusableProducts = unusable.length;
  await reportMissing(deps, run, pl, missing, unusable);
  const next: StockCursor = { ...cursor, at: askedAt.toISOString() };
  if (upserts.length === 0 && removals.length === 0) {
    // Nothing changed: move the cursor only (same generation, nothing for readers to see).
    await db.updateTable('priceLists').set({ stockCursor: JSON.stringify(next), lastSyncAt: askedAt.toISOString(), updatedAt: clock.now().toISOString() }).where('id', '=', pl.id).where('generation', '=', pl.generation).execute();
    counts.rows = pl.rowCount;
    return `incremental since ${since.toISOString()}: no changes in ${report.length} report lines`;
  }
  const swap = await new PriceListRepository(db, clock).patchRows(pl.id, upserts, removals, {
    ...request.swap,
    fromGeneration: pl.generation,
    stockCursor: JSON.stringify(next),
  });
  counts.rows = swap.rowCount;
  request.onSwapped?.(swap);
  return `incremental since ${since.toISOString()}: ${upserts.length} rows written, ${removals.length} removed from ${report.length} report lines`;
}
