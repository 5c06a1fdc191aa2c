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
import { OUTBOX_KIND } from '../outbox/kinds.js';
import type { Database, OutboxRow, SyncTrigger } from '../../store/schema.js';
import { drainOutbox, type DrainOptions, type DrainReport, type OutboxHandler } from '../outbox/outbox-drain.js';
import { OutboxRepository } from '../../store/repositories/outbox-repository.js';
import { ORDER_OUTBOX_KINDS, OrderRepository } from '../../store/repositories/order-repository.js';
import type { SyncKind } from '../sync-registry.js';
import { exportOrder } from './order-export.js';
import { createOrderStatusKind } from './order-status-sync.js';
import { createOrderBatchHandler } from './order-batch.js';
import { createCounterpartyOutboxHandlers } from '../counterparties/counterparty-outbox.js';
import { contextFor, exportDepsFor, orderOf, recordOrderFailure, reportExported, type OrderSyncDeps } from './order-run.js';
import { logMsg } from '../../domain/log-messages.js';

/** Outbox kinds about orders (written by `OrderRepository`); all mean "bring this order up to date". */
export { ORDER_OUTBOX_KINDS };

export type { OrderSyncDeps };

/** The handler for every order outbox kind. */
export function createOrderOutboxHandler(deps: OrderSyncDeps): OutboxHandler {
  return async (item: OutboxRow, env) => {
    const coalesced = await env.store.pendingIdsOf('order', item.aggregateId, ORDER_OUTBOX_KINDS);
    const order = await orderOf(deps, item);
    if (!order) {
      await env.run.log('warn', `outbox ${item.id}: order ${item.aggregateId} no longer exists; nothing to send`, undefined, logMsg('order_missing', { order: String(item.aggregateId) }));
      return { coalesced, counts: { orders_missing: 1 } };
    }
    try {
      const ctx = await contextFor(deps, order, item);
      const result = await exportOrder(exportDepsFor(deps, env, ctx), order.id);
      return { coalesced, counts: await reportExported(deps, env, ctx, order, result) };
    } catch (e) {
      await recordOrderFailure(deps, order, e);
      throw e;
    }
  };
}

/** The handlers for the outbox drain: every order kind → the order handler. */
export function createOrderOutboxHandlers(deps: OrderSyncDeps): Map<string, OutboxHandler> {
  const handler = createOrderOutboxHandler(deps);
  return new Map(ORDER_OUTBOX_KINDS.map((k) => [k, handler]));
}

/** Drains the outbox once (what the `outbox` job does): orders (new ones in array POSTs, P2), and counterparty changes (C11). */
export function drainOrderOutbox(deps: OrderSyncDeps, options: DrainOptions = {}): Promise<DrainReport> {
  const handlers = new Map([...createOrderOutboxHandlers(deps), ...createCounterpartyOutboxHandlers(deps)]);
  const batch = createOrderBatchHandler(deps);
  const batchHandlers = new Map(ORDER_OUTBOX_KINDS.map((k) => [k, batch]));
  return drainOutbox({ db: deps.db, clock: deps.clock, runDeps: deps.runDeps, handlers, batchHandlers }, { ...(deps.owner ? { owner: deps.owner } : {}), ...options });
}

const triggerOf = (t: string): SyncTrigger => (t === 'schedule' || t === 'manual' || t === 'api' || t === 'cli' || t === 'webhook' ? t : 'manual');

/** Registry entries (wire into `buildSyncRegistry`): the `outbox` kind drains the order outbox. */
export function createOrderSyncKinds(deps: OrderSyncDeps): SyncKind[] {
  return [
    {
      kind: OUTBOX_KIND,
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
    createOrderStatusKind(deps),
  ];
}

/** Manual retry of every failed outbox row of one order (admin "retry export" button). */
export async function retryOrderExport(deps: { db: Kysely<Database>; clock: Clock }, orderId: number): Promise<number> {
  const store = new OutboxRepository(deps.db, deps.clock);
  const rows = (await store.listFor('order', orderId)).filter((r) => r.state === 'failed' || r.state === 'pending');
  for (const r of rows) await store.retry(r.id);
  if (rows.length) {
    await new OrderRepository(deps.db, deps.clock).markRetrying(orderId);
  }
  return rows.length;
}
