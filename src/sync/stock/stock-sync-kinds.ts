/**
 * @module stock-sync-kinds
 * The registry kinds of the stock sync (R13: forced from the price list's card, the API, the CLI;
 * R12: scheduled at the price list's frequency). Both are scoped to one price list.
 */
import { AppError } from '../../core/errors.js';
import { runTriggerOf } from '../run-trigger.js';
import type { SyncKind, SyncOutcome, SyncRunContext } from '../sync-registry.js';
import { STOCK_FULL_KIND, STOCK_INCREMENTAL_KIND, syncPriceListStock, type StockSyncDeps, type StockSyncMode } from './stock-sync.js';

/** @deprecated import `runTriggerOf` from `sync/run-trigger.ts` (the one job → run trigger conversion). */
export const toSyncTrigger = runTriggerOf;

function runner(deps: StockSyncDeps, mode: StockSyncMode) {
  return async (ctx: SyncRunContext): Promise<SyncOutcome> => {
    const priceListId = ctx.request.priceListId;
    if (priceListId === undefined) throw new AppError('price_list_required', `${ctx.request.kind} needs a price list id`, { status: 400 });
    const run = await syncPriceListStock(deps, {
      priceListId,
      mode,
      trigger: runTriggerOf(ctx.request.trigger),
      signal: ctx.signal,
      progress: (p) => ctx.progress(p),
    });
    return { status: run.status, counts: run.counts, ...(run.message ? { message: run.message } : {}) };
  };
}

/** `stock.full` and `stock.incremental`, to register in the composition root's `SyncRegistry`. */
export function createStockSyncKinds(deps: StockSyncDeps): SyncKind[] {
  return [
    {
      kind: STOCK_FULL_KIND,
      description: "Full stock of the price list's MoySklad store into its rows, swapped atomically (R4, R11, R13)",
      scope: 'price-list',
      runner: runner(deps, 'full'),
    },
    {
      kind: STOCK_INCREMENTAL_KIND,
      description: 'Stock changed since the last run (changedSince, overlapping windows; full sync when older than 24 h) (R12, B3)',
      scope: 'price-list',
      runner: runner(deps, 'incremental'),
    },
  ];
}
