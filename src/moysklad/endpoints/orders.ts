/**
 * @module moysklad/endpoints/orders
 * Customer and purchase orders and their positions.
 */
import { DEFAULT_BATCH_BYTES, MAX_BATCH_ITEMS, listAll, splitBatch } from '../lists.js';
import type { Filter } from '../query.js';
import { customerOrderSchema, positionSchema, purchaseOrderSchema, type MsOrderCreate, type MsPosition, type MsPositionCreate } from '../schemas/order.js';
import { hasSyncId, type MoySkladTransport } from '../transport.js';
import type { OrderOf, OrderType } from '../types.js';

export function orderSchema(type: OrderType): typeof customerOrderSchema | typeof purchaseOrderSchema {
  return type === 'customerorder' ? customerOrderSchema : purchaseOrderSchema;
}

const orderPath = (type: OrderType, id: string): string => `entity/${type}/${encodeURIComponent(id)}`;

/** Creates a customer or purchase order; with a `syncId` the create is idempotent and retried safely. */
export async function createOrder<T extends OrderType>(t: MoySkladTransport, type: T, order: MsOrderCreate, signal?: AbortSignal): Promise<OrderOf<T>> {
  const body = await t.request('POST', `entity/${type}`, { body: order, signal, idempotent: hasSyncId(order) });
  return t.parse(orderSchema(type), body, 'POST', `entity/${type}`) as OrderOf<T>;
}

export async function getOrder<T extends OrderType>(t: MoySkladTransport, type: T, id: string, options: { expand?: string; signal?: AbortSignal } = {}): Promise<OrderOf<T>> {
  const query = options.expand ? { expand: options.expand } : undefined;
  return (await t.get(orderPath(type, id), orderSchema(type), query, options.signal)) as OrderOf<T>;
}

/** Orders matching a filter (e.g. `[['externalCode','=','shop-10523']]`). */
export function findOrders<T extends OrderType>(t: MoySkladTransport, type: T, filter: Filter, signal?: AbortSignal): Promise<Array<OrderOf<T>>> {
  return listAll(t, `entity/${type}`, { filter }, orderSchema(type), signal) as Promise<Array<OrderOf<T>>>;
}

/** `DELETE /entity/{type}/{id}` (C6). An order already gone answers 404 (`MoySkladNotFoundError`). */
export async function deleteOrder(t: MoySkladTransport, type: OrderType, orderId: string, signal?: AbortSignal): Promise<void> {
  await t.request('DELETE', orderPath(type, orderId), { signal });
}

export function orderPositions(t: MoySkladTransport, type: OrderType, orderId: string, signal?: AbortSignal): Promise<MsPosition[]> {
  return listAll(t, `${orderPath(type, orderId)}/positions`, {}, positionSchema, signal);
}

/** Adds positions (always POSTs an array, so the answer is an array). Not retried on 5xx (it would duplicate). */
export async function addPositions(t: MoySkladTransport, type: OrderType, orderId: string, positions: readonly MsPositionCreate[], signal?: AbortSignal): Promise<MsPosition[]> {
  const path = `${orderPath(type, orderId)}/positions`;
  const out: MsPosition[] = [];
  for (const chunk of splitBatch(positions, MAX_BATCH_ITEMS, DEFAULT_BATCH_BYTES)) {
    const body = await t.request('POST', path, { body: chunk.items, signal, idempotent: false });
    const rows = Array.isArray(body) ? body : [body];
    for (const row of rows) out.push(t.parse(positionSchema, row, 'POST', path));
  }
  return out;
}

export async function updatePosition(t: MoySkladTransport, type: OrderType, orderId: string, positionId: string, patch: Partial<MsPositionCreate>, signal?: AbortSignal): Promise<MsPosition> {
  const path = `${orderPath(type, orderId)}/positions/${encodeURIComponent(positionId)}`;
  const body = await t.request('PUT', path, { body: patch, signal });
  return t.parse(positionSchema, body, 'PUT', path);
}

export async function deletePosition(t: MoySkladTransport, type: OrderType, orderId: string, positionId: string, signal?: AbortSignal): Promise<void> {
  await t.request('DELETE', `${orderPath(type, orderId)}/positions/${encodeURIComponent(positionId)}`, { signal });
}
