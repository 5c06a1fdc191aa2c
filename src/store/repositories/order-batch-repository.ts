/**
 * @module order-batch-repository
 * P2: the set-based reads and writes of the batched order export (the writes are entered through
 * `OrderRepository.commitExportBatch`, the one write path of orders). A thousand orders are read in a
 * few statements (orders, their positions, their counterparties: IN lists) and, once MoySklad
 * answered the array POST, all their MoySklad ids, export states and platform events are written in
 * ONE transaction with a few statements (`UPDATE … FROM` the rows' values), instead of a dozen
 * round trips per order. The values written are exactly those the single export writes
 * (`OrderRepository.recordMsOrder`, `setPositionSync`, `markExported`).
 *
 * IN lists and row updates go in chunks of `CHUNK` rows: a few thousand bound parameters at most,
 * well under SQLite's (32,766) and PostgreSQL's (65,535) limits.
 */
import { CompiledQuery } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { PlatformEvent } from '../../domain/platform-events.js';
import { chunk } from '../database.js';
import type { Db } from '../db.js';
import { dialectOf } from '../dialect-of.js';
import type { OrderPositionRow, PositionSyncState } from '../schema.js';
import type { Order } from './order-types.js';
import { hasSubscribers, recordPlatformEvent } from './platform-event-recorder.js';

const CHUNK = 500;

const chunks = <T>(list: readonly T[]): T[][] => chunk(list, CHUNK);

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

type Value = string | number | null;
type ColumnType = 'bigint' | 'text';

/** A column a batch update sets from each row's own value, with its PostgreSQL array type. */
interface VaryingColumn<T> {
  column: string;
  type: ColumnType;
  of: (row: T) => Value;
}

/**
 * `UPDATE <table> SET <column> = <the row's value>, … FROM <the rows> WHERE <table>.id = <row id>`:
 * one statement per chunk, its rows bound as arrays (PostgreSQL: `unnest`) or as one JSON array
 * (SQLite: `json_each`, each row looked up by its rowid). SQL text with a handful of parameters,
 * built without the query builder: a 500-row `CASE id WHEN …` built through it cost more than the
 * update (≈ 175 ms of a 1,000-order commit on SQLite).
 */
async function updateFromRows<T>(tx: Db, table: 'orders' | 'order_positions', rows: ReadonlyArray<[number, T]>, varying: ReadonlyArray<VaryingColumn<T>>, constant: Record<string, Value>): Promise<void> {
  if (rows.length === 0) return;
  const pg = dialectOf(tx) === 'postgres';
  const fixed = Object.entries(constant);
  for (const part of chunks(rows)) {
    const params: unknown[] = [];
    const bind = (v: unknown): string => (params.push(v), pg ? `$${params.length}` : '?');
    let text: string;
    if (pg) {
      const sets = [...varying.map((c) => `${c.column} = v.${c.column}`), ...fixed.map(([c, v]) => `${c} = ${bind(v)}`)];
      const arrays = [`${bind(part.map(([id]) => id))}::bigint[]`, ...varying.map((c) => `${bind(part.map(([, r]) => c.of(r)))}::${c.type}[]`)];
      text = `update ${table} t set ${sets.join(', ')} from unnest(${arrays.join(', ')}) as v(id, ${varying.map((c) => c.column).join(', ')}) where t.id = v.id`;
    } else {
      const sets = [...varying.map((c, i) => `${c.column} = json_extract(v.value, '$[${i + 1}]')`), ...fixed.map(([c, v]) => `${c} = ${bind(v)}`)];
      const json = JSON.stringify(part.map(([id, r]) => [id, ...varying.map((c) => c.of(r))]));
      text = `update ${table} set ${sets.join(', ')} from json_each(${bind(json)}) v where ${table}.id = json_extract(v.value, '$[0]')`;
    }
    await tx.executeQuery(CompiledQuery.raw(text, params));
  }
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
  const sent = { export_state: 'sent', export_error: null, exported_at: at, updated_at: at };
  type Created = { msOrderId: string; msAccountId: number; syncId: string };
  const createdColumns: Array<VaryingColumn<Created>> = [
    { column: 'ms_order_id', type: 'text', of: (c) => c.msOrderId },
    { column: 'ms_account_id', type: 'bigint', of: (c) => c.msAccountId },
    { column: 'sync_id', type: 'text', of: (c) => c.syncId },
  ];
  // An order created and exported in the batch (the usual case) is written once: the two updates' union, the later one's values.
  const both = [...w.created].filter(([id]) => w.exported.has(id)).map(([id, c]): [number, Created] => [id, { ...c, ...w.exported.get(id)! }]);
  await updateFromRows(tx, 'orders', [...w.created].filter(([id]) => !w.exported.has(id)), createdColumns, { ms_deleted_at: null, updated_at: at });
  await updateFromRows(tx, 'orders', both, createdColumns, { ms_deleted_at: null, ...sent });
  await writePositions(tx, w.positions, at);
  const exportedColumns: Array<VaryingColumn<{ msAccountId: number; msOrderId: string }>> = [
    { column: 'ms_account_id', type: 'bigint', of: (e) => e.msAccountId },
    { column: 'ms_order_id', type: 'text', of: (e) => e.msOrderId },
  ];
  await updateFromRows(tx, 'orders', [...w.exported].filter(([id]) => !w.created.has(id)), exportedColumns, sent);
  await recordPlatformEvents(tx, clock, w.events.map((e) => e(at)));
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
    const first = rows[0]![1];
    const columns: Array<VaryingColumn<PositionSyncWrite>> = [
      ...(first.msProductId !== undefined ? [{ column: 'ms_product_id', type: 'text' as const, of: (v: PositionSyncWrite) => v.msProductId ?? null }] : []),
      ...(first.msPositionId !== undefined ? [{ column: 'ms_position_id', type: 'text' as const, of: (v: PositionSyncWrite) => v.msPositionId ?? null }] : []),
      { column: 'sync_state', type: 'text', of: (v) => v.syncState },
    ];
    await updateFromRows(tx, 'order_positions', rows, columns, { updated_at: at });
  }
}

/** E3 for a batch: one subscription read per event type; the events of subscribed types written in order. */
async function recordPlatformEvents(tx: Db, clock: Clock, events: readonly PlatformEvent[]): Promise<void> {
  const subscribed = new Map<PlatformEvent['type'], boolean>();
  for (const type of new Set(events.map((e) => e.type))) subscribed.set(type, await hasSubscribers(tx, [type]));
  for (const e of events) if (subscribed.get(e.type)) await recordPlatformEvent(tx, clock, e);
}
