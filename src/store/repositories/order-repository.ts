/**
 * @module order-repository
 * Customer and supplier orders with positions (R5–R7): the only code that writes them. Every change
 * that must reach MoySklad writes an `order.export` / `order.position_status` outbox row in the same
 * transaction (B1). The MoySklad `syncId` is a UUID fixed at creation, so a retried export never
 * creates a second MoySklad order. The use case in front of it (checks, wake-up of the sender) is
 * `OrderService` (`src/app/order-service.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import { searchTextOf } from '../../domain/search-text.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import { isUniqueViolation } from '../db-errors.js';
import { searchTextContains } from '../search-filter.js';
import type { OrderKind, OrderRow, PositionStatus, PositionSyncState } from '../schema.js';
import { OutboxRepository } from './outbox-repository.js';
import { recordPlatformEvent } from './platform-event-recorder.js';
import { writeExportBatch, type OrderBatchWrites } from './order-batch-repository.js';
import type { Order } from './order-types.js';
import type { PlatformEvent } from '../../domain/platform-events.js';

export type { Order, OrderPosition } from './order-types.js';

export interface OrderPositionInput {
  externalId: string;
  brand: string;
  article: string;
  name: string;
  quantity: number;
  /** Kopecks. */
  price: number;
  status?: PositionStatus;
  priceListId?: number | null;
}

export interface OrderInput {
  kind: OrderKind;
  externalId: string;
  regionId: number;
  counterpartyId: number;
  priceListId?: number | null;
  status?: string | null;
  comment?: string | null;
  positions: OrderPositionInput[];
}

export interface OrderPatch {
  status?: string | null;
  comment?: string | null;
  priceListId?: number | null;
  /** Upserted by externalId; positions not listed are kept (or withdrawn with `replacePositions`). */
  positions?: OrderPositionInput[];
  /** R5 (the platform's PATCH): `positions` is the whole list; active lines not listed become withdrawn. */
  replacePositions?: boolean;
}

/** Which line of an order: by the store's position id, or by its externalId. */
export type PositionRef = { positionId: number } | { externalId: string };

/**
 * Outbox kinds about orders. `order.export`: bring the order up to date (create, update);
 * `order.position_status`: a line was rejected/withdrawn (R7). Both mean the same to the export
 * (a reconciliation); `order_export` is an older name still read from existing rows.
 */
export const ORDER_OUTBOX_KINDS = ['order.export', 'order.position_status', 'order_export'] as const;
export type OrderOutboxKind = (typeof ORDER_OUTBOX_KINDS)[number];

export class OrderRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the order, its positions and its export row in one transaction. The caller checked the
   * counterparty (R27, `domain/order-counterparty.ts`); a second order with the same kind and
   * externalId is refused (`order_exists`).
   */
  async create(input: OrderInput): Promise<Order> {
    const at = nowIso(this.clock);
    try {
      const id = await withTransaction(this.db, async (tx) => {
        const integration = await integrationOf(tx, input.regionId);
        const order = await tx
          .insertInto('orders')
          .values({
            kind: input.kind,
            externalId: input.externalId,
            regionId: input.regionId,
            counterpartyId: input.counterpartyId,
            priceListId: input.priceListId ?? null,
            status: input.status ?? null,
            comment: input.comment ?? null,
            msAccountId: integration?.msAccountId ?? null,
            msOrderId: null,
            syncId: randomUUID(),
            exportError: null,
            exportedAt: null,
            searchText: searchTextOf(input.externalId),
            createdAt: at,
            updatedAt: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await upsertPositions(tx, order.id, input.positions, at);
        await enqueueExport(tx, this.clock, 'order.export', order.id, integration?.id ?? null, { orderId: Number(order.id), orderKind: input.kind, reason: 'created' });
        return order.id;
      });
      return this.get(id);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError('order_exists', `${input.kind} order ${input.externalId} already exists`, {
          kind: input.kind,
          externalId: input.externalId,
        });
      }
      throw e;
    }
  }

  /** Updates the order (and upserts its lines) and writes its export row, in one transaction. */
  async update(id: number, patch: OrderPatch): Promise<Order> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      const row = await tx
        .updateTable('orders')
        .set({
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.comment !== undefined ? { comment: patch.comment } : {}),
          ...(patch.priceListId !== undefined ? { priceListId: patch.priceListId } : {}),
          // a change is queued for MoySklad: the order shows "waiting" until the outbox sends it
          exportState: 'pending',
          updatedAt: at,
        })
        .where('id', '=', id)
        .returning(['id', 'regionId', 'kind'])
        .executeTakeFirst();
      if (!row) throw new NotFoundError('order', id);
      if (patch.positions) {
        await upsertPositions(tx, id, patch.positions, at);
        if (patch.replacePositions) await withdrawUnlisted(tx, id, patch.positions, at);
      }
      const integration = await integrationOf(tx, Number(row.regionId));
      await enqueueExport(tx, this.clock, 'order.export', id, integration?.id ?? null, { orderId: id, orderKind: row.kind, reason: 'updated' });
    });
    return this.get(id);
  }

  /** R7 Changes one position's status (e.g. rejected/withdrawn, optionally its quantity) and writes the export row. */
  async setPositionStatus(orderId: number, ref: PositionRef, status: PositionStatus, quantity?: number): Promise<Order> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      const order = await tx.selectFrom('orders').select(['id', 'regionId', 'kind']).where('id', '=', orderId).executeTakeFirst();
      if (!order) throw new NotFoundError('order', orderId);
      let q = tx.selectFrom('orderPositions').select(['id', 'status']).where('orderId', '=', orderId);
      q = 'positionId' in ref ? q.where('id', '=', ref.positionId) : q.where('externalId', '=', ref.externalId);
      const position = await q.executeTakeFirst();
      if (!position) throw new NotFoundError('order position', 'positionId' in ref ? ref.positionId : ref.externalId);
      await tx
        .updateTable('orderPositions')
        .set({ status, ...(quantity !== undefined ? { quantity } : {}), syncState: 'pending', updatedAt: at })
        .where('id', '=', position.id)
        .execute();
      await tx.updateTable('orders').set({ exportState: 'pending', updatedAt: at }).where('id', '=', orderId).execute();
      const integration = await integrationOf(tx, Number(order.regionId));
      await enqueueExport(tx, this.clock, 'order.position_status', orderId, integration?.id ?? null, {
        orderId,
        orderKind: order.kind,
        positionId: Number(position.id),
        from: position.status,
        to: status,
        ...(quantity !== undefined ? { quantity } : {}),
      });
    });
    return this.get(orderId);
  }

  async find(id: number): Promise<Order | null> {
    const row = await this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const positions = await this.db.selectFrom('orderPositions').selectAll().where('orderId', '=', id).orderBy('id').execute();
    return { ...row, positions };
  }

  async get(id: number): Promise<Order> {
    const o = await this.find(id);
    if (!o) throw new NotFoundError('order', id);
    return o;
  }

  async findByExternalId(kind: OrderKind, externalId: string): Promise<Order | null> {
    const row = await this.db.selectFrom('orders').select('id').where('kind', '=', kind).where('externalId', '=', externalId).executeTakeFirst();
    return row ? this.find(row.id) : null;
  }

  async list(options: { kind?: OrderKind; counterpartyId?: number; limit?: number; afterId?: number } = {}): Promise<OrderRow[]> {
    let q = this.db.selectFrom('orders').selectAll().orderBy('id');
    if (options.kind) q = q.where('kind', '=', options.kind);
    if (options.counterpartyId !== undefined) q = q.where('counterpartyId', '=', options.counterpartyId);
    if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
    if (options.limit !== undefined) q = q.limit(options.limit);
    return q.execute();
  }

  /**
   * The API's order list, newest first, with positions: by kind, counterparty, externalId, and E6
   * search (the order number, or the counterparty's name/INN/e-mail/phone, in any case).
   */
  async search(query: { kind?: OrderKind; counterpartyId?: number; externalId?: string; q?: string; limit: number; offset: number }): Promise<{ items: Order[]; total: number }> {
    let q = this.db.selectFrom('orders');
    if (query.kind) q = q.where('kind', '=', query.kind);
    if (query.counterpartyId) q = q.where('counterpartyId', '=', query.counterpartyId);
    if (query.externalId) q = q.where('externalId', '=', query.externalId);
    const number = searchTextContains('orders.searchText', query.q);
    const party = searchTextContains('counterparties.searchText', query.q);
    if (number && party) q = q.where((eb) => eb.or([number, eb('counterpartyId', 'in', eb.selectFrom('counterparties').select('id').where(party))]));
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const orders = await q.selectAll().orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
    const ids = orders.map((o) => o.id);
    const positions = ids.length ? await this.db.selectFrom('orderPositions').selectAll().where('orderId', 'in', ids).orderBy('id').execute() : [];
    return { items: orders.map((o) => ({ ...o, positions: positions.filter((p) => p.orderId === o.id) })), total: Number(total) };
  }

  /** The export job succeeded: MoySklad ids stored. */
  /** The order is in MoySklad; with `event`, the platform's webhook event (E3) in the same transaction. */
  async markExported(id: number, msAccountId: number, msOrderId: string, event?: (exportedAt: string) => PlatformEvent): Promise<void> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      await tx.updateTable('orders').set({ msAccountId, msOrderId, exportState: 'sent', exportError: null, exportedAt: at, updatedAt: at }).where('id', '=', id).execute();
      if (event) await recordPlatformEvent(tx, this.clock, event(at));
    });
  }

  /** P2: what a batch of exports collected (`OrderBatchWrites`), written set-based in ONE transaction. */
  async commitExportBatch(writes: OrderBatchWrites): Promise<void> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, (tx) => writeExportBatch(tx, this.clock, writes, at));
  }

  /**
   * The MoySklad order was just created: its id (and the syncId it was created with) recorded right
   * after the request, before anything else happens. Clears a C6 deletion of an earlier one.
   */
  async recordMsOrder(id: number, values: { msOrderId: string; msAccountId: number; syncId: string }): Promise<void> {
    await this.db
      .updateTable('orders')
      .set({ msOrderId: values.msOrderId, msAccountId: values.msAccountId, syncId: values.syncId, msDeletedAt: null, updatedAt: nowIso(this.clock) })
      .where('id', '=', id)
      .execute();
  }

  /** Nothing can be sent yet (every line rejected or withdrawn before the first export): the order waits. */
  async markNothingToSend(id: number, reason: string): Promise<void> {
    await this.db.updateTable('orders').set({ exportState: 'pending', exportError: reason, updatedAt: nowIso(this.clock) }).where('id', '=', id).execute();
  }

  /** C6: a change after the MoySklad order was deleted that leaves nothing to send (no active line). */
  async markNothingLeft(id: number): Promise<void> {
    await this.db.updateTable('orders').set({ exportState: 'sent', exportError: null, updatedAt: nowIso(this.clock) }).where('id', '=', id).execute();
  }

  /**
   * C6: the MoySklad order was deleted because every line was rejected or withdrawn. The store
   * order keeps its history (`msOrderId` stays); its lines' positions are gone with it.
   */
  async markMsOrderDeleted(id: number, events: readonly PlatformEvent[] = []): Promise<void> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      for (const event of events) await recordPlatformEvent(tx, this.clock, event);
      await tx.updateTable('orders').set({ msDeletedAt: at, exportState: 'sent', exportError: null, exportedAt: at, updatedAt: at }).where('id', '=', id).execute();
      await tx
        .updateTable('orderPositions')
        .set({ syncState: 'deleted', updatedAt: at })
        .where('orderId', '=', id)
        .where('msPositionId', 'is not', null)
        .where('syncState', '!=', 'deleted')
        .execute();
    });
  }

  /**
   * The export waits (`pending`) or needs a person (`failed`), with the reason; with `event`, the
   * platform's webhook event (E3 `order.failed`) in the same transaction.
   */
  async markExportState(id: number, state: 'pending' | 'failed', error: string, event?: PlatformEvent): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      await tx.updateTable('orders').set({ exportState: state, exportError: error.slice(0, 2000), updatedAt: nowIso(this.clock) }).where('id', '=', id).execute();
      if (event) await recordPlatformEvent(tx, this.clock, event);
    });
  }

  /** A manual retry: a failed order shows "waiting" again. */
  async markRetrying(id: number): Promise<void> {
    await this.db.updateTable('orders').set({ exportState: 'pending', updatedAt: nowIso(this.clock) }).where('id', '=', id).where('exportState', '=', 'failed').execute();
  }

  /** R27 at export time: the kind of the order's counterparty (null: gone). */
  async counterpartyOf(order: Pick<OrderRow, 'counterpartyId'>): Promise<{ id: number; kind: 'client' | 'supplier'; externalId: string } | null> {
    return (await this.db.selectFrom('counterparties').select(['id', 'kind', 'externalId']).where('id', '=', order.counterpartyId).executeTakeFirst()) ?? null;
  }

  async markExportFailed(id: number, error: string): Promise<void> {
    await this.db
      .updateTable('orders')
      .set({ exportState: 'failed', exportError: error, updatedAt: nowIso(this.clock) })
      .where('id', '=', id)
      .execute();
  }

  async setPositionSync(
    positionId: number,
    values: { msProductId?: string | null; msPositionId?: string | null; syncState: PositionSyncState },
    event?: PlatformEvent,
  ): Promise<void> {
    if (event) {
      // E3: the position's new state and the platform's event in one transaction.
      await withTransaction(this.db, async (tx) => {
        await new OrderRepository(tx, this.clock).setPositionSync(positionId, values);
        await recordPlatformEvent(tx, this.clock, event);
      });
      return;
    }
    await this.db
      .updateTable('orderPositions')
      .set({
        ...(values.msProductId !== undefined ? { msProductId: values.msProductId } : {}),
        ...(values.msPositionId !== undefined ? { msPositionId: values.msPositionId } : {}),
        syncState: values.syncState,
        updatedAt: nowIso(this.clock),
      })
      .where('id', '=', positionId)
      .execute();
  }
}

async function upsertPositions(tx: Db, orderId: number, positions: readonly OrderPositionInput[], at: string): Promise<void> {
  const seen = new Set<string>();
  for (const p of positions) {
    if (seen.has(p.externalId)) throw new ValidationError(`position ${p.externalId} is listed twice`, { positions: `duplicate externalId ${p.externalId}` });
    seen.add(p.externalId);
    await tx
      .insertInto('orderPositions')
      .values({
        orderId,
        externalId: p.externalId,
        brand: p.brand,
        article: p.article,
        articleNorm: normalizeArticle(p.article),
        name: p.name,
        quantity: p.quantity,
        price: Math.round(p.price),
        ...(p.status ? { status: p.status } : {}),
        priceListId: p.priceListId ?? null,
        msProductId: null,
        msPositionId: null,
        createdAt: at,
        updatedAt: at,
      })
      .onConflict((oc) =>
        oc.columns(['orderId', 'externalId']).doUpdateSet((eb) => ({
          brand: eb.ref('excluded.brand'),
          article: eb.ref('excluded.article'),
          articleNorm: eb.ref('excluded.articleNorm'),
          name: eb.ref('excluded.name'),
          quantity: eb.ref('excluded.quantity'),
          price: eb.ref('excluded.price'),
          ...(p.status ? { status: eb.ref('excluded.status') } : {}),
          priceListId: eb.ref('excluded.priceListId'),
          syncState: 'pending' as const,
          updatedAt: eb.ref('excluded.updatedAt'),
        })),
      )
      .execute();
  }
}

async function withdrawUnlisted(tx: Db, orderId: number, listed: readonly OrderPositionInput[], at: string): Promise<void> {
  const kept = new Set(listed.map((p) => p.externalId));
  const existing = await tx.selectFrom('orderPositions').select(['id', 'externalId']).where('orderId', '=', orderId).where('status', '=', 'active').execute();
  const dropped = existing.filter((p) => !kept.has(p.externalId)).map((p) => p.id);
  if (dropped.length) await tx.updateTable('orderPositions').set({ status: 'withdrawn', syncState: 'pending', updatedAt: at }).where('id', 'in', dropped).execute();
}

async function integrationOf(tx: Db, regionId: number): Promise<{ id: number; msAccountId: number } | undefined> {
  const row = await tx.selectFrom('integrations').select(['id', 'msAccountId']).where('regionId', '=', regionId).executeTakeFirst();
  return row ? { id: Number(row.id), msAccountId: Number(row.msAccountId) } : undefined;
}

/**
 * The order's outbox row, in the caller's transaction, due now. One waiting row per kind and order
 * (the dedupe key is freed when the row is claimed): a burst of changes costs one export.
 */
async function enqueueExport(tx: Db, clock: Clock, kind: OrderOutboxKind, orderId: number, integrationId: number | null, payload: Record<string, unknown>): Promise<void> {
  await new OutboxRepository(tx, clock).enqueue({ kind, integrationId, aggregateType: 'order', aggregateId: orderId, payload, dedupeKey: `${kind}:${orderId}` });
}
