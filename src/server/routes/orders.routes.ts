/**
 * @module orders.routes
 * Customer orders (R5) and supplier orders (R6) from the platform. Every change is written
 * together with an outbox row in ONE transaction (B1): the export job drains the outbox, so an
 * accepted change is never lost and a failed write leaves nothing behind. A position's status
 * change (rejected/withdrawn, R7) is its own outbox row.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import type { Clock } from '../../core/clock.js';
import { searchTextOf } from '../../domain/search-text.js';
import { isUniqueViolation } from '../../store/db-errors.js';
import { searchTextContains } from '../../store/search-filter.js';
import { OutboxRepository } from '../../store/repositories/outbox-repository.js';
import type { Database, OrderKind, OrderPositionRow, OrderRow } from '../../store/schema.js';
import type { ApiDeps } from '../api-deps.js';
import { defineOperation, type ApiOperation } from '../api-router.js';
import type { OrderPositionInput} from '../api-schemas.js';
import { IdParams, Order, OrderCreate, OrderQuery, OrderUpdate, Page, PositionParams, PositionStatusChange } from '../api-schemas.js';
import { UnprocessableError } from '../error-handler.js';
import { loadPriceList } from './price-lists.routes.js';
import { loadRegion } from './regions.routes.js';

/** Outbox kinds written here; the order-export job handles them. */
export const OUTBOX_KINDS = {
  orderExport: 'order.export',
  positionStatus: 'order.position_status',
} as const;

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

async function readOrder(db: Kysely<Database>, id: number): Promise<OrderApi> {
  const order = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!order) throw new NotFoundError('order', id);
  const positions = await db.selectFrom('orderPositions').selectAll().where('orderId', '=', id).orderBy('id').execute();
  return orderToApi(order, positions);
}

/** R27: a customer order is placed on a client, a supplier order on a supplier. */
async function checkCounterparty(deps: ApiDeps, kind: OrderKind, counterpartyId: number): Promise<void> {
  const cp = await deps.db.selectFrom('counterparties').select(['id', 'kind']).where('id', '=', counterpartyId).executeTakeFirst();
  if (!cp) throw new NotFoundError('counterparty', counterpartyId);
  if (kind === 'customer' && cp.kind !== 'client') {
    throw new UnprocessableError('supplier_not_client', `counterparty ${counterpartyId} is a supplier; a customer order needs a client (R27)`, [{ path: 'counterpartyId', message: 'a supplier cannot be the client of a customer order' }]);
  }
  if (kind === 'supplier' && cp.kind !== 'supplier') {
    throw new UnprocessableError('client_not_supplier', `counterparty ${counterpartyId} is a client; a supplier order needs a supplier`, [{ path: 'counterpartyId', message: 'a client cannot be the supplier of a supplier order' }]);
  }
}

async function checkPriceLists(deps: ApiDeps, ids: (number | null | undefined)[]): Promise<void> {
  for (const id of new Set(ids.filter((x): x is number => typeof x === 'number'))) await loadPriceList(deps, id);
}

type PositionInput = z.infer<typeof OrderPositionInput>;
const positionValues = (p: PositionInput, index: number) => ({
  externalId: p.externalId ?? String(index + 1),
  brand: p.brand,
  article: p.article,
  articleNorm: normalizeArticle(p.article),
  name: p.name ?? `${p.brand} ${p.article}`,
  quantity: p.quantity,
  price: p.priceKopecks,
  priceListId: p.priceListId ?? null,
});

/** Enqueues an outbox row about one order in the caller's transaction (due now). */
async function writeOutbox(
  trx: Transaction<Database>,
  clock: Clock,
  now: string,
  row: { kind: string; integrationId: number | null; orderId: number; payload: Record<string, unknown>; dedupeKey?: string },
): Promise<void> {
  await new OutboxRepository(trx, clock).enqueue({
    kind: row.kind,
    integrationId: row.integrationId,
    aggregateType: 'order',
    aggregateId: row.orderId,
    payload: row.payload,
    dedupeKey: row.dedupeKey ?? null,
    nextAttemptAt: now,
  });
}

async function integrationIdForRegion(db: Kysely<Database>, regionId: number): Promise<{ id: number; msAccountId: number } | null> {
  const row = await db.selectFrom('integrations').select(['id', 'msAccountId']).where('regionId', '=', regionId).executeTakeFirst();
  return row ? { id: Number(row.id), msAccountId: Number(row.msAccountId) } : null;
}

export function orderOperations(deps: ApiDeps): ApiOperation[] {
  return [
    defineOperation({
      method: 'get', path: '/orders', operationId: 'listOrders', tag: 'orders', summary: "List orders (search by number or counterparty; filter by kind, counterparty, externalId)",
      query: OrderQuery, response: Page(Order),
      handler: async ({ query }) => {
        let q = deps.db.selectFrom('orders');
        if (query.kind) q = q.where('kind', '=', query.kind);
        if (query.counterpartyId) q = q.where('counterpartyId', '=', query.counterpartyId);
        if (query.externalId) q = q.where('externalId', '=', query.externalId);
        const number = searchTextContains('orders.searchText', query.q);
        const party = searchTextContains('counterparties.searchText', query.q);
        if (number && party) {
          // E6: the order number, or the counterparty's name/INN/e-mail/phone, in any case.
          q = q.where((eb) => eb.or([number, eb('counterpartyId', 'in', eb.selectFrom('counterparties').select('id').where(party))]));
        }
        const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
        const orders = await q.selectAll().orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
        const ids = orders.map((o) => o.id);
        const positions = ids.length ? await deps.db.selectFrom('orderPositions').selectAll().where('orderId', 'in', ids).orderBy('id').execute() : [];
        return {
          items: orders.map((o) => orderToApi(o, positions.filter((p) => p.orderId === o.id))),
          total: Number(total),
          limit: query.limit,
          offset: query.offset,
        };
      },
    }),
    defineOperation({
      method: 'post', path: '/orders', operationId: 'createOrder', tag: 'orders',
      summary: 'Create a customer order (R5) or supplier order (R6); queued for export to MoySklad in the same transaction (B1)',
      body: OrderCreate, response: Order, successStatus: 201, errors: ['not_found', 'supplier_not_client', 'client_not_supplier', 'duplicate_order'],
      handler: async ({ body }) => {
        await loadRegion(deps, body.regionId);
        await checkCounterparty(deps, body.kind, body.counterpartyId);
        await checkPriceLists(deps, [body.priceListId, ...body.positions.map((p) => p.priceListId)]);
        const dup = await deps.db.selectFrom('orders').select('id').where('kind', '=', body.kind).where('externalId', '=', body.externalId).executeTakeFirst();
        if (dup) throw new ConflictError('duplicate_order', `${body.kind} order ${body.externalId} already exists as ${dup.id}; update it instead`, { id: Number(dup.id) });
        const integration = await integrationIdForRegion(deps.db, body.regionId);
        const now = deps.clock.now().toISOString();
        const orderId = await deps.db.transaction().execute(async (trx) => {
          const order = await trx
            .insertInto('orders')
            .values({
              kind: body.kind,
              externalId: body.externalId,
              regionId: body.regionId,
              counterpartyId: body.counterpartyId,
              priceListId: body.priceListId ?? null,
              status: body.status ?? null,
              comment: body.comment ?? null,
              msAccountId: integration?.msAccountId ?? null,
              msOrderId: null,
              syncId: randomUUID(),
              exportError: null,
              exportedAt: null,
              searchText: searchTextOf(body.externalId),
              createdAt: now,
              updatedAt: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          const id = Number(order.id);
          for (const [i, p] of body.positions.entries()) {
            await trx
              .insertInto('orderPositions')
              .values({ orderId: id, ...positionValues(p, i), msProductId: null, msPositionId: null, createdAt: now, updatedAt: now })
              .execute();
          }
          await writeOutbox(trx, deps.clock, now, {
            kind: OUTBOX_KINDS.orderExport,
            integrationId: integration?.id ?? null,
            orderId: id,
            payload: { orderId: id, orderKind: body.kind, reason: 'created' },
            dedupeKey: `order:${id}:created`,
          });
          return id;
        }).catch((e: unknown) => {
          // A concurrent create of the same order won the race: same answer as the check above.
          if (isUniqueViolation(e)) throw new ConflictError('duplicate_order', `${body.kind} order ${body.externalId} already exists; update it instead`);
          throw e;
        });
        return readOrder(deps.db, orderId);
      },
    }),
    defineOperation({
      method: 'get', path: '/orders/:id', operationId: 'getOrder', tag: 'orders', summary: 'Read an order with its positions',
      params: IdParams, response: Order, errors: ['not_found'],
      handler: async ({ params }) => readOrder(deps.db, params.id),
    }),
    defineOperation({
      method: 'patch', path: '/orders/:id', operationId: 'updateOrder', tag: 'orders',
      summary: 'Update an order; `positions` replaces the list (matched by externalId; lines left out become withdrawn)',
      params: IdParams, body: OrderUpdate, response: Order, errors: ['not_found'],
      handler: async ({ params, body }) => {
        const order = await deps.db.selectFrom('orders').selectAll().where('id', '=', params.id).executeTakeFirst();
        if (!order) throw new NotFoundError('order', params.id);
        if (body.positions) await checkPriceLists(deps, body.positions.map((p) => p.priceListId));
        const integration = await integrationIdForRegion(deps.db, Number(order.regionId));
        const now = deps.clock.now().toISOString();
        await deps.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('orders')
            .set({
              ...(body.status !== undefined ? { status: body.status } : {}),
              ...(body.comment !== undefined ? { comment: body.comment ?? null } : {}),
              // a change is queued for MoySklad: the order shows "waiting" until the outbox sends it
              exportState: 'pending',
              updatedAt: now,
            })
            .where('id', '=', params.id)
            .execute();
          if (body.positions) {
            const existing = await trx.selectFrom('orderPositions').selectAll().where('orderId', '=', params.id).execute();
            const byExternal = new Map(existing.map((p) => [p.externalId, p]));
            const kept = new Set<string>();
            for (const [i, p] of body.positions.entries()) {
              const values = positionValues(p, i);
              kept.add(values.externalId);
              const current = byExternal.get(values.externalId);
              if (current) {
                await trx.updateTable('orderPositions').set({ ...values, updatedAt: now }).where('id', '=', current.id).execute();
              } else {
                await trx.insertInto('orderPositions').values({ orderId: params.id, ...values, msProductId: null, msPositionId: null, createdAt: now, updatedAt: now }).execute();
              }
            }
            const dropped = existing.filter((p) => !kept.has(p.externalId) && p.status === 'active').map((p) => p.id);
            if (dropped.length) await trx.updateTable('orderPositions').set({ status: 'withdrawn', updatedAt: now }).where('id', 'in', dropped).execute();
          }
          await writeOutbox(trx, deps.clock, now, {
            kind: OUTBOX_KINDS.orderExport,
            integrationId: integration?.id ?? null,
            orderId: params.id,
            payload: { orderId: params.id, orderKind: order.kind, reason: 'updated' },
          });
        });
        return readOrder(deps.db, params.id);
      },
    }),
    defineOperation({
      method: 'patch', path: '/orders/:id/positions/:positionId', operationId: 'changePositionStatus', tag: 'orders',
      summary: "Change one position's status: rejected or withdrawn positions are deleted from the MoySklad order when the integration says so (R7)",
      params: PositionParams, body: PositionStatusChange, response: Order, errors: ['not_found'],
      handler: async ({ params, body }) => {
        const order = await deps.db.selectFrom('orders').select(['id', 'kind', 'regionId']).where('id', '=', params.id).executeTakeFirst();
        if (!order) throw new NotFoundError('order', params.id);
        const position = await deps.db.selectFrom('orderPositions').selectAll().where('id', '=', params.positionId).where('orderId', '=', params.id).executeTakeFirst();
        if (!position) throw new NotFoundError('order position', params.positionId);
        const integration = await integrationIdForRegion(deps.db, Number(order.regionId));
        const now = deps.clock.now().toISOString();
        await deps.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('orderPositions')
            .set({ status: body.status, ...(body.quantity !== undefined ? { quantity: body.quantity } : {}), updatedAt: now })
            .where('id', '=', params.positionId)
            .execute();
          await trx.updateTable('orders').set({ exportState: 'pending', updatedAt: now }).where('id', '=', params.id).execute();
          await writeOutbox(trx, deps.clock, now, {
            kind: OUTBOX_KINDS.positionStatus,
            integrationId: integration?.id ?? null,
            orderId: params.id,
            payload: { orderId: params.id, orderKind: order.kind, positionId: params.positionId, from: position.status, to: body.status, ...(body.quantity !== undefined ? { quantity: body.quantity } : {}) },
          });
        });
        return readOrder(deps.db, params.id);
      },
    }),
  ];
}
