/**
 * @module stock-findings-log
 * R14: a stock run writes ONE entry to the price list's log (its `sync_runs` record); what it left
 * out (products missing from the nomenclature, unusable, without a price) goes to the integration's
 * log here, with a sample of ids.
 */
import type { StockFindings } from '../../domain/stock-plan.js';
import type { PriceListRow } from '../../store/schema.js';
import type { SyncRun, SyncRunDeps } from '../sync-run.js';

/** Writes one detail entry of the run to the integration log (not the price list's). */
export async function logStockDetail(runDeps: SyncRunDeps, run: SyncRun, level: 'info' | 'warn', message: string, details: unknown): Promise<void> {
  await runDeps.log.write({ level, integrationId: run.meta.integrationId ?? null, priceListId: null, runId: run.id, kind: run.meta.kind, message, details });
}

/** The run's findings, one entry per kind present. */
export async function logStockFindings(runDeps: SyncRunDeps, run: SyncRun, pl: PriceListRow, findings: StockFindings): Promise<void> {
  const { missing, unusable, unpriced } = findings;
  if (unpriced.length > 0) {
    await logStockDetail(runDeps, run, 'info', `price list ${pl.id}: ${unpriced.length} item(s) left out: no price of the list's price type (listed in the data-quality report)`, {
      priceListId: pl.id,
      count: unpriced.length,
      sample: unpriced.slice(0, 20),
    });
  }
  if (missing.length > 0) {
    await logStockDetail(runDeps, run, 'warn', `price list ${pl.id}: ${missing.length} item(s) of store ${pl.msStoreId} are not in the synced nomenclature and were left out; run the nomenclature sync`, {
      priceListId: pl.id,
      count: missing.length,
      sample: missing.slice(0, 20),
    });
  }
  if (unusable.length > 0) {
    await logStockDetail(runDeps, run, 'info', `price list ${pl.id}: ${unusable.length} item(s) left out because the product is archived, deleted or not synced (R16)`, {
      priceListId: pl.id,
      count: unusable.length,
      sample: unusable.slice(0, 20).map(([id, reason]) => ({ msProductId: id, reason })),
    });
  }
}
