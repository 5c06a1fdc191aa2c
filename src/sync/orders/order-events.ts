/**
 * @module order-events
 * E3 the platform events about orders, built from the store's rows (the order export writes them
 * with its state changes, in the same transaction; see `recordPlatformEvent`).
 */
import type { PlatformEventData, PlatformEvent } from '../../domain/platform-events.js';
import type { OrderPositionRow, OrderRow } from '../../store/schema.js';

type OrderRef = Pick<OrderRow, 'id' | 'externalId' | 'kind'>;

const refOf = (o: OrderRef) => ({ orderId: Number(o.id), externalId: o.externalId, kind: o.kind });

export function orderExportedEvent(o: OrderRef, msOrderId: string, action: PlatformEventData['order.exported']['action'], exportedAt: string): PlatformEvent {
  return { type: 'order.exported', data: { ...refOf(o), msOrderId, action, exportedAt } };
}

export function orderFailedEvent(o: OrderRef, error: string): PlatformEvent {
  return { type: 'order.failed', data: { ...refOf(o), error: error.slice(0, 2000) } };
}

export function positionDeletedEvent(o: OrderRef, p: Pick<OrderPositionRow, 'id' | 'externalId' | 'status'>, msPositionId: string): PlatformEvent {
  return {
    type: 'order.position_deleted',
    data: { ...refOf(o), positionId: Number(p.id), positionExternalId: p.externalId, msPositionId, status: p.status === 'withdrawn' ? 'withdrawn' : 'rejected' },
  };
}
