/**
 * @module demo-order
 * The quick start's demo order (C2, C4): once the demo price list has its rows, a demo client orders
 * one unit of a variant from it (a product when the list has no variant), through the same order
 * write path as the platform, so that `npm start` shows an order exported to MoySklad with a
 * variant position and its reserve taken off the price list's available quantity within seconds.
 * Idempotent: the order is placed once (external id `DEMO-1`).
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../store/db.js';
import { CounterpartyRepository } from '../store/repositories/counterparty-repository.js';
import { OrderCatalogRepository } from '../store/repositories/order-catalog-repository.js';
import { OrderService, type OutboxWake } from './order-service.js';

export const DEMO_ORDER_ID = 'DEMO-1';
const DEMO_CLIENT_ID = 'demo-client';

export type DemoOrderOutcome =
  | { placed: true; orderId: number; brand: string; article: string; kind: 'product' | 'variant' }
  | { placed: false; reason: 'exists' | 'no_rows' };

/** Places the demo order on the price list (once). */
export async function placeDemoOrder(deps: { db: Db; clock: Clock; wake?: OutboxWake }, target: { regionId: number; priceListId: number }): Promise<DemoOrderOutcome> {
  const orders = new OrderService(deps);
  if (await orders.findByExternalId('customer', DEMO_ORDER_ID)) return { placed: false, reason: 'exists' };
  const catalog = new OrderCatalogRepository(deps.db, deps.clock);
  let kind: 'product' | 'variant' = 'variant';
  let row = await catalog.firstAvailableRow(target.priceListId, kind);
  if (!row) row = await catalog.firstAvailableRow(target.priceListId, (kind = 'product'));
  if (!row) return { placed: false, reason: 'no_rows' };
  const counterparties = new CounterpartyRepository(deps.db, deps.clock);
  const client =
    (await counterparties.findByExternalId('client', DEMO_CLIENT_ID)) ??
    (await counterparties.create({ kind: 'client', externalId: DEMO_CLIENT_ID, regionId: target.regionId, name: 'Демо-покупатель', companyType: 'individual', email: 'demo.buyer@example.ru', phone: '+7 (900) 000-00-01' }));
  const order = await orders.create({
    kind: 'customer',
    externalId: DEMO_ORDER_ID,
    regionId: target.regionId,
    counterpartyId: Number(client.id),
    priceListId: target.priceListId,
    comment: 'Демо-заказ с сайта',
    positions: [{ externalId: '1', brand: row.brand, article: row.article, name: row.name, quantity: 1, price: row.price, priceListId: target.priceListId }],
  });
  return { placed: true, orderId: Number(order.id), brand: row.brand, article: row.article, kind };
}
