/**
 * E3 the events wired into the syncs, on SQLite and PostgreSQL, each written in the transaction of
 * the change that causes it: order.exported / order.position_deleted / order.failed by the order
 * export (through the real outbox drain and the emulator), price_list.updated by the stock sync's
 * swap and in-place patch, balance.updated by the balance sync. And: a receiver that hangs never
 * slows a sync — the delivery job runs beside it without a MoySklad credential lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { PlatformWebhookService } from '../../src/app/platform-webhooks.js';
import type { PlatformEventType } from '../../src/domain/platform-events.js';
import type { EmulatorAccount } from '../../src/emulator/index.js';
import { createWorker } from '../../src/queue/worker.js';
import { createBalanceSyncKinds, recordClientActivity } from '../../src/sync/balance/index.js';
import { createStockSyncKinds, syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { createWebhookDeliveryKinds, wakeDeliveriesAfterJobs, WEBHOOK_DELIVERY_KIND } from '../../src/sync/platform-webhooks/webhook-delivery-kind.js';
import { dialects, postgresUnavailableReason, type TestDatabase } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { ordersHarness, type OrdersHarness } from '../sync/orders-harness.js';
import { createPriceList, loadNomenclature } from '../sync/stock-fixture.js';
import { openQueue } from './queue.js';
import { eventually, startReceiver, type Receiver } from './receiver.js';
import { JobTargetRepository } from '../../src/store/repositories/job-target-repository.js';

/** The events written so far (type and data), oldest first. */
async function events(db: TestDatabase['db']): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const rows = await db.selectFrom('platformWebhookMessages').select(['eventType', 'body']).orderBy('id').execute();
  return rows.map((r) => {
    const body = JSON.parse(r.body) as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe(r.eventType);
    return { type: body.type, data: body.data };
  });
}

async function subscribe(fx: SyncFixture, events: PlatformEventType[], url = 'https://platform.test/hooks'): Promise<{ id: number; secret: string }> {
  const { subscription, secret } = await new PlatformWebhookService({ db: fx.db, clock: fx.clock, secretBox: fx.secretBox }).create({ url, events });
  return { id: subscription.id, secret };
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`platform events from the syncs (${dialect})`, () => {
    let h: OrdersHarness | undefined;
    let fx: SyncFixture | undefined;
    let receiver: Receiver | undefined;
    afterEach(async () => {
      await receiver?.close();
      await h?.dispose();
      await fx?.dispose();
      h = fx = receiver = undefined;
    });

    it('E3 an order export writes order.exported when the order reaches MoySklad and order.position_deleted when a rejected line is deleted there', async () => {
      h = await ordersHarness(dialect);
      await subscribe(h.fx, ['order.exported', 'order.position_deleted']);
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-1', inn: '7701234567' });
      const o = await h.order({
        externalId: 'A-1001',
        counterpartyId: clientId,
        positions: ps.map((p, i) => ({ externalId: `L${i + 1}`, brand: p.brand, article: p.article, quantity: 1, priceKopecks: 100_00 })),
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      const msOrderId = h.customerOrders()[0]!.id;
      const exportedAt = h.clock.now().toISOString();
      expect(await events(h.fx.db)).toEqual([{ type: 'order.exported', data: { orderId: o.id, externalId: 'A-1001', kind: 'customer', msOrderId, action: 'created', exportedAt } }]);

      // A drain with nothing new says nothing; a rejected line is deleted in MoySklad and announced.
      await h.drain();
      expect(await events(h.fx.db)).toHaveLength(1);
      const line = (await h.api('GET', `/orders/${o.id}`)).json.positions[1];
      expect((await h.api('PATCH', `/orders/${o.id}/positions/${line.id}`, { status: 'rejected' })).status).toBe(200);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect((await events(h.fx.db)).slice(1)).toEqual([
        { type: 'order.position_deleted', data: { orderId: o.id, externalId: 'A-1001', kind: 'customer', positionId: line.id, positionExternalId: 'L2', msPositionId: line.msPositionId, status: 'rejected' } },
        { type: 'order.exported', data: { orderId: o.id, externalId: 'A-1001', kind: 'customer', msOrderId, action: 'updated', exportedAt: h.clock.now().toISOString() } },
      ]);
      expect(h.positionsOf(h.customerOrders()[0]!)).toHaveLength(1);
    });

    it('E3 an order whose every line is rejected is deleted in MoySklad and each of its positions is announced as deleted', async () => {
      h = await ordersHarness(dialect);
      await subscribe(h.fx, ['order.position_deleted']);
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-2', inn: '7701234568' });
      const o = await h.order({ externalId: 'A-2002', counterpartyId: clientId, positions: ps.map((p, i) => ({ externalId: `L${i + 1}`, brand: p.brand, article: p.article, quantity: 1, priceKopecks: 100_00 })) });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      const lines = (await h.api('GET', `/orders/${o.id}`)).json.positions as Array<{ id: number; externalId: string; msPositionId: string }>;
      for (const l of lines) expect((await h.api('PATCH', `/orders/${o.id}/positions/${l.id}`, { status: 'rejected' })).status).toBe(200);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(0);
      expect(await events(h.fx.db)).toEqual(
        lines.map((l) => ({ type: 'order.position_deleted', data: { orderId: o.id, externalId: 'A-2002', kind: 'customer', positionId: l.id, positionExternalId: l.externalId, msPositionId: l.msPositionId, status: 'rejected' } })),
      );
    });

    it('E3 an order export that needs a person writes order.failed with the reason', async () => {
      h = await ordersHarness(dialect);
      await subscribe(h.fx, ['order.failed']);
      const ps = h.msProducts().slice(0, 1);
      await h.knowProducts(ps);
      h.msCounterparty({ name: 'Дубль 1', email: 'same@example.ru' });
      h.msCounterparty({ name: 'Дубль 2', email: 'Same@Example.ru' });
      const clientId = await h.client({ externalId: 'C-8', email: 'same@example.ru' });
      const o = await h.order({ externalId: 'W-80', counterpartyId: clientId, positions: [{ brand: ps[0]!.brand, article: ps[0]!.article, quantity: 1, priceKopecks: 100 }] });
      expect(await h.drain()).toMatchObject({ failed: 1 });
      const [failed] = await events(h.fx.db);
      expect(failed).toEqual({ type: 'order.failed', data: { orderId: o.id, externalId: 'W-80', kind: 'customer', error: expect.stringContaining('counterparty_ambiguous') } });
      expect((await h.api('GET', `/orders/${o.id}`)).json.exportError).toBe(failed!.data.error);
    });

    it('E3 a full stock sync (new generation) and an incremental patch each write price_list.updated', async () => {
      fx = await createSyncFixture({ dialect });
      await subscribe(fx, ['price_list.updated']);
      await loadNomenclature(fx);
      const account: EmulatorAccount = fx.emulator.account('admin@demo');
      const store = account.stores[1]!.id;
      const id = await createPriceList(fx, { name: 'inc', msStoreId: store, syncIntervalMinutes: 10 });
      const deps: StockSyncDeps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const full = await fx.db.selectFrom('priceLists').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(await events(fx.db)).toEqual([{ type: 'price_list.updated', data: { priceListId: id, generation: full.generation, rowCount: full.rowCount, change: 'replaced' } }]);

      // Nothing changed: no event. One product's stock changed: a patch of the same generation.
      fx.clock.advance(10 * 60_000);
      await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(await events(fx.db)).toHaveLength(1);
      const row = await fx.db.selectFrom('priceListRows').select('msProductId').where('priceListId', '=', id).where('generation', '=', full.generation).executeTakeFirstOrThrow();
      account.setStock(row.msProductId, store, { stock: (account.stockOf(row.msProductId, store)?.stock ?? 0) + 17 });
      fx.clock.advance(10 * 60_000);
      await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect((await events(fx.db)).slice(1)).toEqual([{ type: 'price_list.updated', data: { priceListId: id, generation: full.generation, rowCount: full.rowCount, change: 'patched' } }]);
    });

    it('E3 a balance read from MoySklad writes balance.updated when it changed, nothing when it did not', async () => {
      fx = await createSyncFixture({ dialect, emulator: { accounts: [{ login: 'admin@demo', password: 'demo', seed: 'demo', crm: true }] }, integration: { balanceSyncEnabled: 1 } });
      await subscribe(fx, ['balance.updated']);
      const account = fx.emulator.account('admin@demo');
      const cp = account.createEntity('counterparty', { name: 'ООО Ромашка', companyType: 'legal' });
      account.setBalance(cp.id, -1_500_00);
      const now = fx.clock.now().toISOString();
      const row = await fx.db.insertInto('counterparties').values({ kind: 'client', externalId: 'R-1', regionId: fx.regionId, name: 'ООО Ромашка', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      await fx.db.insertInto('counterpartyLinks').values({ counterpartyId: row.id, msAccountId: fx.msAccountId, msCounterpartyId: cp.id, matchedBy: 'inn', linkedAt: now }).execute();
      const registry = new SyncRegistry();
      for (const k of createBalanceSyncKinds({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps })) registry.register(k);
      const client = { id: Number(row.id), regionId: fx.regionId };
      const read = async () => {
        await recordClientActivity({ db: fx!.db, clock: fx!.clock, enqueuer: { enqueue: async () => ({ jobId: 'j', merged: false }) } }, client);
        await registry.get('balance')!.runner({ request: { kind: 'balance', integrationId: fx!.integrationId, trigger: 'api' }, signal: new AbortController().signal, progress: () => undefined });
      };
      await read();
      const first = fx.clock.now().toISOString();
      expect(await events(fx.db)).toEqual([{ type: 'balance.updated', data: { clientId: client.id, externalId: 'R-1', balanceKopecks: -1_500_00, previousKopecks: null, readAt: first } }]);
      fx.clock.advance(31 * 60_000);
      await read();
      expect(await events(fx.db)).toHaveLength(1);
      account.setBalance(cp.id, -2_000_00);
      fx.clock.advance(31 * 60_000);
      await read();
      expect((await events(fx.db)).slice(1)).toEqual([{ type: 'balance.updated', data: { clientId: client.id, externalId: 'R-1', balanceKopecks: -2_000_00, previousKopecks: -1_500_00, readAt: fx.clock.now().toISOString() } }]);
    });

    it('E3 a receiver that hangs never slows a stock sync: the delivery job holds no MoySklad lease and times out on the clock', async () => {
      const clock = new ManualClock({ start: Date.now(), autoAdvance: false });
      fx = await createSyncFixture({ dialect, clock });
      await loadNomenclature(fx);
      receiver = await startReceiver(clock, { hang: true });
      receiver.secret = (await subscribe(fx, ['price_list.updated'], receiver.url)).secret;
      const store = fx.emulator.account('admin@demo').stores[1]!.id;
      const id = await createPriceList(fx, { name: 'hang', msStoreId: store });
      const { queue, dispose } = await openQueue(dialect, fx.db, clock);
      const syncs = new SyncRegistry();
      for (const k of createStockSyncKinds({ db: fx.db, clock, clients: fx.clients, runDeps: fx.runDeps })) syncs.register(k);
      for (const k of createWebhookDeliveryKinds({ db: fx.db, clock, secretBox: fx.secretBox }, { timeoutMs: 10_000 })) syncs.register(k);
      syncs.attachToQueue(wakeDeliveriesAfterJobs(queue, { db: fx.db, clock }));
      const worker = createWorker({ db: fx.db, queue, clock, leaseKeyFor: new JobTargetRepository(fx.db).leaseKeyFor, concurrency: 2, pollMs: 60_000 });
      const leases = () => fx!.db.selectFrom('queueLeases' as never).select(['key' as never]).execute() as Promise<Array<{ key: string }>>;
      const state = async (jobId: string) => (await queue.get(jobId))?.state;
      try {
        worker.start();
        // The first stock sync writes price_list.updated; the job's end wakes the delivery job, whose request hangs.
        const first = await queue.enqueue({ kind: 'stock.full', priceListId: id, integrationId: fx.integrationId, trigger: 'test' });
        await eventually(async () => (await state(first.jobId)) === 'completed', 'first stock sync');
        await eventually(() => receiver!.received.length === 1, 'the delivery reached the hanging receiver');
        const delivering = (await queue.depth())[WEBHOOK_DELIVERY_KIND];
        expect(delivering).toMatchObject({ running: 1 });

        // While that request hangs, the next stock sync runs and finishes — with the credential's lease.
        fx.emulator.account('admin@demo').setStock((await fx.db.selectFrom('priceListRows').select('msProductId').where('priceListId', '=', id).executeTakeFirstOrThrow()).msProductId, store, { stock: 77 });
        const second = await queue.enqueue({ kind: 'stock.full', priceListId: id, integrationId: fx.integrationId, trigger: 'test' });
        await eventually(async () => (await state(second.jobId)) === 'completed', 'second stock sync beside the hanging delivery');
        expect((await queue.depth())[WEBHOOK_DELIVERY_KIND]).toMatchObject({ running: 1 });
        expect(receiver.received).toHaveLength(1);
        // The only lease ever taken is the MoySklad account's (by the stock syncs), never one for the delivery job.
        expect((await leases()).map((l) => l.key)).toEqual([`ms-account:${fx.msAccountId}`]);

        // The hanging attempt ends after 10 s of clock time; the receiver is left alone for the rest of the run.
        clock.advance(10_000);
        await eventually(async () => (await fx!.db.selectFrom('platformWebhookDeliveries').select('lastError').where('lastError', 'is not', null).execute()).length === 1, 'timeout recorded');
        const deliveries = await fx.db.selectFrom('platformWebhookDeliveries').select(['state', 'attempts', 'lastStatus', 'lastError', 'nextAttemptAt']).orderBy('id').execute();
        expect(deliveries).toEqual([
          { state: 'pending', attempts: 1, lastStatus: null, lastError: 'timed out: no answer within 10 s', nextAttemptAt: new Date(clock.nowMs() + 30_000).toISOString() },
          { state: 'pending', attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: expect.any(String) },
        ]);
        expect(receiver.received).toHaveLength(1);
      } finally {
        receiver.release();
        await worker.stop({ deadlineMs: 0 });
        await dispose();
      }
    });
  });
}
