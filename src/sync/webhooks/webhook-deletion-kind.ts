/**
 * @module webhook-deletion-kind
 * The `nomenclature.deletions` registry kind (B3): enqueued by the webhook intake when MoySklad sends
 * product/variant DELETE events (one job per MoySklad account, on its first active integration).
 * It takes the account's waiting ids (`pending-deletions.ts`), checks them by id against MoySklad
 * (`checkDeletedItems`: ≤ 80 ids per request, archived included) and marks only those MoySklad no
 * longer has deleted — the event alone never deletes anything. Then, as after the nightly pass's
 * deletions, the price lists that still hold rows of those products get an incremental stock run
 * (its own `stock.incremental` run and price-list log entry), which drops the rows now.
 * One `sync_runs` record with counts (named, notLocal, checked, stillPresent, deleted, lookups) and a
 * log line; a MoySklad failure fails the job (retried by the queue) and leaves the ids waiting.
 */
import { AppError, errorMessage } from '../../core/errors.js';
import type { SyncTrigger } from '../../store/schema.js';
import { MsWebhookRepository } from '../../store/repositories/ms-webhook-repository.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { loadIntegrationContext } from '../integration-context.js';
import { checkDeletedItems, MAX_DELETION_BATCH } from '../nomenclature/deletion-check.js';
import { syncPriceListStock, type StockSyncDeps } from '../stock/stock-sync.js';
import type { SyncKind, SyncOutcome } from '../sync-registry.js';
import { recordRun } from '../sync-run.js';
import { dropPendingDeletions, hasCandidates, takePendingDeletions } from './pending-deletions.js';

export { DELETIONS_KIND } from './kinds.js';
import { DELETIONS_KIND } from './kinds.js';
import { logMsg } from '../../domain/log-messages.js';

export interface DeletionKindDeps extends StockSyncDeps {
  clients: MoySkladClientPool;
  /** Ids per lookup (≤ 80). */
  batch?: number;
}

/** Waiting deliveries handled per round; a run goes on until none is left (bounded). */
const DELIVERIES_PER_ROUND = 200;
const MAX_ROUNDS = 50;

const TRIGGERS: ReadonlySet<string> = new Set(['schedule', 'manual', 'api', 'cli', 'webhook']);

export function createDeletionSyncKind(deps: DeletionKindDeps): SyncKind {
  return {
    kind: DELETIONS_KIND,
    description: 'Products and variants a MoySklad DELETE webhook named: checked by id (≤ 80 per request) and marked deleted only when MoySklad no longer has them (B3)',
    scope: 'integration',
    runner: async (rc): Promise<SyncOutcome> => {
      const integrationId = rc.request.integrationId;
      if (integrationId === undefined) throw new AppError('integration_required', `${DELETIONS_KIND} needs an integration id`, { status: 400 });
      const trigger = (TRIGGERS.has(rc.request.trigger) ? rc.request.trigger : 'manual') as SyncTrigger;
      const ctx = await loadIntegrationContext(deps.db, deps.clients, integrationId);
      const msAccountId = Number(ctx.msAccount.id);
      const deleted: string[] = [];
      const finished = await recordRun(deps.runDeps, { kind: DELETIONS_KIND, trigger, integrationId }, async (run) => {
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const pending = await takePendingDeletions(deps, msAccountId, DELIVERIES_PER_ROUND);
          if (pending.rowIds.length === 0) break;
          run.count('deliveries', pending.rowIds.length);
          if (hasCandidates(pending.candidates)) {
            const r = await checkDeletedItems(deps, { msAccountId, client: ctx.client }, pending.candidates, { batch: deps.batch ?? MAX_DELETION_BATCH, signal: rc.signal });
            run.count('named', r.named);
            run.count('notLocal', r.notLocal);
            run.count('checked', r.checked);
            run.count('stillPresent', r.stillPresent);
            run.count('deleted', r.deleted.length);
            run.count('lookups', r.lookups);
            deleted.push(...r.deleted);
          }
          await dropPendingDeletions(deps, pending.rowIds);
        }
        const c = run.counts;
        const message = `${c.checked ?? 0} of ${c.named ?? 0} named item(s) checked in MoySklad: ${deleted.length} marked deleted, ${c.stillPresent ?? 0} still there, ${c.notLocal ?? 0} not in this account's directory`;
        await run.log('info', deleted.length > 0 ? `${deleted.length} product(s) deleted in MoySklad (webhook) marked deleted` : message, {
          deleted: deleted.slice(0, 50),
          checked: c.checked ?? 0,
          stillPresent: c.stillPresent ?? 0,
          notLocal: c.notLocal ?? 0,
        }, deleted.length > 0 ? logMsg('products_deleted_by_webhook', { count: deleted.length }) : logMsg('deletions_checked', { checked: c.checked ?? 0, named: c.named ?? 0, deleted: 0, stillPresent: c.stillPresent ?? 0, notLocal: c.notLocal ?? 0 }));
        return { status: 'ok', message };
      });

      // As after the full pass: the price lists drop the rows at their next stock run — run it now.
      const counts: Record<string, number> = { ...finished.counts, requests: finished.requests };
      let failed = 0;
      for (const priceListId of await priceListsHolding(deps, msAccountId, deleted)) {
        try {
          await syncPriceListStock(deps, { priceListId, mode: 'incremental', trigger: 'webhook', ...(rc.signal ? { signal: rc.signal } : {}) });
          counts.priceListsUpdated = (counts.priceListsUpdated ?? 0) + 1;
        } catch (e) {
          if (rc.signal.aborted) throw e;
          failed += 1;
          await deps.runDeps.log.write({ level: 'warn', integrationId, priceListId, kind: DELETIONS_KIND, message: `price list ${priceListId}: the stock run after deletions failed (${errorMessage(e)}); its next scheduled run drops the rows` });
        }
      }
      if (failed > 0) counts.priceListsFailed = failed;
      const status = finished.status === 'ok' && failed > 0 ? 'partial' : finished.status;
      return { status, counts, ...(finished.message ? { message: finished.message } : {}) };
    },
  };
}

/** Bound price lists in the regions of the account's active integrations whose current rows include `msIds`. */
function priceListsHolding(deps: DeletionKindDeps, msAccountId: number, msIds: readonly string[]): Promise<number[]> {
  return new MsWebhookRepository(deps.db).priceListsHolding(msAccountId, msIds);
}
