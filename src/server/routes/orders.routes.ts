/**
 * @module orders.routes
 * Customer orders (R5) and supplier orders (R6) from the platform: HTTP only. Every write goes
 * through `OrderService` (`src/app/order-service.ts`), which writes the change with its outbox row
 * in ONE transaction (B1) and wakes the sender (P1); a position's status change (R7) is its own
 * outbox row.
 */
import type { z } from 'zod';
import { OrderService } from '../../app/order-service.js';
import type { OrderPositionInput } from '../../store/repositories/order-repository.js';
import type { OrderPositionRow, OrderRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import type { OrderPositionInput as ApiPositionInput } from '../api-schemas.js';
import { Order, OrderCreate, OrderQuery, OrderUpdate, Page, IdParams, PositionParams, PositionStatusChange } from '../api-schemas.js';
import { loadPriceList } from './price-lists.routes.js';
import { loadRegion } from './regions.routes.js';

type OrderApi = z.infer<typeof Order>;

export function orderToApi(o: OrderRow, positions: OrderPositionRow[]): OrderApi {
  return {
    id: Number(o.id),
    kind: o.kind,
    externalId: o.externalId,
    regionId: Number(o.regionId),
    counterpartyId: Number(o.counterpartyId),
    priceListId: o.priceListId === null ? null : Number(o.priceListId),
    status: o.status,
    comment: o.comment,
    msOrderId: o.msOrderId,
    exportState: o.exportState,
    exportError: o.exportError,
    msDeletedAt: o.msDeletedAt ?? null,
    msStateName: o.msStateName ?? null,
    msStateChangedAt: o.msStateChangedAt ?? null,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    positions: positions.map((p) => ({
      id: Number(p.id),
      externalId: p.externalId,
      brand: p.brand,
      article: p.article,
      name: p.name,
      quantity: p.quantity,
      priceKopecks: p.price,
      status: p.status,
      priceListId: p.priceListId === null ? null : Number(p.priceListId),
      msProductId: p.msProductId,
      msPositionId: p.msPositionId,
      shippedQuantity: p.shippedQuantity ?? null,
    })),
  };
}

async function checkPriceLists(deps: ApiDeps, ids: (number | null | undefined)[]): Promise<void> {
  for (const id of new Set(ids.filter((x): x is number => typeof x === 'number'))) await loadPriceList(deps, id);
}

type PositionInput = z.infer<typeof ApiPositionInput>;
const positionInput = (p: PositionInput, index: number): OrderPositionInput => ({
  externalId: p.externalId ?? String(index + 1),
  brand: p.brand,
  article: p.article,
  name: p.name ?? `${p.brand} ${p.article}`,
  quantity: p.quantity,
  price: p.priceKopecks,
  priceListId: p.priceListId ?? null,
});

export function orderOperations(deps: ApiDeps): ApiOperation[] {
  const orders = new OrderService({ db: deps.db, clock: deps.clock, ...(deps.wake ? { wake: deps.wake } : {}) });
  return [
    defineOperation({
      method: 'get', path: '/orders', operationId: 'listOrders', tag: 'orders', summary: "List orders (search by number or counterparty; filter by kind, counterparty, externalId)",
      query: OrderQuery, response: Page(Order),
      handler: async ({ query }) => {
        const { items, total } = await orders.search(query);
        return { items: items.map((o) => orderToApi(o, o.positions)), total, limit: query.limit, offset: query.offset };
      },
    }),
    defineOperation({
      method: 'post', path: '/orders', operationId: 'createOrder', tag: 'orders',
      summary: 'Create a customer order (R5) or supplier order (R6); queued for export to MoySklad in the same transaction (B1)',
      body: OrderCreate, response: Order, successStatus: 201, errors: ['not_found', 'supplier_not_client', 'client_not_supplier', 'duplicate_order'],
      handler: async ({ body }) => {
        await loadRegion(deps, body.regionId);
        await checkPriceLists(deps, [body.priceListId, ...body.positions.map((p) => p.priceListId)]);
        const order = await orders.create({
          kind: body.kind,
          externalId: body.externalId,
          regionId: body.regionId,
          counterpartyId: body.counterpartyId,
          priceListId: body.priceListId ?? null,
          status: body.status ?? null,
          comment: body.comment ?? null,
          positions: body.positions.map(positionInput),
        });
        return orderToApi(order, order.positions);
      },
    }),
    defineOperation({
      method: 'get', path: '/orders/:id', operationId: 'getOrder', tag: 'orders', summary: 'Read an order with its positions',
      params: IdParams, response: Order, errors: ['not_found'],
      handler: async ({ params }) => {
        const order = await orders.get(params.id);
        return orderToApi(order, order.positions);
      },
    }),
    defineOperation({
      method: 'patch', path: '/orders/:id', operationId: 'updateOrder', tag: 'orders',
      summary: 'Update an order; `positions` replaces the list (matched by externalId; lines left out become withdrawn)',
      params: IdParams, body: OrderUpdate, response: Order, errors: ['not_found'],
      handler: async ({ params, body }) => {
        if (body.positions) await checkPriceLists(deps, body.positions.map((p) => p.priceListId));
        const order = await orders.update(params.id, {
          ...(body.status !== undefined ? { status: body.status } : {}),
          ...(body.comment !== undefined ? { comment: body.comment ?? null } : {}),
          ...(body.positions ? { positions: body.positions.map(positionInput), replacePositions: true } : {}),
        });
        return orderToApi(order, order.positions);
      },
    }),
    defineOperation({
      method: 'patch', path: '/orders/:id/positions/:positionId', operationId: 'changePositionStatus', tag: 'orders',
      summary: "Change one position's status: rejected or withdrawn positions are deleted from the MoySklad order when the integration says so (R7)",
      params: PositionParams, body: PositionStatusChange, response: Order, errors: ['not_found'],
      handler: async ({ params, body }) => {
        const order = await orders.setPositionStatus(params.id, params.positionId, body.status, body.quantity);
        return orderToApi(order, order.positions);
      },
    }),
  ];
}
