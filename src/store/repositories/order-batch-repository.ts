/**
 * @module order-batch-repository
 * P2: the set-based reads and writes of the batched order export (the writes are entered through
 * `OrderRepository.commitExportBatch`, the one write path of orders). A thousand orders are read in a
 * few statements (orders, their positions, their counterparties: IN lists) and, once MoySklad
 * answered the array POST, all their MoySklad ids, export states and platform events are written in
 * ONE transaction with a few statements (`CASE id WHEN … THEN … END` updates), instead of a dozen
 * round trips per order. The values written are exactly those the single export writes
 * (`OrderRepository.recordMsOrder`, `setPositionSync`, `markExported`).
 *
 * IN lists and CASE updates go in chunks of `CHUNK` rows: a few thousand bound parameters at most,
 * well under SQLite's (32,766) and PostgreSQL's (65,535) limits.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { PlatformEvent } from '../../domain/platform-events.js';
import type { Db } from '../db.js';
import type { OrderPositionRow, PositionSyncState } from '../schema.js';
import type { Order } from './order-types.js';
import { hasSubscribers, recordPlatformEvent } from './platform-event-recorder.js';

const CHUNK = 500;

const chunks = <T>(list: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
};

/** A position's MoySklad link/state as `OrderRepository.setPositionSync` writes it (absent fields are kept). */
export interface PositionSyncWrite {
  msProductId?: string | null;
  msPositionId?: string | null;
  syncState: PositionSyncState;
}

/** What a batch of exports leaves to write (collected in the order the single export writes it). */
export interface OrderBatchWrites {
  /** `recordMsOrder`: order id → the MoySklad order just created. */
  created: ReadonlyMap<number, { msOrderId: string; msAccountId: number; syncId: string }>;
  /** `setPositionSync` without an event: position id → its last values. */
  positions: ReadonlyMap<number, PositionSyncWrite>;
  /** `markExported`: order id → the MoySklad order. */
  exported: ReadonlyMap<number, { msAccountId: number; msOrderId: string }>;
  /** E3 events in the order they were raised (built with the commit's time). */
  events: ReadonlyArray<(at: string) => PlatformEvent>;
}

type CaseValue = string | number | null;

/** `CASE id WHEN … THEN … ELSE <column> END` over the rows that set `column`. */
function caseOf(column: string, values: ReadonlyArray<[number, CaseValue]>): RawBuilder<unknown> {
  return sql`case ${sql.ref('id')} ${sql.join(
    values.map(([id, v]) => sql`when ${id} then ${v}`),
    sql` `,
  )} else ${sql.ref(column)} end`;
}

export class OrderBatchRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The orders with these ids and their positions (ordered by id), in two reads per chunk; missing ids are absent. */
  async findMany(ids: readonly number[]): Promise<Map<number, Order>> {
    const out = new Map<number, Order>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = await this.db.selectFrom('orders').selectAll().where('id', 'in', part).execute();
      const positions = await this.db.selectFrom('orderPositions').selectAll().where('orderId', 'in', part).orderBy('id').execute();
      const byOrder = new Map<number, OrderPositionRow[]>();
      for (const p of positions) {
        const list = byOrder.get(Number(p.orderId));
        if (list) list.push(p);
        else byOrder.set(Number(p.orderId), [p]);
      }
      for (const r of rows) out.set(Number(r.id), { ...r, positions: byOrder.get(Number(r.id)) ?? [] });
    }
    return out;
  }

  /** R27 at export time for many orders: counterparty id → its kind (absent: gone). */
  async counterpartiesOf(ids: readonly number[]): Promise<Map<number, { id: number; kind: 'client' | 'supplier'; externalId: string }>> {
    const out = new Map<number, { id: number; kind: 'client' | 'supplier'; externalId: string }>();
    for (const part of chunks([...new Set(ids)])) {
      const rows = await this.db.selectFrom('counterparties').select(['id', 'kind', 'externalId']).where('id', 'in', part).execute();
      for (const r of rows) out.set(Number(r.id), r);
    }
    return out;
  }
}

/**
 * Writes a batch's MoySklad ids, positions, export states and E3 events in the caller's transaction
 * (`OrderRepository.commitExportBatch`, the one entry that writes orders).
 */
export async function writeExportBatch(tx: Db, clock: Clock, w: OrderBatchWrites, at: string): Promise<void> {
  const sent = { exportState: 'sent', exportError: null, exportedAt: at, updatedAt: at };
  // An order created and exported in the batch (the usual case) is written once: the two updates' union, the later one's values.
  const both = [...w.created].filter(([id]) => w.exported.has(id)).map(([id, c]): [number, { msOrderId: string; msAccountId: number; syncId: string }] => [id, { ...c, ...w.exported.get(id)! }]);
  await updateOrders(tx, [...w.created].filter(([id]) => !w.exported.has(id)), { msOrderId: (c) => c.msOrderId, msAccountId: (c) => c.msAccountId, syncId: (c) => c.syncId }, { msDeletedAt: null, updatedAt: at });
  await updateOrders(tx, both, { msOrderId: (c) => c.msOrderId, msAccountId: (c) => c.msAccountId, syncId: (c) => c.syncId }, { msDeletedAt: null, ...sent });
  await writePositions(tx, w.positions, at);
  await updateOrders(tx, [...w.exported].filter(([id]) => !w.created.has(id)), { msAccountId: (e) => e.msAccountId, msOrderId: (e) => e.msOrderId }, sent);
  await recordPlatformEvents(tx, clock, w.events.map((e) => e(at)));
}

/** `UPDATE orders` of many rows: a CASE per varying column, the same value for the constant ones. */
async function updateOrders<T>(tx: Db, rows: ReadonlyArray<[number, T]>, varying: Record<string, (v: T) => CaseValue>, constant: Record<string, CaseValue>): Promise<void> {
  for (const part of chunks(rows)) {
    const set: Record<string, unknown> = { ...constant };
    for (const [column, of] of Object.entries(varying)) set[column] = caseOf(column, part.map(([id, v]) => [id, of(v)]));
    await tx
      .updateTable('orders')
      .set(set as never)
      .where('id', 'in', part.map(([id]) => id))
      .execute();
  }
}

/** The positions' writes, grouped by the fields they set (a field not set is kept). */
async function writePositions(tx: Db, positions: ReadonlyMap<number, PositionSyncWrite>, at: string): Promise<void> {
  const groups = new Map<string, Array<[number, PositionSyncWrite]>>();
  for (const entry of positions) {
    const key = `${entry[1].msProductId !== undefined}:${entry[1].msPositionId !== undefined}`;
    const list = groups.get(key);
    if (list) list.push(entry);
    else groups.set(key, [entry]);
  }
  for (const rows of groups.values()) {
    for (const part of chunks(rows)) {
      const first = part[0]![1];
      await tx
        .updateTable('orderPositions')
        .set({
          ...(first.msProductId !== undefined ? { msProductId: caseOf('msProductId', part.map(([id, v]) => [id, v.msProductId ?? null])) as never } : {}),
          ...(first.msPositionId !== undefined ? { msPositionId: caseOf('msPositionId', part.map(([id, v]) => [id, v.msPositionId ?? null])) as never } : {}),
          syncState: caseOf('syncState', part.map(([id, v]) => [id, v.syncState])) as never,
          updatedAt: at,
        })
        .where('id', 'in', part.map(([id]) => id))
        .execute();
    }
  }
}

/** E3 for a batch: one subscription read per event type; the events of subscribed types written in order. */
async function recordPlatformEvents(tx: Db, clock: Clock, events: readonly PlatformEvent[]): Promise<void> {
  const subscribed = new Map<PlatformEvent['type'], boolean>();
  for (const type of new Set(events.map((e) => e.type))) subscribed.set(type, await hasSubscribers(tx, [type]));
  for (const e of events) if (subscribed.get(e.type)) await recordPlatformEvent(tx, clock, e);
}
