/**
 * Reserves (C4) and deleting an all-rejected order (C6), end to end on SQLite and PostgreSQL: orders
 * come in through the real REST API; the outbox and the stock runs go through the job queue (the
 * embedded engine on the test database) and talk HTTP to the emulator; assertions read the
 * emulator's orders and stock and the store's price list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { createOrderSyncKinds } from '../../src/sync/orders/order-outbox.js';
import { createStockSyncKinds } from '../../src/sync/stock/stock-sync-kinds.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import type { IntegrationRow } from '../../src/store/schema.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { runKind } from './nomenclature-helpers.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';
import { createPriceList, currentRows } from './stock-fixture.js';

/** An enqueuer whose target is set once the harness (and its database) exists. */
class LateEnqueuer implements JobEnqueuer {
  target: JobEnqueuer | undefined;
  readonly requests: EnqueueRequest[] = [];
  async enqueue(request: EnqueueRequest) {
    this.requests.push(request);
    return this.target ? this.target.enqueue(request) : { jobId: `job-${this.requests.length}`, merged: false };
  }
}

interface ReserveSetup {
  h: OrdersHarness;
  late: LateEnqueuer;
  queue: EmbeddedJobQueue;
  priceListId: number;
  storeId: string;
  parts: Array<{ id: string; brand: string; article: string }>;
  /** Runs queued jobs until none is left; returns what ran. */
  runJobs(): Promise<string[]>;
  /** The price list's row quantity of a product. */
  quantity(msId: string): Promise<number | undefined>;
  /** A new client's order of both parts from the price list (lines A and B). */
  orderBoth(ref: string, quantities: [number, number]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the API's JSON
  /** What the scheduler does every minute: the outbox job, then whatever it enqueued. */
  sendOutbox(): Promise<string[]>;
}

/** Nomenclature and a price list bound to the first store, with stock 10 of two parts there. */
async function reserveSetup(dialect: 'sqlite' | 'postgres', integration: Partial<IntegrationRow> = {}): Promise<ReserveSetup> {
  const late = new LateEnqueuer();
  const h = await ordersHarness(dialect, { products: 6, enqueuer: late, integration });
  const queue = new EmbeddedJobQueue({ db: h.fx.db, clock: h.clock });
  late.target = queue;
  const registry = new SyncRegistry();
  const base = { db: h.fx.db, clock: h.clock, clients: h.fx.clients, runDeps: h.fx.runDeps };
  for (const k of createStockSyncKinds(base)) registry.register(k);
  for (const k of createOrderSyncKinds({ ...base, enqueuer: late, hooks: h.hooks })) registry.register(k);
  registry.attachToQueue(queue);
  const storeId = h.account.stores[0]!.id;
  const parts = h.msProducts().slice(0, 2);
  for (const p of parts) h.account.setStock(p.id, storeId, { stock: 10, reserve: 0, inTransit: 0 });
  expect((await runKind(h.fx, 'nomenclature.full')).status).toBe('ok');
  const priceListId = await createPriceList(h.fx, { name: 'Основной склад', msStoreId: storeId, syncIntervalMinutes: 60 });
  const runJobs = async (): Promise<string[]> => {
    const ran: string[] = [];
    const kinds = registry.list().map((k) => k.kind);
    for (;;) {
      const job = await queue.fetch(kinds, 'test-worker');
      if (!job) break;
      const result = await queue.handlers().get(job.kind)!({ job, signal: new AbortController().signal, progress: async () => undefined });
      await queue.complete(job, result);
      ran.push(job.priceListId ? `${job.kind}:${job.priceListId}:${job.trigger}` : job.kind);
    }
    return ran;
  };
  await queue.enqueue({ kind: 'stock.full', priceListId, trigger: 'manual' });
  expect(await runJobs()).toEqual([`stock.full:${priceListId}:manual`]);
  const quantity = async (msId: string) => (await currentRows(h.fx, priceListId)).get(msId)?.quantity;
  const orderBoth = async (ref: string, quantities: [number, number]) => {
    const clientId = await h.client({ externalId: `C-${ref}`, email: `${ref.toLowerCase()}@example.ru` });
    return h.order({
      externalId: `W-${ref}`,
      counterpartyId: clientId,
      priceListId,
      positions: parts.map((p, i) => ({ externalId: 'AB'[i]!, brand: p.brand, article: p.article, quantity: quantities[i]!, priceKopecks: 1000, priceListId })),
    });
  };
  const sendOutbox = async () => {
    await queue.enqueue({ kind: 'outbox', trigger: 'schedule' });
    return runJobs();
  };
  return { h, late, queue, priceListId, storeId, parts, runJobs, quantity, orderBoth, sendOutbox };
}

const refOf = (v: unknown): string => (v as { $ref: { id: string } }).$ref.id;

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`reserves and deleted orders (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    it('C4 an exported order reserves its lines at the price list\'s store and the price list\'s quantity drops by the ordered amount right after, through the queue', async () => {
      const s = await reserveSetup(dialect);
      h = s.h;
      const [a, b] = s.parts;
      expect([await s.quantity(a!.id), await s.quantity(b!.id)]).toEqual([10, 10]);
      const o = await s.orderBoth('C4-1', [3, 1]);
      const startedAt = h.clock.nowMs();
      // the export asks for the price list's stock run itself; no scheduled run is waited for
      expect(await s.sendOutbox()).toEqual(['outbox', `stock.incremental:${s.priceListId}:order`]);
      expect(h.clock.nowMs() - startedAt).toBeLessThan(60_000);
      const msOrder = h.customerOrders()[0]!;
      expect(refOf(msOrder.f.store)).toBe(s.storeId);
      expect(h.positionsOf(msOrder).map((p) => [p.productId, p.quantity, p.reserve])).toEqual([
        [a!.id, 3, 3],
        [b!.id, 1, 1],
      ]);
      expect(h.account.stockOf(a!.id, s.storeId)).toMatchObject({ stock: 10, reserve: 3 });
      expect([await s.quantity(a!.id), await s.quantity(b!.id)]).toEqual([7, 9]);

      // a quantity change moves the reserve with it
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[1].id}`, { status: 'active', quantity: 4 });
      expect(await s.sendOutbox()).toEqual(['outbox', `stock.incremental:${s.priceListId}:order`]);
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => [p.quantity, p.reserve])).toEqual([
        [3, 3],
        [4, 4],
      ]);
      expect(await s.quantity(b!.id)).toBe(6);

      // R7: the rejected line's position is deleted in MoySklad, which gives its reserve back
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'rejected' });
      expect(await s.sendOutbox()).toEqual(['outbox', `stock.incremental:${s.priceListId}:order`]);
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => p.productId)).toEqual([b!.id]);
      expect([await s.quantity(a!.id), await s.quantity(b!.id)]).toEqual([10, 6]);
    });

    it('C4 with the option off positions carry no reserve and no stock run is asked for; the order still names the store', async () => {
      const s = await reserveSetup(dialect, { reservePositions: 0 });
      h = s.h;
      const [a] = s.parts;
      const clientId = await h.client({ externalId: 'C4-2', email: 'c4off@example.ru' });
      await h.order({ externalId: 'W-C4-2', counterpartyId: clientId, priceListId: s.priceListId, positions: [{ brand: a!.brand, article: a!.article, quantity: 2, priceKopecks: 1000 }] });
      expect(await s.sendOutbox()).toEqual(['outbox']);
      const msOrder = h.customerOrders()[0]!;
      expect(refOf(msOrder.f.store)).toBe(s.storeId);
      expect(h.positionsOf(msOrder).map((p) => p.reserve)).toEqual([0]);
      expect(await s.quantity(a!.id)).toBe(10);
    });

    it('C4 with R7 off a rejected line stays in MoySklad but gives its reserve back', async () => {
      const s = await reserveSetup(dialect, { deleteRejectedPositions: 0 });
      h = s.h;
      const [a, b] = s.parts;
      const o = await s.orderBoth('C4-3', [2, 5]);
      await s.sendOutbox();
      expect([await s.quantity(a!.id), await s.quantity(b!.id)]).toEqual([8, 5]);
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[1].id}`, { status: 'withdrawn' });
      expect(await s.sendOutbox()).toEqual(['outbox', `stock.incremental:${s.priceListId}:order`]);
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => [p.productId, p.quantity, p.reserve])).toEqual([
        [a!.id, 2, 2],
        [b!.id, 5, 0],
      ]);
      expect([await s.quantity(a!.id), await s.quantity(b!.id)]).toEqual([8, 10]);
      // once released, nothing more is sent
      h.fx.emulator.resetStats();
      expect(await s.sendOutbox()).toEqual(['outbox']);
      expect(h.fx.emulator.stats().requests).toBe(0);
    });

    it('C6 when every line of an exported order is rejected or withdrawn its MoySklad order is deleted; the store order keeps its history; the log says so', async () => {
      const s = await reserveSetup(dialect);
      h = s.h;
      const [a, b] = s.parts;
      const o = await s.orderBoth('C6-1', [2, 1]);
      await s.sendOutbox();
      const msOrderId = h.customerOrders()[0]!.id;
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'rejected' });
      await s.sendOutbox();
      expect(h.customerOrders()).toHaveLength(1);
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[1].id}`, { status: 'withdrawn' });
      h.fx.emulator.resetStats();
      expect(await s.sendOutbox()).toEqual(['outbox', `stock.incremental:${s.priceListId}:order`]);
      expect(h.customerOrders()).toHaveLength(0);
      expect(h.fx.emulator.stats().byPath).toMatchObject({ 'DELETE entity/customerorder/{id}': 1 });
      expect([await s.quantity(a!.id), await s.quantity(b!.id)]).toEqual([10, 10]);
      const stored = (await h.api('GET', `/orders/${o.id}`)).json;
      expect(stored).toMatchObject({ msOrderId, msDeletedAt: h.clock.now().toISOString(), exportState: 'sent', exportError: null });
      expect(stored.positions.map((p: { status: string; msPositionId: string | null }) => [p.status, p.msPositionId !== null])).toEqual([
        ['rejected', true],
        ['withdrawn', true],
      ]);
      const lines = await h.fx.db.selectFrom('orderPositions').select('syncState').where('orderId', '=', o.id).orderBy('id').execute();
      expect(lines.map((l) => l.syncState)).toEqual(['deleted', 'deleted']);
      expect(h.fx.log.messages('info')).toContain(`order W-C6-1: every line is rejected or withdrawn; its MoySklad order ${msOrderId} was deleted`);
      // nothing more to do, also after a later change of a rejected line
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'withdrawn' });
      expect((await h.api('GET', `/orders/${o.id}`)).json.exportState).toBe('pending');
      h.fx.emulator.resetStats();
      expect(await s.sendOutbox()).toEqual(['outbox']);
      expect(h.fx.emulator.stats().requests).toBe(0);
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'sent', msDeletedAt: stored.msDeletedAt });
    });

    it('C6 a crash between the last rejection and the DELETE loses nothing: the retry deletes the order once', async () => {
      h = await ordersHarness(dialect);
      const [a] = h.msProducts();
      await h.knowProducts([a!]);
      const clientId = await h.client({ externalId: 'C6-2', email: 'c6b@example.ru' });
      const o = await h.order({ externalId: 'W-C6-2', counterpartyId: clientId, positions: [{ brand: a!.brand, article: a!.article, quantity: 1, priceKopecks: 100 }] });
      await h.drain();
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'rejected' });
      let crashes = 0;
      h.hooks.beforeOrderDeleted = () => {
        crashes += 1;
        throw new Error('simulated crash: process killed before the DELETE');
      };
      h.fx.emulator.resetStats();
      expect(await h.drain()).toMatchObject({ sent: 0, retried: 1 });
      expect([crashes, h.customerOrders().length, h.fx.emulator.stats().requests]).toEqual([1, 1, 0]);
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'pending', msDeletedAt: null });
      delete h.hooks.beforeOrderDeleted;
      h.clock.advance(60_000);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(0);
      expect(h.fx.emulator.stats().byPath).toEqual({ 'DELETE entity/customerorder/{id}': 1 });
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'sent', msDeletedAt: expect.any(String) });
    });

    it('C6 a crash after MoySklad deleted the order but before the store recorded it: the retry takes the 404 as done, nothing else is deleted', async () => {
      h = await ordersHarness(dialect);
      const [a, b] = h.msProducts();
      await h.knowProducts([a!, b!]);
      const clientId = await h.client({ externalId: 'C6-3', email: 'c6c@example.ru' });
      const gone = await h.order({ externalId: 'W-C6-3', counterpartyId: clientId, positions: [{ brand: a!.brand, article: a!.article, quantity: 1, priceKopecks: 100 }] });
      const other = await h.order({ externalId: 'W-C6-4', counterpartyId: clientId, positions: [{ brand: b!.brand, article: b!.article, quantity: 1, priceKopecks: 100 }] });
      await h.drain();
      expect(h.customerOrders()).toHaveLength(2);
      await h.api('PATCH', `/orders/${gone.id}/positions/${gone.positions[0].id}`, { status: 'withdrawn' });
      h.hooks.afterOrderDeleted = () => {
        throw new Error('simulated crash: process killed after MoySklad answered the DELETE');
      };
      h.fx.emulator.resetStats();
      expect(await h.drain()).toMatchObject({ sent: 0, retried: 1 });
      expect(h.customerOrders().map((x) => x.f.externalCode)).toEqual(['W-C6-4']);
      expect((await h.api('GET', `/orders/${gone.id}`)).json.msDeletedAt).toBeNull();
      delete h.hooks.afterOrderDeleted;
      h.clock.advance(60_000);
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(h.fx.emulator.stats()).toMatchObject({ byPath: { 'DELETE entity/customerorder/{id}': 2 }, byStatus: { '200': 1, '404': 1 } });
      expect(h.customerOrders().map((x) => x.f.externalCode)).toEqual(['W-C6-4']);
      expect((await h.api('GET', `/orders/${gone.id}`)).json).toMatchObject({ exportState: 'sent', msDeletedAt: expect.any(String) });
      expect((await h.api('GET', `/orders/${other.id}`)).json).toMatchObject({ exportState: 'sent', msDeletedAt: null });
      expect(h.fx.log.messages('info').some((m) => m.includes('was already deleted'))).toBe(true);
    });

    it('C6 with R7 off an order whose every line is rejected stays in MoySklad with its positions', async () => {
      h = await ordersHarness(dialect, { integration: { deleteRejectedPositions: 0 } });
      const [a] = h.msProducts();
      await h.knowProducts([a!]);
      const clientId = await h.client({ externalId: 'C6-5', email: 'c6d@example.ru' });
      const o = await h.order({ externalId: 'W-C6-5', counterpartyId: clientId, positions: [{ brand: a!.brand, article: a!.article, quantity: 1, priceKopecks: 100 }] });
      await h.drain();
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'rejected' });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(1);
      expect(h.positionsOf(h.customerOrders()[0]!)).toHaveLength(1);
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'sent', msDeletedAt: null });
    });

    it('C6 a line made active again after the delete goes out in a new MoySklad order, created once even after a crash', async () => {
      h = await ordersHarness(dialect);
      const [a] = h.msProducts();
      await h.knowProducts([a!]);
      const clientId = await h.client({ externalId: 'C6-6', email: 'c6e@example.ru' });
      const o = await h.order({ externalId: 'W-C6-6', counterpartyId: clientId, positions: [{ brand: a!.brand, article: a!.article, quantity: 1, priceKopecks: 100 }] });
      await h.drain();
      const first = h.customerOrders()[0]!;
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'rejected' });
      await h.drain();
      expect(h.customerOrders()).toHaveLength(0);
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'active', quantity: 2 });
      h.hooks.afterOrderCreated = () => {
        throw new Error('simulated crash after the create');
      };
      expect(await h.drain()).toMatchObject({ retried: 1 });
      delete h.hooks.afterOrderCreated;
      h.clock.advance(60_000);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(1);
      const second = h.customerOrders()[0]!;
      expect(second.id).not.toBe(first.id);
      expect(second.f.syncId).not.toBe(first.f.syncId);
      expect(h.positionsOf(second).map((p) => [p.productId, p.quantity])).toEqual([[a!.id, 2]]);
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ msOrderId: second.id, msDeletedAt: null, exportState: 'sent' });
    });
  });
}
