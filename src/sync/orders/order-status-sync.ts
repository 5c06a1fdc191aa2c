/**
 * @module order-status-sync
 * E7 order status back: the `orders.status` kind (per integration) reads what MoySklad says about
 * the exported customer orders — the name of each order's state and the `shipped` quantity of
 * each position (which MoySklad's shipments, `demand`s, fill) — and records what changed with an
 * `order.status_changed` event (`OrderStatusRepository.apply`, one transaction per order).
 *
 * Incremental: orders changed since the cursor (`updated>=`), plus the orders of shipments changed
 * since the cursor (a shipment need not touch its order's `updated`). Run on MoySklad's
 * customerorder / demand webhooks (`webhook-intake.ts`) and on a schedule as the fallback for lost
 * notifications. The cursor is MoySklad's own `updated` (Moscow time, second precision, read with
 * `>=`: a boundary second is read again, which changes nothing).
 */
import { z } from 'zod';
import { formatMoscow, parseMoscow } from '../../core/moscow-time.js';
import { orderStatusChange } from '../../domain/order-status.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { customerOrderSchema, type MsCustomerOrder } from '../../moysklad/schemas/order.js';
import { idFromHref, refSchema } from '../../moysklad/schemas/meta.js';
import { CheckpointRepository, checkpointScope } from '../../store/repositories/checkpoint-repository.js';
import { OrderStatusRepository } from '../../store/repositories/order-status-repository.js';
import type { SyncTrigger } from '../../store/schema.js';
import { loadIntegrationContext } from '../integration-context.js';
import type { SyncKind } from '../sync-registry.js';
import { recordRun } from '../sync-run.js';
import type { OrderSyncDeps } from './order-run.js';

import { ORDER_STATUS_KIND } from './kinds.js';

export { ORDER_STATUS_KIND };
const CURSOR_KIND = 'orders.status';

const stateSchema = z.looseObject({ name: z.string().optional() });
const demandSchema = z.looseObject({ id: z.string(), updated: z.string().optional(), customerOrder: refSchema.optional() });

export interface OrderStatusReport {
  ordersRead: number;
  demandsRead: number;
  changed: number;
}

const stateNameOf = (o: MsCustomerOrder): string | null => {
  const parsed = stateSchema.safeParse(o.state);
  return parsed.success ? (parsed.data.name ?? null) : null;
};

/** One incremental pass for the integration's MoySklad account. */
export async function syncOrderStatus(deps: Pick<OrderSyncDeps, 'db' | 'clock'>, client: MoySkladClient, msAccountId: number, integrationId: number, signal?: AbortSignal): Promise<OrderStatusReport> {
  const repo = new OrderStatusRepository(deps.db, deps.clock);
  const cursors = new CheckpointRepository(deps.db, deps.clock);
  const scope = checkpointScope.integration(integrationId);
  let since = await cursors.get<string>(scope, CURSOR_KIND);
  if (since === null) {
    const first = await repo.firstExportAt(msAccountId);
    if (first === null) return { ordersRead: 0, demandsRead: 0, changed: 0 };
    since = formatMoscow(Date.parse(first) - 60_000, false);
  }
  const filter: Array<[string, '>=', string]> = [['updated', '>=', since]];
  const orders = await client.listAll('entity/customerorder', { filter, expand: 'state,positions', limit: 100 }, customerOrderSchema, signal);
  const demands = await client.listAll('entity/demand', { filter }, demandSchema, signal);
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const d of demands) {
    const href = d.customerOrder?.meta.href;
    if (!href) continue;
    const id = idFromHref(href);
    if (!byId.has(id)) byId.set(id, await client.getOrder('customerorder', id, { expand: 'state,positions', signal }));
  }
  let changed = 0;
  for (const order of await repo.exportedByMsIds(msAccountId, [...byId.keys()])) {
    const ms = byId.get(order.msOrderId)!;
    const shipped = new Map((ms.positions?.rows ?? []).map((p) => [p.id, p.shipped ?? 0]));
    const change = orderStatusChange(order, { stateName: stateNameOf(ms), shippedByMsPositionId: shipped });
    if (change) {
      await repo.apply(order, change);
      changed += 1;
    }
  }
  const latest = [...orders.map((o) => o.updated), ...demands.map((d) => d.updated)]
    .filter((u): u is string => u !== undefined)
    .reduce((max, u) => ((parseMoscow(u) ?? 0) > (parseMoscow(max) ?? 0) ? u : max), since);
  await cursors.set(scope, CURSOR_KIND, latest.slice(0, 19));
  return { ordersRead: orders.length, demandsRead: demands.length, changed };
}

const triggerOf = (t: string): SyncTrigger => (t === 'schedule' || t === 'manual' || t === 'api' || t === 'cli' || t === 'webhook' ? t : 'manual');

/** The `orders.status` registry kind (integration scope: it holds the account's credential lease). */
export function createOrderStatusKind(deps: Pick<OrderSyncDeps, 'db' | 'clock' | 'clients' | 'runDeps'>): SyncKind {
  return {
    kind: ORDER_STATUS_KIND,
    description: "Reads exported orders' MoySklad state and shipped quantities back (E7)",
    scope: 'integration',
    runner: async ({ request, signal }) => {
      const integrationId = Number(request.integrationId);
      const finished = await recordRun(deps.runDeps, { kind: ORDER_STATUS_KIND, trigger: triggerOf(request.trigger), integrationId }, async (run) => {
        const ctx = await loadIntegrationContext(deps.db, deps.clients, integrationId);
        const r = await syncOrderStatus(deps, ctx.client, Number(ctx.msAccount.id), integrationId, signal);
        run.count('ordersRead', r.ordersRead);
        run.count('demandsRead', r.demandsRead);
        run.count('changed', r.changed);
        return { status: 'ok', message: `orders: ${r.changed} changed of ${r.ordersRead + r.demandsRead} read` };
      });
      return { status: finished.status, counts: finished.counts, ...(finished.message ? { message: finished.message } : {}) };
    },
  };
}
