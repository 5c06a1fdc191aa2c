/**
 * @module order-run
 * What the single order handler (`order-outbox.ts`) and the batch (`order-batch.ts`, P2) share for
 * one outbox row about an order: the order it names, the integration that exports it, the export
 * deps of the drain run (caches), how a failure shows on the order (and reaches the platform, E3),
 * and the log lines, counters and C4 stock refresh after an export.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { BrandSynonyms } from '../../domain/brand-synonyms.js';
import type { JobEnqueuer } from '../../queue/types.js';
import { STOCK_INCREMENTAL_KIND } from '../stock/kinds.js';
import { OrderCatalogRepository } from '../../store/repositories/order-catalog-repository.js';
import { OrderRepository } from '../../store/repositories/order-repository.js';
import { IntegrationRepository } from '../../store/repositories/integration-repository.js';
import type { Database, OutboxRow } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { IntegrationInactiveError, loadIntegrationContext, type IntegrationContext } from '../integration-context.js';
import { classifyExportError, ExportDeferred } from '../outbox/export-error.js';
import type { OutboxHandlerEnv } from '../outbox/outbox-drain.js';
import type { SyncRunDeps } from '../sync-run.js';
import { orderFailedEvent } from './order-events.js';
import { ExportCaches, type OrderExportDeps, type OrderExportHooks, type OrderExportResult } from './order-export.js';
import { shippedBrandSynonyms } from './shipped-brand-synonyms.js';
import { logError, logMsg, type LogMessage } from '../../domain/log-messages.js';

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
  /** P3: this process's claimer id on outbox rows (default host:pid). */
  owner?: string;
}

const CACHES_KEY = 'orders.caches';

/** The store order an outbox row is about, as the handler needs it. */
export type OrderRef = { id: number; regionId: number; externalId: string; kind: 'customer' | 'supplier' };

/** The drain run's export caches (counterparties verified, cards resolved), created on first use. */
export function cachesOf(env: OutboxHandlerEnv): ExportCaches {
  let caches = env.shared.get(CACHES_KEY) as ExportCaches | undefined;
  if (!caches) env.shared.set(CACHES_KEY, (caches = new ExportCaches()));
  return caches;
}

/** The integration that exports an order (its region's), as a context; waits (`ExportDeferred`) when there is none or it is off. */
export async function contextFor(deps: OrderSyncDeps, order: OrderRef, item: OutboxRow): Promise<IntegrationContext> {
  const integration =
    (await new IntegrationRepository(deps.db, deps.clock).findByRegion(order.regionId)) ??
    (item.integrationId !== null ? { id: item.integrationId } : undefined);
  if (!integration) throw new ExportDeferred('no_integration', `region ${order.regionId} has no MoySklad integration yet; the order waits`);
  try {
    return await loadIntegrationContext(deps.db, deps.clients, Number(integration.id));
  } catch (e) {
    if (e instanceof IntegrationInactiveError) throw new ExportDeferred('integration_inactive', `integration ${integration.id} is not active; the order waits`);
    throw e;
  }
}

/** The export deps of one order run (shared by the single handler and the batch, P2). */
export function exportDepsFor(deps: OrderSyncDeps, env: OutboxHandlerEnv, ctx: IntegrationContext): OrderExportDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    ctx,
    caches: cachesOf(env),
    log: (level, message, details, text) => env.run.log(level, message, details, text),
    brandSynonyms: deps.brandSynonyms ?? shippedBrandSynonyms(),
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
  };
}

/** The order shows why it waits or failed; a failure a person must act on is announced to the platform (E3). */
export async function recordOrderFailure(deps: OrderSyncDeps, order: OrderRef, e: unknown): Promise<void> {
  let state: 'pending' | 'failed' = 'pending';
  let error: string;
  if (e instanceof ExportDeferred) {
    error = `${e.code}: ${e.message}`;
  } else {
    const c = classifyExportError(e);
    state = c.retryable ? 'pending' : 'failed';
    error = c.message;
  }
  await new OrderRepository(deps.db, deps.clock).markExportState(order.id, state, error, state === 'failed' ? orderFailedEvent(order, error) : undefined);
}

/** Log lines, run counters and the C4 stock refresh after one order was exported (single or batch). */
export async function reportExported(deps: OrderSyncDeps, env: OutboxHandlerEnv, ctx: IntegrationContext, order: OrderRef, result: OrderExportResult): Promise<Record<string, number>> {
  const counts: Record<string, number> = { [`orders_${result.action}`]: 1 };
  if (result.counterparty !== 'linked') counts[`counterparties_${result.counterparty}`] = 1;
  if (result.productsCreated) counts.products_created = result.productsCreated;
  if (result.positionsDeleted) counts.positions_deleted = result.positionsDeleted;
  if (result.action === 'empty') {
    await env.run.log('info', `order ${order.externalId}: every line is rejected or withdrawn; no empty order is created in MoySklad`, { orderId: order.id }, logMsg('order_empty_not_created', { order: order.externalId }));
  } else if (result.action === 'deleted') {
    await env.run.log('info', `order ${order.externalId}: every line is rejected or withdrawn; its MoySklad order ${result.msOrderId} was deleted`, { ...result }, logMsg('order_empty_deleted', { order: order.externalId }));
  } else if (result.action !== 'unchanged') {
    await env.run.log('info', `order ${order.externalId} ${result.action} in MoySklad as ${result.msOrderId}`, { ...result }, logMsg('order_exported', { order: order.externalId, action: result.action }));
  }
  if (result.reservesChangedAt) counts.stock_refreshes = await refreshStock(deps, env.run.log, Number(ctx.msAccount.id), result.reservesChangedAt, order.externalId);
  return counts;
}

/** Reads the order an outbox row is about (null: gone). */
export async function orderOf(deps: OrderSyncDeps, item: OutboxRow): Promise<OrderRef | null> {
  const row = await new OrderRepository(deps.db, deps.clock).find(Number(item.aggregateId));
  return row ? { id: Number(row.id), regionId: Number(row.regionId), externalId: row.externalId, kind: row.kind } : null;
}

/**
 * C4: right after an export moved reserves at a store, an incremental stock run of every price list
 * bound to that store (through the queue, merged with one already waiting), so the ordered goods
 * leave the available quantity within seconds instead of at the next scheduled run.
 */
async function refreshStock(deps: OrderSyncDeps, log: (level: 'info' | 'warn', message: string, details?: unknown, text?: LogMessage) => Promise<void>, msAccountId: number, storeId: string, orderRef: string): Promise<number> {
  if (!deps.enqueuer) return 0;
  const lists = await new OrderCatalogRepository(deps.db, deps.clock).priceListsBoundToStore(msAccountId, storeId);
  for (const pl of lists) {
    try {
      await deps.enqueuer.enqueue({ kind: STOCK_INCREMENTAL_KIND, priceListId: pl.id, integrationId: pl.integrationId, trigger: 'order', payload: { reason: 'order_exported', order: orderRef } });
    } catch (e) {
      // The export itself is done; the price list catches up at its next scheduled run.
      await log('warn', `order ${orderRef}: the stock refresh of price list ${pl.id} could not be queued: ${e instanceof Error ? e.message : String(e)}`, undefined, logMsg('order_stock_refresh_not_queued', { order: orderRef, error: logError(e) }));
    }
  }
  return lists.length;
}

