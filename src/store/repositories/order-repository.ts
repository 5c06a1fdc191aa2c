/**
 * @module order-repository
 * Customer and supplier orders with positions (R5–R7). Every change that must reach MoySklad
 * writes an `order_export` outbox job in the same transaction (B1). The MoySklad `syncId` is a
 * UUID fixed at creation, so a retried export never creates a second MoySklad order.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { normalizeArticle } from '../../core/normalize.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import { isUniqueViolation } from '../db-errors.js';
import type { OrderKind, OrderPositionRow, OrderRow, PositionStatus, PositionSyncState } from '../schema.js';
import { OutboxRepository } from './outbox-repository.js';

export type OrderPosition = OrderPositionRow;
export interface Order extends OrderRow {
  positions: OrderPosition[];
}

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
  /** Upserted by externalId; positions not listed are kept. */
  positions?: OrderPositionInput[];
}

export const ORDER_EXPORT_JOB = 'order_export';

/** R27: customer orders go to clients, supplier orders to suppliers. */
const COUNTERPARTY_KIND: Record<OrderKind, 'client' | 'supplier'> = { customer: 'client', supplier: 'supplier' };

export class OrderRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Creates the order, its positions and its export job in one transaction. */
  async create(input: OrderInput): Promise<Order> {
    const at = nowIso(this.clock);
    try {
      const id = await withTransaction(this.db, async (tx) => {
        const cp = await tx.selectFrom('counterparties').select(['id', 'kind']).where('id', '=', input.counterpartyId).executeTakeFirst();
        if (!cp) throw new NotFoundError('counterparty', input.counterpartyId);
        if (cp.kind !== COUNTERPARTY_KIND[input.kind]) {
          throw new ValidationError(`a ${input.kind} order needs a ${COUNTERPARTY_KIND[input.kind]}, counterparty ${cp.id} is a ${cp.kind} (R27)`, {
            counterpartyId: `must be a ${COUNTERPARTY_KIND[input.kind]}`,
          });
        }
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
            msAccountId: null,
            msOrderId: null,
            syncId: randomUUID(),
            exportError: null,
            exportedAt: null,
            createdAt: at,
            updatedAt: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await upsertPositions(tx, order.id, input.positions, at);
        await enqueueExport(tx, this.clock, order.id, input.regionId);
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

  async update(id: number, patch: OrderPatch): Promise<Order> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      const row = await tx
        .updateTable('orders')
        .set({
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.comment !== undefined ? { comment: patch.comment } : {}),
          ...(patch.priceListId !== undefined ? { priceListId: patch.priceListId } : {}),
          exportState: 'pending',
          updatedAt: at,
        })
        .where('id', '=', id)
        .returning(['id', 'regionId'])
        .executeTakeFirst();
      if (!row) throw new NotFoundError('order', id);
      if (patch.positions) await upsertPositions(tx, id, patch.positions, at);
      await enqueueExport(tx, this.clock, id, row.regionId);
    });
    return this.get(id);
  }

  /** R7 Changes one position's status (e.g. rejected/withdrawn) and schedules the export. */
  async setPositionStatus(orderId: number, positionExternalId: string, status: PositionStatus): Promise<Order> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      const order = await tx.selectFrom('orders').select(['id', 'regionId']).where('id', '=', orderId).executeTakeFirst();
      if (!order) throw new NotFoundError('order', orderId);
      const r = await tx
        .updateTable('orderPositions')
        .set({ status, syncState: 'pending', updatedAt: at })
        .where('orderId', '=', orderId)
        .where('externalId', '=', positionExternalId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw new NotFoundError('order position', positionExternalId);
      await tx.updateTable('orders').set({ exportState: 'pending', updatedAt: at }).where('id', '=', orderId).execute();
      await enqueueExport(tx, this.clock, orderId, order.regionId);
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

  /** The export job succeeded: MoySklad ids stored. */
  async markExported(id: number, msAccountId: number, msOrderId: string): Promise<void> {
    const at = nowIso(this.clock);
    await this.db
      .updateTable('orders')
      .set({ msAccountId, msOrderId, exportState: 'sent', exportError: null, exportedAt: at, updatedAt: at })
      .where('id', '=', id)
      .execute();
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
  async markMsOrderDeleted(id: number): Promise<void> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
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
  ): Promise<void> {
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

async function enqueueExport(tx: Db, clock: Clock, orderId: number, regionId: number): Promise<void> {
  const integration = await tx.selectFrom('integrations').select('id').where('regionId', '=', regionId).executeTakeFirst();
  await new OutboxRepository(tx, clock).enqueue({
    kind: ORDER_EXPORT_JOB,
    integrationId: integration?.id ?? null,
    aggregateType: 'order',
    aggregateId: orderId,
    payload: { orderId },
    dedupeKey: `${ORDER_EXPORT_JOB}:${orderId}`,
  });
}
