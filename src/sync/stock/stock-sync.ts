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
 * - Each run reads (the report, `StockRepository`), calls the pure plan (`domain/stock-plan.ts`:
 *   `planFullStock` / `planIncrementalStock`) and applies it.
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
import {
  freshProductIds,
  planFullStock,
  planIncrementalStock,
  reportOnlyIds,
  stagedProductOf,
  stockByProduct,
  type StagedProduct,
  type StockCounts,
  type StockLine,
  type StockRowWrite,
} from '../../domain/stock-plan.js';
import type { Database, PriceListRow, SyncTrigger } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { loadIntegrationContext, type IntegrationContext } from '../integration-context.js';
import { recordRun, type FinishedRun, type SyncRun, type SyncRunDeps } from '../sync-run.js';
import { IntegrationRepository } from '../../store/repositories/integration-repository.js';
import { PriceListIssueRepository } from '../../store/repositories/price-list-issue-repository.js';
import { PriceListRepository, withPriceListLock, type StagedSwap, type SwapOptions, type SwapResult } from '../../store/repositories/price-list-repository.js';
import { StockRepository } from '../../store/repositories/stock-repository.js';
import { stockScopeOf } from './stock-scope.js';
import { isReportTooLarge, readStockNarrowed } from './narrowed-stock.js';
import { digestOf, productPages, productsByMsIds, productsUpdatedSince, rowsByMsIds, yieldToEventLoop, type ProductWithRow } from './stock-rows.js';
import { incrementalBlocker, localWindowFrom, parseStockCursor, STOCK_OVERLAP_MS, type StockCursor } from './stock-cursor.js';
import { logStockDetail, logStockFindings } from './stock-findings-log.js';

export { STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND } from './kinds.js';
import { STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND } from './kinds.js';
export { incrementalBlocker, parseStockCursor, STOCK_LOCAL_OVERLAP_MS, STOCK_MAX_LOOKBACK_MS, STOCK_OVERLAP_MS, type StockCursor } from './stock-cursor.js';

/** Products new to the nomenclature that an incremental run fetches by id (more → a full run). */
export const NEW_PRODUCTS_PER_INCREMENT = 200;

export type StockSyncMode = 'full' | 'incremental';

/** The repositories a stock sync reads and writes through. */
export interface StockStore {
  priceLists: PriceListRepository;
  stock: StockRepository;
  issues: PriceListIssueRepository;
  integrations: IntegrationRepository;
}

export interface StockSyncDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  runDeps: SyncRunDeps;
  /** The repositories (default: built over `db`). */
  store?: StockStore;
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

/** A price list with the scope of its integration (C5). */
type ScopedPriceList = PriceListRow & { rootFolderMsId: string | null; scopeKey: string | null };

/** What a run did: its counts and the message of its log entry. */
interface RunOutcome {
  counts: StockCounts;
  message: string;
}

function storeOf(deps: StockSyncDeps): StockStore {
  const { db, clock } = deps;
  return (
    deps.store ?? {
      priceLists: new PriceListRepository(db, clock),
      stock: new StockRepository(db),
      issues: new PriceListIssueRepository(db, clock),
      integrations: new IntegrationRepository(db, clock),
    }
  );
}

/** The price list's integration (one per region), or a clear error. */
async function integrationOf(store: StockStore, pl: PriceListRow): Promise<number> {
  const i = await store.integrations.findByRegion(pl.regionId);
  if (!i) throw new AppError('integration_missing', `region ${pl.regionId} of price list ${pl.id} has no MoySklad integration`, { status: 422 });
  return Number(i.id);
}

/**
 * Runs one stock sync of a price list inside a recorded run; returns the finished run, or throws
 * (after recording the failed run and its reason) when it failed — the previous rows stay.
 */
export async function syncPriceListStock(deps: StockSyncDeps, request: StockSyncRequest): Promise<FinishedRun> {
  const store = storeOf(deps);
  const pl0 = await store.priceLists.find(request.priceListId);
  const integrationId = pl0 ? await integrationOf(store, pl0).catch(() => null) : null;
  const kind = request.mode === 'full' ? STOCK_FULL_KIND : STOCK_INCREMENTAL_KIND;
  return withPriceListLock(request.priceListId, () =>
    recordRun(deps.runDeps, { kind, trigger: request.trigger, integrationId, priceListId: pl0 ? request.priceListId : null }, async (run) => {
      const pl = await store.priceLists.find(request.priceListId);
      if (!pl) throw new AppError('not_found', `price list ${request.priceListId} not found`, { status: 404 });
      if (!pl.msStoreId) throw new PriceListUnboundError(pl.id);
      if (integrationId === null) await integrationOf(store, pl);
      const ctx = await loadIntegrationContext(deps.db, deps.clients, integrationId!);
      const scope = await stockScopeOf(deps.db, deps.clock, ctx.msAccount.id, ctx.integration.rootFolderMsId);
      // C5: the rows hold the goods of the integration's root folder only.
      const view: ScopedPriceList = { ...pl, rootFolderMsId: scope.rootFolderMsId, scopeKey: scope.key };
      const runner = new StockRunner(deps, store, request, run, ctx, view);
      let outcome: RunOutcome;
      if (request.mode === 'incremental') {
        const cursor = parseStockCursor(pl.stockCursor);
        const blocker = incrementalBlocker(pl, cursor, deps.clock.nowMs(), scope);
        outcome = blocker ? await runner.fullInstead(blocker) : await runner.incremental(cursor!);
      } else {
        outcome = await runner.full();
      }
      for (const [k, v] of Object.entries(outcome.counts)) run.count(k, v);
      return { status: 'ok', message: outcome.message };
    }),
  );
}

/** The products of a full run as staged, with the cards it saw (for the next run's cursor). */
interface StagedProducts {
  products: StagedProduct[];
  cards: Array<{ id: number; updatedAt: string }>;
  /** The newest card stamp seen ('' = no product). */
  productsAt: string;
}

/** One run of one price list: reads, calls the plan, applies it. */
class StockRunner {
  readonly #storeId: string;

  constructor(
    private readonly deps: StockSyncDeps,
    private readonly store: StockStore,
    private readonly request: StockSyncRequest,
    private readonly run: SyncRun,
    private readonly ctx: IntegrationContext,
    private readonly pl: ScopedPriceList,
  ) {
    this.#storeId = pl.msStoreId!;
  }

  /** A full run where an incremental one was asked (`why`). */
  async fullInstead(why: string): Promise<RunOutcome> {
    this.run.count('fullFallback');
    const outcome = await this.full();
    return { counts: outcome.counts, message: `full sync instead of incremental: ${why}` };
  }

  /**
   * Full run. The report request is sent first; while MoySklad builds it (≈ 10 s for 100 000 lines)
   * the next generation is staged from the nomenclature: one row per usable product with its
   * previous quantity (0 for a new row), its price and text. When the report arrives only the
   * quantities that differ are set (by row id) and the rows of products the report does not list
   * are deleted, then the generation is flipped. Memory stays flat: products are read in pages and
   * only numbers are kept per product.
   */
  async full(): Promise<RunOutcome> {
    const { deps, store, request, ctx, pl } = this;
    const storeId = this.#storeId;
    const askedAt = deps.clock.now();
    const reportP = ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, includeZeroLines: true }, request.signal);
    reportP.catch(() => undefined); // awaited below; a failure while staging must not leave it unhandled
    let staged: StagedSwap | undefined;
    try {
      await yieldToEventLoop(); // the request goes out before the synchronous SQLite work starts
      const oldRowCount = await store.stock.currentRowCount(pl);
      staged = await store.priceLists.beginSwap(pl.id, {
        ...request.swap,
        fromGeneration: pl.generation,
        expectedRows: oldRowCount,
        onChunkWritten: async (written, total) => {
          await request.progress?.({ done: written, total, message: 'writing rows' });
          await request.swap?.onChunkWritten?.(written, total);
        },
      });
      const { products, cards, productsAt } = await this.#stage(staged);
      const report = await this.#fullReport(reportP, products);
      await request.progress?.({ done: 0, total: report.length, message: `stock report: ${report.length} items` });
      if (report.length === 0 && oldRowCount > 0) {
        // An empty report for a store that had rows: make sure the store still exists before emptying the list.
        const stores = await ctx.client.stores(request.signal);
        if (!stores.some((s) => s.id === storeId)) throw new StockStoreMissingError(storeId);
      }
      const plan = planFullStock({ storeId, products, report, oldRowCount });
      await staged.setQuantities(plan.quantities.ids, plan.quantities.values);
      await staged.deleteIds(plan.deleteRowIds);
      await logStockFindings(deps.runDeps, this.run, pl, plan.findings);
      const cursor: StockCursor = {
        at: askedAt.toISOString(),
        storeId,
        stockType: pl.stockType,
        priceTypeId: pl.priceTypeMsId ?? null,
        ...(pl.publishWithoutPrice === 1 ? { publishWithoutPrice: true } : {}),
        ...(pl.rootFolderMsId !== null ? { rootFolderMsId: pl.rootFolderMsId } : {}),
        ...(pl.scopeKey !== null ? { scopeKey: pl.scopeKey } : {}),
        ...(productsAt ? { productsAt, productsDigest: digestOf(cards, localWindowFrom(productsAt), productsAt) } : {}),
      };
      const swap = await staged.commit(JSON.stringify(cursor));
      const { unpriced } = plan.findings;
      await store.issues.replace(pl.id, ctx.msAccount.id, 'no-price', unpriced);
      request.onSwapped?.(swap);
      return {
        counts: { ...plan.counts, rows: swap.rowCount },
        message: `full: ${swap.rowCount} rows from ${report.length} report lines${unpriced.length > 0 ? `; ${unpriced.length} left out without a price` : ''}`,
      };
    } catch (e) {
      await staged?.abort();
      throw e;
    }
  }

  /** Stages one row per usable product of the nomenclature (page by page) and keeps what the plan needs. */
  async #stage(staged: StagedSwap): Promise<StagedProducts> {
    const publishWithoutPrice = this.pl.publishWithoutPrice === 1;
    const out: StagedProducts = { products: [], cards: [], productsAt: '' };
    for await (const page of productPages(this.store.stock, this.ctx.msAccount.id, this.pl)) {
      const rows: StockRowWrite[] = [];
      const rowOwners: StagedProduct[] = [];
      for (const p of page) {
        if (p.updatedAt > out.productsAt) out.productsAt = p.updatedAt;
        out.cards.push({ id: p.id, updatedAt: p.updatedAt });
        const { product, row } = stagedProductOf(p, publishWithoutPrice);
        out.products.push(product);
        if (row) {
          rows.push(row);
          rowOwners.push(product);
        }
      }
      const ids = await staged.insert(rows);
      for (let k = 0; k < ids.length; k++) rowOwners[k]!.rowId = ids[k]!;
    }
    return out;
  }

  /** The full report; C10: one MoySklad finds too large (13005) is asked by chunks of the nomenclature's items. */
  async #fullReport(reportP: Promise<StockLine[]>, products: readonly StagedProduct[]): Promise<StockLine[]> {
    try {
      return await reportP;
    } catch (e) {
      if (!isReportTooLarge(e)) throw e;
      const { pl, request } = this;
      const storeId = this.#storeId;
      const msIds = [...new Set(products.map((p) => p.msId))];
      const narrowed = await readStockNarrowed(this.ctx.client, { storeId, stockType: pl.stockType, includeZeroLines: true }, msIds, request.signal);
      this.run.count('narrowedRequests', narrowed.requests);
      await logStockDetail(this.deps.runDeps, this.run, 'info', `price list ${pl.id}: MoySklad finds the stock report of store ${storeId} too large (13005); read in ${narrowed.requests} parts by item`, {
        priceListId: pl.id,
        requests: narrowed.requests,
        items: msIds.length,
      });
      return narrowed.rows;
    }
  }

  /**
   * Incremental run. The `changedSince` report is requested first; while it is in flight the
   * products written locally since the last run are read (with their rows). Then the changed rows
   * are patched into the current generation in ONE transaction (no copy of the list).
   */
  async incremental(cursor: StockCursor): Promise<RunOutcome> {
    const { deps, store, request, ctx, pl } = this;
    const storeId = this.#storeId;
    const askedAt = deps.clock.now();
    const since = new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS);
    const reportP = ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, changedSince: since }, request.signal);
    reportP.catch(() => undefined); // awaited below
    await yieldToEventLoop(); // the request goes out before the first synchronous SQLite query
    const { local, seen, productsAt } = await this.#localChanges(cursor);
    let report: StockLine[];
    try {
      report = await reportP;
    } catch (e) {
      if (!isReportTooLarge(e)) throw e;
      // C10: too many changes for one report (13005): a full run, which reads the store by parts.
      return this.#fullAfter('the changes report is too large for MoySklad (13005)');
    }
    const stock = stockByProduct(report, storeId);
    // New products' stock did not necessarily change, so ask for exactly them (one more request);
    // many of them → a full run.
    const fresh = freshProductIds(local, stock);
    if (fresh.length > NEW_PRODUCTS_PER_INCREMENT) return this.#fullAfter(`more than ${NEW_PRODUCTS_PER_INCREMENT} products are new to the nomenclature`);
    if (fresh.length > 0) {
      stockByProduct(await ctx.client.stockByStoreCurrent({ storeId, stockType: pl.stockType, includeZeroLines: true, assortmentIds: fresh }, request.signal), storeId, stock);
    }
    const reportOnly = reportOnlyIds(stock, local);
    const rows = await rowsByMsIds(store.stock, pl, reportOnly);
    const withoutRow = await productsByMsIds(
      store.stock,
      ctx.msAccount.id,
      pl,
      reportOnly.filter((id) => !rows.has(id)),
    );
    const plan = planIncrementalStock({ publishWithoutPrice: pl.publishWithoutPrice === 1, stock, local, rows, withoutRow });
    await logStockFindings(deps.runDeps, this.run, pl, plan.findings);
    await store.issues.clear(pl.id, plan.settled);
    await store.issues.record(pl.id, ctx.msAccount.id, 'no-price', plan.findings.unpriced);
    const next: StockCursor = {
      ...cursor,
      at: askedAt.toISOString(),
      ...(productsAt ? { productsAt, productsDigest: digestOf(seen, localWindowFrom(productsAt), productsAt) } : {}),
    };
    const { upserts, quantities, removals } = plan;
    if (upserts.length === 0 && removals.length === 0 && quantities.length === 0) {
      // Nothing changed: move the cursor only (same generation, nothing for readers to see).
      await store.priceLists.moveStockCursor(pl.id, pl.generation, JSON.stringify(next), askedAt.toISOString());
      return { counts: { ...plan.counts, rows: pl.rowCount }, message: `incremental since ${since.toISOString()}: no changes in ${report.length} report lines` };
    }
    const swap = await store.priceLists.patchRows(pl.id, { upserts, quantities, removeMsProductIds: removals }, {
      ...request.swap,
      fromGeneration: pl.generation,
      stockCursor: JSON.stringify(next),
    });
    request.onSwapped?.(swap);
    return {
      counts: { ...plan.counts, rows: swap.rowCount },
      message: `incremental since ${since.toISOString()}: ${upserts.length + quantities.length} rows written, ${removals.length} removed from ${report.length} report lines`,
    };
  }

  /** A full run that an incremental one turned into (`why`). */
  async #fullAfter(why: string): Promise<RunOutcome> {
    this.run.count('fullFallback');
    const outcome = await this.full();
    return { counts: outcome.counts, message: `full sync instead of incremental: ${why}; ${outcome.message}` };
  }

  /**
   * Products whose card changed in the local nomenclature since the last run (price, name,
   * archive), and products new to it that are not in the list yet: the cards stamped after the
   * newest one the last run saw, plus — unless the cards just before it are exactly those the last
   * run saw (digest) — the cards of the window before it, which may have been committed late.
   */
  async #localChanges(cursor: StockCursor): Promise<{ local: ProductWithRow[]; seen: Array<{ id: number; updatedAt: string }>; productsAt: string }> {
    const { store, ctx, pl } = this;
    const seen: Array<{ id: number; updatedAt: string }> = [];
    let local: ProductWithRow[];
    if (cursor.productsAt) {
      const from = localWindowFrom(cursor.productsAt);
      const window = await store.stock.cardsBetween(ctx.msAccount.id, from, cursor.productsAt);
      const same = cursor.productsDigest !== undefined && digestOf(window, from, cursor.productsAt) === cursor.productsDigest;
      if (same) for (const c of window) seen.push(c);
      local = await productsUpdatedSince(store.stock, ctx.msAccount.id, pl, same ? cursor.productsAt : from, { strictlyAfter: same });
    } else {
      local = await productsUpdatedSince(store.stock, ctx.msAccount.id, pl, new Date(Date.parse(cursor.at) - STOCK_OVERLAP_MS).toISOString());
    }
    let productsAt = cursor.productsAt ?? '';
    for (const p of local) {
      if (p.updatedAt > productsAt) productsAt = p.updatedAt;
      seen.push({ id: p.id, updatedAt: p.updatedAt });
    }
    return { local, seen, productsAt };
  }
}
