/**
 * @module order-status-repository
 * E7 the MoySklad status of exported customer orders (migration 0033 columns): which store orders
 * a batch of MoySklad orders are, and the one write path of a status change — the state's name,
 * the positions' shipped quantities and the `order.status_changed` event, in one transaction.
 * `statusOf` is what the admin panel shows.
 */
import type { Clock } from '../../core/clock.js';
import type { KnownOrderStatus, OrderStatusChange } from '../../domain/order-status.js';
import { chunk, nowIso } from '../database.js';
import { withTransaction, type Db } from '../db.js';
import { recordPlatformEvent } from './platform-event-recorder.js';

export interface ExportedOrder extends KnownOrderStatus {
  id: number;
  externalId: string;
  kind: 'customer' | 'supplier';
  msOrderId: string;
}

export interface OrderStatusView {
  stateName: string | null;
  stateChangedAt: string | null;
  positions: Array<{ id: number; externalId: string; name: string; quantity: number; shippedQuantity: number | null }>;
}

export class OrderStatusRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The store's customer orders exported to these MoySklad orders of the account, with their positions. */
  async exportedByMsIds(msAccountId: number, msOrderIds: readonly string[]): Promise<ExportedOrder[]> {
    const out: ExportedOrder[] = [];
    for (const part of chunk([...new Set(msOrderIds)], 500)) {
      const orders = await this.db
        .selectFrom('orders')
        .select(['id', 'externalId', 'kind', 'msOrderId', 'msStateName'])
        .where('kind', '=', 'customer')
        .where('msAccountId', '=', msAccountId)
        .where('msOrderId', 'in', part)
        .execute();
      if (orders.length === 0) continue;
      const positions = await this.db.selectFrom('orderPositions').select(['id', 'orderId', 'msPositionId', 'shippedQuantity']).where('orderId', 'in', orders.map((o) => o.id)).orderBy('id').execute();
      for (const o of orders) {
        out.push({
          id: Number(o.id),
          externalId: o.externalId,
          kind: o.kind,
          msOrderId: o.msOrderId as string,
          stateName: o.msStateName,
          positions: positions.filter((p) => p.orderId === o.id).map((p) => ({ id: Number(p.id), msPositionId: p.msPositionId, shippedQuantity: p.shippedQuantity === null ? null : Number(p.shippedQuantity) })),
        });
      }
    }
    return out;
  }

  /** When the account's first customer order was exported (ISO), or null. */
  async firstExportAt(msAccountId: number): Promise<string | null> {
    const r = await this.db.selectFrom('orders').select((eb) => eb.fn.min('exportedAt').as('at')).where('msAccountId', '=', msAccountId).where('kind', '=', 'customer').executeTakeFirst();
    return (r?.at as string | null | undefined) ?? null;
  }

  /** Writes a status change and its `order.status_changed` event in one transaction. */
  async apply(order: ExportedOrder, change: OrderStatusChange): Promise<void> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      if (change.state !== undefined) await tx.updateTable('orders').set({ msStateName: change.state, msStateChangedAt: at, updatedAt: at }).where('id', '=', order.id).execute();
      for (const s of change.shipped) await tx.updateTable('orderPositions').set({ shippedQuantity: s.quantity, updatedAt: at }).where('id', '=', s.positionId).execute();
      const state = change.state !== undefined ? change.state : order.stateName;
      const shipped = order.positions
        .map((p) => ({ positionId: p.id, quantity: change.shipped.find((s) => s.positionId === p.id)?.quantity ?? p.shippedQuantity }))
        .filter((p): p is { positionId: number; quantity: number } => p.quantity !== null);
      await recordPlatformEvent(tx, this.clock, { type: 'order.status_changed', data: { orderId: order.id, externalId: order.externalId, kind: order.kind, state, shipped } });
    });
  }

  /** E7 for the admin panel: the order's MoySklad state and each position's shipped quantity. */
  async statusOf(orderId: number): Promise<OrderStatusView | null> {
    const o = await this.db.selectFrom('orders').select(['msStateName', 'msStateChangedAt']).where('id', '=', orderId).executeTakeFirst();
    if (!o) return null;
    const positions = await this.db.selectFrom('orderPositions').select(['id', 'externalId', 'name', 'quantity', 'shippedQuantity']).where('orderId', '=', orderId).orderBy('id').execute();
    return {
      stateName: o.msStateName,
      stateChangedAt: o.msStateChangedAt,
      positions: positions.map((p) => ({ id: Number(p.id), externalId: p.externalId, name: p.name, quantity: Number(p.quantity), shippedQuantity: p.shippedQuantity === null ? null : Number(p.shippedQuantity) })),
    };
  }
}
