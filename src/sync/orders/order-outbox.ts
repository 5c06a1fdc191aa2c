/**
 * @module order-outbox
 * The outbox handler for orders (B1): every outbox row about an order — created, updated, a
 * position's status changed — runs the same reconciliation (`exportOrder`), and every other
 * waiting row of that order read before the run is marked sent with it (coalesced), so a burst of
 * store changes costs one MoySklad round. The order's own `export_state`/`export_error` show the
 * outcome in the API and the admin panel: `sent`; `pending` with the reason while it waits
 * (MoySklad down, option off); `failed` with the reason when a person must act.
 *
 * Also the registry entry: `createOrderSyncKinds(deps)` → the `outbox` sync kind (queue kind
 * `outbox`, global scope) that the scheduler fires every minute and the CLI/API can start.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { BrandSynonyms } from '../../domain/brand-synonyms.js';
import { JOB_KINDS, type JobEnqueuer } from '../../queue/types.js';
import { OrderCatalogRepository } from '../../store/repositories/order-catalog-repository.js';
import type { Database, OutboxRow, SyncTrigger } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { IntegrationInactiveError, loadIntegrationContext } from '../integration-context.js';
import { classifyExportError, ExportDeferred } from '../outbox/export-error.js';
import { drainOutbox, type DrainOptions, type DrainReport, type OutboxHandler } from '../outbox/outbox-drain.js';
import { OutboxRepository } from '../../store/repositories/outbox-repository.js';
import { ORDER_OUTBOX_KINDS } from '../../store/repositories/order-repository.js';
import type { SyncKind } from '../sync-registry.js';
import type { SyncRunDeps } from '../sync-run.js';
import { ExportCaches, exportOrder, type OrderExportHooks } from './order-export.js';
import { createCounterpartyOutboxHandlers } from '../counterparties/counterparty-outbox.js';
import { orderFailedEvent } from './order-events.js';
import { recordPlatformEvent } from '../../store/repositories/platform-event-recorder.js';
import { shippedBrandSynonyms } from './shipped-brand-synonyms.js';

/** Outbox kinds about orders (written by `OrderRepository`); all mean "bring this order up to date". */
export { ORDER_OUTBOX_KINDS };

export interface OrderSyncDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  runDeps: SyncRunDeps;
  /** Brand synonyms for matching lines to products (default: the table shipped in `shared/data`). */
  brandSynonyms?: BrandSynonyms;
  hooks?: OrderExportHooks;
  /**
   * C4: where the stock runs of the price lists bound to an order's store are enqueued right after
   * the export moved its reserves (the job queue, as the webhook intake uses it). Without one (the
   * CLI) those price lists catch up at their next scheduled run.
   */
  enqueuer?: JobEnqueuer;
}

const CACHES_KEY = 'orders.caches';

/** The handler for every order outbox kind. */
export function createOrderOutboxHandler(deps: OrderSyncDeps): OutboxHandler {
  return async (item: OutboxRow, env) => {
    const orderId = Number(item.aggregateId);
    const coalesced = await env.store.pendingIdsOf('order', item.aggregateId, ORDER_OUTBOX_KINDS);
    const order = await deps.db.selectFrom('orders').select(['id', 'regionId', 'externalId', 'kind']).where('id', '=', orderId).executeTakeFirst();
    if (!order) {
      await env.run.log('warn', `outbox ${item.id}: order ${orderId} no longer exists; nothing to send`);
      return { coalesced, counts: { orders_missing: 1 } };
    }
    const setState = async (state: 'pending' | 'failed', error: string): Promise<void> => {
      await deps.db.transaction().execute(async (tx) => {
        await tx.updateTable('orders').set({ exportState: state, exportError: error.slice(0, 2000), updatedAt: deps.clock.now().toISOString() }).where('id', '=', orderId).execute();
        // E3: a failure a person must act on is announced to the platform with the state change.
        if (state === 'failed') await recordPlatformEvent(tx, deps.clock, orderFailedEvent(order, error));
      });
    };
    try {
      const integration =
        (await deps.db.selectFrom('integrations').select('id').where('regionId', '=', order.regionId).executeTakeFirst()) ??
        (item.integrationId !== null ? { id: item.integrationId } : undefined);
      if (!integration) throw new ExportDeferred('no_integration', `region ${order.regionId} has no MoySklad integration yet; the order waits`);
      let ctx;
      try {
        ctx = await loadIntegrationContext(deps.db, deps.clients, Number(integration.id));
      } catch (e) {
        if (e instanceof IntegrationInactiveError) throw new ExportDeferred('integration_inactive', `integration ${integration.id} is not active; the order waits`);
        throw e;
      }
      let caches = env.shared.get(CACHES_KEY) as ExportCaches | undefined;
      if (!caches) env.shared.set(CACHES_KEY, (caches = new ExportCaches()));
      const result = await exportOrder(
        {
          db: deps.db,
          clock: deps.clock,
          ctx,
          caches,
          log: (level, message, details) => env.run.log(level, message, details),
          brandSynonyms: deps.brandSynonyms ?? shippedBrandSynonyms(),
          ...(deps.hooks ? { hooks: deps.hooks } : {}),
        },
        orderId,
      );
      const counts: Record<string, number> = { [`orders_${result.action}`]: 1 };
      if (result.counterparty !== 'linked') counts[`counterparties_${result.counterparty}`] = 1;
      if (result.productsCreated) counts.products_created = result.productsCreated;
      if (result.positionsDeleted) counts.positions_deleted = result.positionsDeleted;
      if (result.action === 'empty') {
        await env.run.log('info', `order ${order.externalId}: every line is rejected or withdrawn; no empty order is created in MoySklad`, { orderId });
      } else if (result.action === 'deleted') {
        await env.run.log('info', `order ${order.externalId}: every line is rejected or withdrawn; its MoySklad order ${result.msOrderId} was deleted`, { ...result });
      } else if (result.action !== 'unchanged') {
        await env.run.log('info', `order ${order.externalId} ${result.action} in MoySklad as ${result.msOrderId}`, { ...result });
      }
      if (result.reservesChangedAt) counts.stock_refreshes = await refreshStock(deps, env.run.log, Number(ctx.msAccount.id), result.reservesChangedAt, order.externalId);
      return { coalesced, counts };
    } catch (e) {
      if (e instanceof ExportDeferred) {
        await setState('pending', `${e.code}: ${e.message}`);
      } else {
        const c = classifyExportError(e);
        await setState(c.retryable ? 'pending' : 'failed', c.message);
      }
      throw e;
    }
  };
}

/**
 * C4: right after an export moved reserves at a store, an incremental stock run of every price list
 * bound to that store (through the queue, merged with one already waiting), so the ordered goods
 * leave the available quantity within seconds instead of at the next scheduled run.
 */
async function refreshStock(deps: OrderSyncDeps, log: (level: 'info' | 'warn', message: string, details?: unknown) => Promise<void>, msAccountId: number, storeId: string, orderRef: string): Promise<number> {
  if (!deps.enqueuer) return 0;
  const lists = await new OrderCatalogRepository(deps.db, deps.clock).priceListsBoundToStore(msAccountId, storeId);
  for (const pl of lists) {
    try {
      await deps.enqueuer.enqueue({ kind: JOB_KINDS.stockIncremental, priceListId: pl.id, integrationId: pl.integrationId, trigger: 'order', payload: { reason: 'order_exported', order: orderRef } });
    } catch (e) {
      // The export itself is done; the price list catches up at its next scheduled run.
      await log('warn', `order ${orderRef}: the stock refresh of price list ${pl.id} could not be queued: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return lists.length;
}

/** The handlers for the outbox drain: every order kind → the order handler. */
export function createOrderOutboxHandlers(deps: OrderSyncDeps): Map<string, OutboxHandler> {
  const handler = createOrderOutboxHandler(deps);
  return new Map(ORDER_OUTBOX_KINDS.map((k) => [k, handler]));
}

/** Drains the outbox once (what the `outbox` job does): orders, and counterparty changes (C11). */
export function drainOrderOutbox(deps: OrderSyncDeps, options: DrainOptions = {}): Promise<DrainReport> {
  const handlers = new Map([...createOrderOutboxHandlers(deps), ...createCounterpartyOutboxHandlers(deps)]);
  return drainOutbox({ db: deps.db, clock: deps.clock, runDeps: deps.runDeps, handlers }, options);
}

const triggerOf = (t: string): SyncTrigger => (t === 'schedule' || t === 'manual' || t === 'api' || t === 'cli' || t === 'webhook' ? t : 'manual');

/** Registry entries (wire into `buildSyncRegistry`): the `outbox` kind drains the order outbox. */
export function createOrderSyncKinds(deps: OrderSyncDeps): SyncKind[] {
  return [
    {
      kind: JOB_KINDS.outbox,
      description: 'Send waiting store changes to MoySklad: counterparties, customer and supplier orders, rejected positions (R3, R5–R7, R24–R28, B1)',
      scope: 'global',
      runner: async ({ request, signal, progress }) => {
        const r = await drainOrderOutbox(deps, {
          trigger: triggerOf(request.trigger),
          signal,
          onProgress: (p) => progress({ done: p.claimed, message: `${p.sent} sent, ${p.retried} to retry, ${p.deferred} waiting, ${p.failed} failed` }),
        });
        const counts = { claimed: r.claimed, sent: r.sent, retried: r.retried, deferred: r.deferred, failed: r.failed, busy: r.busy, requests: r.requests };
        return {
          status: r.failed > 0 || r.retried > 0 ? (r.sent > 0 ? 'partial' : 'failed') : 'ok',
          counts,
          message: `outbox: ${r.sent} sent, ${r.retried} to retry, ${r.deferred} waiting, ${r.failed} failed`,
        };
      },
    },
  ];
}

/** Manual retry of every failed outbox row of one order (admin "retry export" button). */
export async function retryOrderExport(deps: { db: Kysely<Database>; clock: Clock }, orderId: number): Promise<number> {
  const store = new OutboxRepository(deps.db, deps.clock);
  const rows = (await store.listFor('order', orderId)).filter((r) => r.state === 'failed' || r.state === 'pending');
  for (const r of rows) await store.retry(r.id);
  if (rows.length) {
    await deps.db.updateTable('orders').set({ exportState: 'pending', updatedAt: deps.clock.now().toISOString() }).where('id', '=', orderId).where('exportState', '=', 'failed').execute();
  }
  return rows.length;
}
