/**
 * @module moysklad/endpoints/orders
 * Customer and purchase orders and their positions.
 */
import { DEFAULT_BATCH_BYTES, MAX_BATCH_ITEMS, batchCreate, listAll, splitBatch } from '../lists.js';
import type { Filter } from '../query.js';
import { customerOrderSchema, positionSchema, purchaseOrderSchema, type MsOrderCreate, type MsPosition, type MsPositionCreate } from '../schemas/order.js';
import { hasSyncId, type MoySkladTransport } from '../transport.js';
import type { BatchItemResult, BatchOptions, OrderOf, OrderType } from '../types.js';

export function orderSchema(type: OrderType): typeof customerOrderSchema | typeof purchaseOrderSchema {
  return type === 'customerorder' ? customerOrderSchema : purchaseOrderSchema;
}

const orderPath = (type: OrderType, id: string): string => `entity/${type}/${encodeURIComponent(id)}`;

/**
 * Creates a customer or purchase order; with a `syncId` the create is idempotent and retried safely.
 * `expand: 'positions'` returns the positions (and their ids) in the same answer.
 */
export async function createOrder<T extends OrderType>(t: MoySkladTransport, type: T, order: MsOrderCreate, signal?: AbortSignal, options: { expand?: string } = {}): Promise<OrderOf<T>> {
  const body = await t.request('POST', `entity/${type}`, { body: order, signal, idempotent: hasSyncId(order), ...(options.expand ? { query: { expand: options.expand } } : {}) });
  return t.parse(orderSchema(type), body, 'POST', `entity/${type}`) as OrderOf<T>;
}

/**
 * P2 Creates many customer or purchase orders in array POSTs (≤ 1000 orders and under the size cap
 * each, `batchCreate`), their positions expanded in the answer. One result per order in input order;
 * a per-item error is data. With a `syncId` on every order a re-sent batch returns the orders
 * MoySklad already has instead of creating them again.
 */
export function createOrders<T extends OrderType>(t: MoySkladTransport, type: T, orders: readonly MsOrderCreate[], options: BatchOptions = {}): Promise<Array<BatchItemResult<OrderOf<T>>>> {
  return batchCreate(t, type, orders, orderSchema(type), { query: { expand: 'positions' }, ...options }) as Promise<Array<BatchItemResult<OrderOf<T>>>>;
}

/** `PUT entity/{type}/{id}` of the order's comment only (safe to repeat). */
export async function updateOrderDescription<T extends OrderType>(t: MoySkladTransport, type: T, id: string, description: string, signal?: AbortSignal): Promise<OrderOf<T>> {
  const body = await t.request('PUT', orderPath(type, id), { body: { description }, signal, idempotent: true });
  return t.parse(orderSchema(type), body, 'PUT', orderPath(type, id)) as OrderOf<T>;
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
