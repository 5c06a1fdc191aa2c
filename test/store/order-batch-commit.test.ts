/**
 * P2 the batch commit (`OrderRepository.commitExportBatch`) writes exactly what the single export
 * writes, on both dialects: a created-and-exported order, an order only recorded (its export not
 * finished), an order only marked exported, and positions whose unset fields are kept.
 */
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createRepositories } from '../../src/store/repositories.js';
import type { OrderBatchWrites, PositionSyncWrite } from '../../src/store/repositories/order-batch-repository.js';
import { forEachDialect } from '../helpers/databases.js';

const box = new SecretBox(randomBytes(32));

forEachDialect((getDb) => {
  it('P2 the batch commit records MoySklad ids, export states and position links in a few statements, keeping what a write does not set', async () => {
    const db = getDb().db;
    const clock = new ManualClock({ start: '2026-12-04T09:00:00Z' });
    const repos = createRepositories(db, clock, box);
    const tag = randomBytes(3).toString('hex');
    const region = await repos.regions.create({ name: 'Филиал', code: `r-${tag}` });
    const accountOf = async (n: number) => Number((await repos.msAccounts.upsert({ authKind: 'password', login: `admin${n}-${tag}@shop`, secret: 'pw', baseUrl: 'http://127.0.0.1:1/api/remap/1.2' })).id);
    const [a7, a8] = [await accountOf(7), await accountOf(8)];
    const client = await repos.counterparties.create({ kind: 'client', externalId: `c-${tag}`, name: 'К' });
    const line = (n: number) => ({ externalId: `l${n}`, brand: 'MAHLE', article: `OC ${n}`, name: 'Фильтр', quantity: n, price: 1000 * n });
    const make = (n: number) => repos.orders.create({ kind: 'customer', externalId: `o${n}-${tag}`, regionId: region.id, counterpartyId: client.id, positions: [line(1), line(2)] });
    const [both, onlyCreated, onlyExported] = [await make(1), await make(2), await make(3)];
    // A position linked to its card before the batch: a write that sets only its state keeps that link.
    const kept = onlyExported.positions[0]!;
    await db.updateTable('orderPositions').set({ msProductId: 'card-kept', msPositionId: 'pos-kept' }).where('id', '=', kept.id).execute();

    const positions = new Map<number, PositionSyncWrite>([
      [both.positions[0]!.id, { msProductId: 'card-1', msPositionId: 'pos-1', syncState: 'synced' }],
      [both.positions[1]!.id, { msProductId: 'card-2', msPositionId: 'pos-2', syncState: 'synced' }],
      [onlyCreated.positions[0]!.id, { msProductId: 'card-3', syncState: 'pending' }],
      [kept.id, { syncState: 'synced' }],
    ]);
    const writes: OrderBatchWrites = {
      created: new Map([
        [both.id, { msOrderId: 'ms-1', msAccountId: a7, syncId: both.syncId }],
        [onlyCreated.id, { msOrderId: 'ms-2', msAccountId: a7, syncId: onlyCreated.syncId }],
      ]),
      positions,
      exported: new Map([
        [both.id, { msAccountId: a7, msOrderId: 'ms-1' }],
        [onlyExported.id, { msAccountId: a8, msOrderId: 'ms-3' }],
      ]),
      events: [],
    };
    clock.advance(60_000);
    await repos.orders.commitExportBatch(writes);

    const at = '2026-12-04T09:01:00.000Z';
    const orderOf = async (id: number) => {
      const o = await db.selectFrom('orders').select(['msOrderId', 'msAccountId', 'syncId', 'exportState', 'exportError', 'exportedAt', 'msDeletedAt', 'updatedAt']).where('id', '=', id).executeTakeFirstOrThrow();
      return { ...o, msAccountId: o.msAccountId === null ? null : Number(o.msAccountId) };
    };
    expect(await orderOf(both.id)).toEqual({ msOrderId: 'ms-1', msAccountId: a7, syncId: both.syncId, exportState: 'sent', exportError: null, exportedAt: at, msDeletedAt: null, updatedAt: at });
    expect(await orderOf(onlyCreated.id)).toEqual({ msOrderId: 'ms-2', msAccountId: a7, syncId: onlyCreated.syncId, exportState: 'pending', exportError: null, exportedAt: null, msDeletedAt: null, updatedAt: at });
    expect(await orderOf(onlyExported.id)).toEqual({ msOrderId: 'ms-3', msAccountId: a8, syncId: onlyExported.syncId, exportState: 'sent', exportError: null, exportedAt: at, msDeletedAt: null, updatedAt: at });

    const rows = await db
      .selectFrom('orderPositions')
      .select(['id', 'msProductId', 'msPositionId', 'syncState', 'updatedAt'])
      .where('orderId', 'in', [both.id, onlyCreated.id, onlyExported.id])
      .orderBy('id')
      .execute();
    const created = (await db.selectFrom('orderPositions').select(['id', 'updatedAt']).where('id', '=', onlyCreated.positions[1]!.id).executeTakeFirstOrThrow()).updatedAt;
    expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual([
      { id: both.positions[0]!.id, msProductId: 'card-1', msPositionId: 'pos-1', syncState: 'synced', updatedAt: at },
      { id: both.positions[1]!.id, msProductId: 'card-2', msPositionId: 'pos-2', syncState: 'synced', updatedAt: at },
      { id: onlyCreated.positions[0]!.id, msProductId: 'card-3', msPositionId: null, syncState: 'pending', updatedAt: at },
      { id: onlyCreated.positions[1]!.id, msProductId: null, msPositionId: null, syncState: 'pending', updatedAt: created },
      { id: kept.id, msProductId: 'card-kept', msPositionId: 'pos-kept', syncState: 'synced', updatedAt: at },
      { id: onlyExported.positions[1]!.id, msProductId: null, msPositionId: null, syncState: 'pending', updatedAt: created },
    ]);
  });
});
