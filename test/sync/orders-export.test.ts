/**
 * Order export against the emulator (R5–R7, R20, R27, B1), end to end: orders are written by the
 * real REST API (order + positions + outbox row in one transaction), the outbox drain exports
 * them over HTTP to the emulator, and the assertions read the emulator's state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CounterpartyRepository } from '../../src/store/repositories/counterparty-repository.js';
import { OrderRepository } from '../../src/store/repositories/order-repository.js';
import { resolveCounterpartyMatch } from '../../src/sync/counterparties/counterparty-export.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import { retryOutboxItem } from '../../src/sync/outbox/outbox-drain.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`order export (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    it('R20 an order with known and unknown products becomes one customerorder with all positions; each unknown product is created once', async () => {
      h = await ordersHarness(dialect);
      const known = h.msProducts().slice(0, 2);
      await h.knowProducts(known);
      const productsBefore = h.account.listProducts().length;
      const clientId = await h.client({ externalId: 'C-1', email: 'buyer1@example.ru' });
      const created = await h.order({
        externalId: 'W-1',
        counterpartyId: clientId,
        comment: 'Заказ с сайта W-1',
        positions: [
          { brand: known[0]!.brand, article: known[0]!.article, quantity: 2, priceKopecks: 65000 },
          { brand: 'NEWBRAND', article: 'NB-100', name: 'Новый фильтр', quantity: 1, priceKopecks: 12345 },
          { brand: known[1]!.brand, article: known[1]!.article, quantity: 3, priceKopecks: 100 },
          { brand: 'NEWBRAND', article: 'NB-200', quantity: 4, priceKopecks: 99 },
        ],
      });
      const report = await h.drain();
      expect(report).toMatchObject({ sent: 1, failed: 0, retried: 0 });

      const orders = h.customerOrders();
      expect(orders).toHaveLength(1);
      const msOrder = orders[0]!;
      expect(msOrder.f.syncId).toBe((await h.fx.db.selectFrom('orders').select('syncId').where('id', '=', created.id).executeTakeFirstOrThrow()).syncId);
      expect(msOrder.f.description).toBe('Заказ с сайта W-1');
      const msPositions = h.positionsOf(msOrder);
      expect(msPositions.map((p) => [p.quantity, p.price])).toEqual([
        [2, 65000],
        [1, 12345],
        [3, 100],
        [4, 99],
      ]);
      expect(msPositions[0]!.productId).toBe(known[0]!.id);
      expect(msPositions[2]!.productId).toBe(known[1]!.id);
      // the unknown ones were created with Code `BRAND ARTICLE` and Article `ARTICLE`
      expect(h.account.listProducts().length).toBe(productsBefore + 2);
      const nb100 = h.account.listProducts().filter((p) => p.f.code === 'NEWBRAND NB-100');
      expect(nb100).toHaveLength(1);
      expect(nb100[0]!.f).toMatchObject({ article: 'NB-100', name: 'Новый фильтр' });
      expect(msPositions[1]!.productId).toBe(nb100[0]!.id);

      // the store has the MoySklad ids of the order and of each position
      const order = (await h.api('GET', `/orders/${created.id}`)).json;
      expect(order).toMatchObject({ msOrderId: msOrder.id, exportState: 'sent' });
      expect(order.positions.map((p: { msPositionId: string }) => p.msPositionId)).toEqual(msPositions.map((p) => p.id));
      expect(order.positions.map((p: { msProductId: string }) => p.msProductId)).toEqual(msPositions.map((p) => p.productId));

      // a second order with the same unknown product (different spelling) reuses it: created once
      const second = await h.order({
        externalId: 'W-2',
        counterpartyId: clientId,
        positions: [{ brand: 'newbrand', article: 'NB100', quantity: 1, priceKopecks: 500 }],
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.account.listProducts().length).toBe(productsBefore + 2);
      expect(h.positionsOf(h.customerOrders()[1]!)[0]!.productId).toBe(nb100[0]!.id);
      expect((await h.api('GET', `/orders/${second.id}`)).json.exportState).toBe('sent');
    });

    it('R20 brand synonyms: KNECHT OC 90 is the MAHLE OC90 product; an unknown part is created once for all its spellings', async () => {
      h = await ordersHarness(dialect);
      const mahle = h.account.createProduct({ name: 'Фильтр масляный MAHLE OC90', code: 'MAHLE OC90', article: 'OC90' });
      await h.knowProducts([{ id: mahle.id, brand: 'MAHLE', article: 'OC90', name: 'Фильтр масляный MAHLE OC90', code: 'MAHLE OC90' }]);
      const before = h.account.listProducts().length;
      const clientId = await h.client({ externalId: 'C-SYN', email: 'syn@example.ru' });
      await h.order({
        externalId: 'W-SYN-1',
        counterpartyId: clientId,
        positions: [
          { brand: 'KNECHT', article: 'OC 90', quantity: 1, priceKopecks: 100 },
          { brand: 'KNECHT', article: 'OX 371D', name: 'Фильтр масляный', quantity: 1, priceKopecks: 200 },
        ],
      });
      await h.order({ externalId: 'W-SYN-2', counterpartyId: clientId, positions: [{ brand: 'MAHLE', article: 'OX371D', quantity: 2, priceKopecks: 200 }] });
      expect(await h.drain()).toMatchObject({ sent: 2 });
      const first = h.customerOrders().find((o) => o.f.externalCode === 'W-SYN-1');
      const second = h.customerOrders().find((o) => o.f.externalCode === 'W-SYN-2');
      expect(h.positionsOf(first!)[0]!.productId).toBe(mahle.id);
      expect(h.account.listProducts().length).toBe(before + 1);
      expect(h.positionsOf(second!)[0]!.productId).toBe(h.positionsOf(first!)[1]!.productId);
    });

    it('B1 a crash after MoySklad accepted the order but before the store recorded it does not create a second order on retry', async () => {
      h = await ordersHarness(dialect);
      await h.knowProducts(h.msProducts().slice(0, 3));
      const [a, b, c] = h.msProducts();
      const clientId = await h.client({ externalId: 'C-2', inn: '7736570901' });
      const created = await h.order({
        externalId: 'W-10',
        counterpartyId: clientId,
        positions: [
          { brand: a!.brand, article: a!.article, quantity: 1, priceKopecks: 1000 },
          { brand: b!.brand, article: b!.article, quantity: 2, priceKopecks: 2000 },
          { brand: c!.brand, article: c!.article, quantity: 3, priceKopecks: 3000 },
        ],
      });
      let crashes = 0;
      h.hooks.afterOrderCreated = () => {
        crashes += 1;
        throw new Error('simulated crash: process killed after MoySklad answered');
      };
      const first = await h.drain();
      expect(first).toMatchObject({ sent: 0, retried: 1 });
      expect(crashes).toBe(1);
      expect(h.customerOrders()).toHaveLength(1);
      const stored = await h.fx.db.selectFrom('orders').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      expect(stored.msOrderId).toBeNull();
      expect(stored.exportState).toBe('pending');

      delete h.hooks.afterOrderCreated;
      // not due yet: backoff
      expect(await h.drain()).toMatchObject({ claimed: 0 });
      h.clock.advance(60_000);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(1);
      const msOrder = h.customerOrders()[0]!;
      expect(h.positionsOf(msOrder)).toHaveLength(3);
      const order = (await h.api('GET', `/orders/${created.id}`)).json;
      expect(order.msOrderId).toBe(msOrder.id);
      expect(new Set(order.positions.map((p: { msPositionId: string }) => p.msPositionId))).toEqual(new Set(h.positionsOf(msOrder).map((p) => p.id)));
    });

    it('R7 a rejected position is deleted in MoySklad by its id and no other position is touched', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 3);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-3', email: 'r7@example.ru' });
      const created = await h.order({
        externalId: 'W-20',
        counterpartyId: clientId,
        positions: ps.map((p, i) => ({ externalId: `L${i + 1}`, brand: p.brand, article: p.article, quantity: i + 1, priceKopecks: 1000 * (i + 1) })),
      });
      await h.drain();
      const before = h.positionsOf(h.customerOrders()[0]!);
      expect(before).toHaveLength(3);

      const line2 = created.positions[1].id as number;
      const patched = await h.api('PATCH', `/orders/${created.id}/positions/${line2}`, { status: 'rejected' });
      expect(patched.status).toBe(200);
      expect(patched.json.exportState).toBe('pending');
      h.fx.emulator.resetStats();
      const r = await h.drain();
      expect(r).toMatchObject({ sent: 1, failed: 0 });
      const after = h.positionsOf(h.customerOrders()[0]!);
      expect(after).toEqual([before[0], before[2]]);
      // one read of the order, one DELETE of that position; never a PUT of the positions array
      const calls = Object.entries(h.fx.emulator.stats().byPath)
        .filter(([k]) => k.includes('customerorder'))
        .map(([k, n]) => `${k.split(' ')[0]} ${k.slice(k.indexOf(' ') + 1).replace(/^.*?entity\//, '')} x${n}`)
        .sort();
      expect(calls).toEqual(['DELETE customerorder/{id}/positions/{id} x1', 'GET customerorder/{id} x1']);
      const order = (await h.api('GET', `/orders/${created.id}`)).json;
      expect(order.positions[1]).toMatchObject({ status: 'rejected', msPositionId: before[1]!.id });
      const row = await h.fx.db.selectFrom('orderPositions').select('syncState').where('id', '=', line2).executeTakeFirstOrThrow();
      expect(row.syncState).toBe('deleted');

      // a quantity change is applied to that one position
      const line3 = created.positions[2].id as number;
      await h.api('PATCH', `/orders/${created.id}/positions/${line3}`, { status: 'active', quantity: 7 });
      await h.drain();
      const changed = h.positionsOf(h.customerOrders()[0]!);
      expect(changed).toEqual([before[0], { ...before[2]!, quantity: 7 }]);
      // the whole thing again changes nothing
      expect(await h.drain()).toMatchObject({ claimed: 0 });
    });

    it('R7 a later change of an exported line keeps its product even when the directory now prefers another', async () => {
      h = await ordersHarness(dialect);
      const [a] = h.msProducts();
      await h.knowProducts([a!]);
      const clientId = await h.client({ externalId: 'C-KEEP', email: 'keep@example.ru' });
      const o = await h.order({ externalId: 'W-KEEP', counterpartyId: clientId, positions: [{ brand: a!.brand, article: a!.article, quantity: 1, priceKopecks: 100 }] });
      await h.drain();
      // the directory now has a duplicate card for the same part, and the old one is archived
      const dup = h.account.createProduct({ name: `${a!.name} (дубль)`, code: `${a!.brand}  ${a!.article}`, article: a!.article });
      await h.fx.db.updateTable('products').set({ archived: 1 }).where('msId', '=', a!.id).execute();
      await h.knowProducts([{ ...a!, id: dup.id }]);
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'active', quantity: 4 });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.positionsOf(h.customerOrders()[0]!)).toEqual([expect.objectContaining({ quantity: 4, productId: a!.id })]);
    });

    it('R7 with the option off a rejected position stays in MoySklad; before export it is simply left out', async () => {
      h = await ordersHarness(dialect, { integration: { deleteRejectedPositions: 0 } });
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-4', email: 'r7off@example.ru' });
      const o1 = await h.order({ externalId: 'W-30', counterpartyId: clientId, positions: ps.map((p) => ({ brand: p.brand, article: p.article, quantity: 1, priceKopecks: 100 })) });
      await h.drain();
      await h.api('PATCH', `/orders/${o1.id}/positions/${o1.positions[0].id}`, { status: 'withdrawn' });
      await h.drain();
      expect(h.positionsOf(h.customerOrders()[0]!)).toHaveLength(2);

      // rejected before the first export: never sent
      const o2 = await h.order({ externalId: 'W-31', counterpartyId: clientId, positions: ps.map((p) => ({ brand: p.brand, article: p.article, quantity: 1, priceKopecks: 100 })) });
      await h.api('PATCH', `/orders/${o2.id}/positions/${o2.positions[0].id}`, { status: 'rejected' });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      const second = h.customerOrders()[1]!;
      expect(h.positionsOf(second).map((p) => p.productId)).toEqual([ps[1]!.id]);

      // every line rejected before the first export: no empty order goes to MoySklad
      const o3 = await h.order({ externalId: 'W-32', counterpartyId: clientId, positions: [{ externalId: 'A', brand: ps[0]!.brand, article: ps[0]!.article, quantity: 1, priceKopecks: 100 }] });
      await h.api('PATCH', `/orders/${o3.id}/positions/${o3.positions[0].id}`, { status: 'rejected' });
      expect(await h.drain()).toMatchObject({ sent: 1, requests: 0 });
      expect(h.customerOrders()).toHaveLength(2);
      expect((await h.api('GET', `/orders/${o3.id}`)).json).toMatchObject({ msOrderId: null, exportState: 'pending', exportError: expect.stringContaining('nothing to send') });
      // a new line later: the order goes out with it
      await h.api('PATCH', `/orders/${o3.id}`, { positions: [{ externalId: 'B', brand: ps[1]!.brand, article: ps[1]!.article, quantity: 2, priceKopecks: 300 }] });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(3);
      expect(h.positionsOf(h.customerOrders()[2]!)).toEqual([expect.objectContaining({ productId: ps[1]!.id, quantity: 2, price: 300 })]);
    });

    it('R6 supplier orders become purchaseorders with the supplier only when the option is on', async () => {
      h = await ordersHarness(dialect, { integration: { exportPurchaseOrders: 0 } });
      const ps = h.msProducts().slice(0, 1);
      await h.knowProducts(ps);
      const supplierId = await h.supplier({ externalId: 'S-1', inn: '7707083893', name: 'ООО Поставщик' });
      const o = await h.order({ kind: 'supplier', externalId: 'P-1', counterpartyId: supplierId, positions: [{ brand: ps[0]!.brand, article: ps[0]!.article, quantity: 5, priceKopecks: 700 }] });
      const off = await h.drain();
      expect(off).toMatchObject({ deferred: 1, sent: 0, requests: 0 });
      expect(h.purchaseOrders()).toHaveLength(0);
      const waiting = (await h.api('GET', `/orders/${o.id}`)).json;
      expect(waiting.exportState).toBe('pending');
      expect(waiting.exportError).toContain('skipped: export of supplier orders is off');
      expect((await h.outbox())[0]).toMatchObject({ state: 'pending' });

      await h.fx.db.updateTable('integrations').set({ exportPurchaseOrders: 1 }).where('id', '=', h.fx.integrationId).execute();
      h.clock.advance(61 * 60_000);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.purchaseOrders()).toHaveLength(1);
      const po = h.purchaseOrders()[0]!;
      const agentId = (po.f.agent as { $ref: { id: string } }).$ref.id;
      expect(h.account.get('counterparty', agentId)?.f).toMatchObject({ name: 'ООО Поставщик', inn: '7707083893', companyType: 'legal' });
      expect(h.positionsOf(po)).toEqual([expect.objectContaining({ quantity: 5, price: 700, productId: ps[0]!.id })]);
      expect(h.customerOrders()).toHaveLength(0);
    });

    it('R27 a customer order on a supplier is refused by the API and by the export', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 1);
      const supplierId = await h.supplier({ externalId: 'S-2', inn: '7707083893' });
      const refused = await h.api('POST', '/orders', {
        kind: 'customer', externalId: 'W-40', regionId: h.fx.regionId, counterpartyId: supplierId,
        positions: [{ brand: ps[0]!.brand, article: ps[0]!.article, quantity: 1, priceKopecks: 1 }],
      });
      expect(refused.status).toBe(422);
      expect(refused.json.error?.code ?? refused.json.code).toBe('supplier_not_client');

      // An order that got in anyway (e.g. written before the rule, or by another path) is refused at export.
      const now = h.clock.now().toISOString();
      const order = await h.fx.db
        .insertInto('orders')
        .values({ kind: 'customer', externalId: 'W-41', regionId: h.fx.regionId, counterpartyId: supplierId, priceListId: null, status: null, comment: null, msAccountId: null, msOrderId: null, syncId: '0b5b8c0e-1111-4000-8000-000000000041', exportError: null, exportedAt: null, createdAt: now, updatedAt: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await h.fx.db.insertInto('outbox').values({ kind: 'order.export', integrationId: h.fx.integrationId, aggregateType: 'order', aggregateId: String(order.id), payload: '{}', nextAttemptAt: now, lastError: null, dedupeKey: null, createdAt: now, updatedAt: now, sentAt: null }).execute();
      const r = await h.drain();
      expect(r).toMatchObject({ failed: 1, sent: 0, requests: 0 });
      expect(h.customerOrders()).toHaveLength(0);
      const row = await h.fx.db.selectFrom('orders').select(['exportState', 'exportError']).where('id', '=', order.id).executeTakeFirstOrThrow();
      expect(row.exportState).toBe('failed');
      expect(row.exportError).toContain('supplier_not_client');
      expect((await h.outbox())[0]).toMatchObject({ state: 'failed' });
      // no MoySklad counterparty was created for the supplier either
      expect(h.account.counterparties.filter((c) => c.f.inn === '7707083893')).toHaveLength(0);
    });

    it('B1 MoySklad down (5xx bursts) leaves orders pending and sends them after recovery, once', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-5', phone: '+7 (912) 000-11-22' });
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await h.order({ externalId: `W-5${i}`, counterpartyId: clientId, positions: ps.map((p) => ({ brand: p.brand, article: p.article, quantity: 1, priceKopecks: 100 })) })).id);
      }
      h.fx.emulator.setFaults({ fail5xx: { count: 10_000, status: 503 } });
      const down = await h.drain();
      expect(down).toMatchObject({ sent: 0, failed: 0, retried: 3 });
      for (const id of ids) expect((await h.api('GET', `/orders/${id}`)).json.exportState).toBe('pending');
      const rows = await h.outbox();
      expect(rows.every((r) => r.state === 'pending' && (r.lastError ?? '').includes('moysklad_server_error'))).toBe(true);

      // still down a minute later
      h.clock.advance(60_000);
      expect(await h.drain()).toMatchObject({ sent: 0, retried: 3 });
      h.fx.emulator.setFaults({ fail5xx: { count: 0 } });
      h.clock.advance(5 * 60_000);
      expect(await h.drain()).toMatchObject({ sent: 3, failed: 0 });
      expect(h.customerOrders()).toHaveLength(3);
      for (const id of ids) expect((await h.api('GET', `/orders/${id}`)).json.exportState).toBe('sent');
      // exactly one counterparty was created for the client despite the retries
      expect(h.account.counterparties.filter((c) => c.f.phone === '+7 (912) 000-11-22')).toHaveLength(1);
    });

    it('B1 MoySklad timing out leaves the order pending and sends it after recovery', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 1);
      await h.knowProducts(ps);
      const timeoutClock = new ManualClock({ autoAdvance: false });
      const clients = new MoySkladClientPool({
        db: h.fx.db, secretBox: h.fx.secretBox, clock: h.clock, fetch: h.fx.emulator.fetch,
        clientOptions: { timeoutClock, timeoutMs: 5000, maxRetries: 1 },
      });
      const clientId = await h.client({ externalId: 'C-6', email: 'slow@example.ru' });
      const o = await h.order({ externalId: 'W-60', counterpartyId: clientId, positions: [{ brand: ps[0]!.brand, article: ps[0]!.article, quantity: 1, priceKopecks: 100 }] });
      h.fx.emulator.setFaults({ timeouts: 2 });
      let done = false;
      const pending = h.drain({ clients }).finally(() => (done = true));
      while (!done) {
        await new Promise<void>((r) => setImmediate(r));
        timeoutClock.advance(5000);
      }
      expect(await pending).toMatchObject({ sent: 0, retried: 1 });
      expect((await h.outbox())[0]!.lastError).toContain('moysklad_timeout');
      expect((await h.api('GET', `/orders/${o.id}`)).json.exportState).toBe('pending');
      h.clock.advance(60_000);
      expect(await h.drain({ clients })).toMatchObject({ sent: 1 });
      expect(h.customerOrders()).toHaveLength(1);
    });

    it('R5 an order with more than 1000 positions is created with 1000 and completed through /positions', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 1);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-7', email: 'big@example.ru' });
      const positions = Array.from({ length: 1003 }, (_, i) => ({ externalId: `L${i}`, brand: ps[0]!.brand, article: ps[0]!.article, quantity: i + 1, priceKopecks: 10 }));
      // The platform API takes 1000 lines per request; the repository grows the order past that.
      const o = await h.order({ externalId: 'W-70', counterpartyId: clientId, positions: positions.slice(0, 1000) });
      await new OrderRepository(h.fx.db, h.clock).update(o.id, {
        positions: positions.slice(1000).map((p) => ({ externalId: p.externalId, brand: p.brand, article: p.article, name: p.article, quantity: p.quantity, price: p.priceKopecks })),
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      const msOrder = h.customerOrders()[0]!;
      expect(h.positionsOf(msOrder).map((p) => p.quantity)).toEqual(positions.map((p) => p.quantity));
      const stored = await h.fx.db.selectFrom('orderPositions').select(['msPositionId']).where('orderId', '=', o.id).orderBy('id').execute();
      expect(stored.map((s) => s.msPositionId)).toEqual(h.positionsOf(msOrder).map((p) => p.id));
    });

    it('R25 an export failed on an ambiguous counterparty goes out once the admin picks one (retryOutboxItem, resolveCounterpartyMatch)', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 1);
      await h.knowProducts(ps);
      h.msCounterparty({ name: 'Дубль 1', email: 'same@example.ru' });
      const keep = h.msCounterparty({ name: 'Дубль 2', email: 'Same@Example.ru' });
      const clientId = await h.client({ externalId: 'C-8', email: 'same@example.ru' });
      const o = await h.order({ externalId: 'W-80', counterpartyId: clientId, positions: [{ brand: ps[0]!.brand, article: ps[0]!.article, quantity: 1, priceKopecks: 100 }] });
      expect(await h.drain()).toMatchObject({ failed: 1 });
      const failed = (await h.outbox())[0]!;
      expect(failed.state).toBe('failed');
      expect(failed.lastError).toContain('counterparty_ambiguous');
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'failed', exportError: expect.stringContaining('counterparty_ambiguous') });
      expect(h.customerOrders()).toHaveLength(0);

      // a manual retry alone fails the same way: the module never guesses
      expect(await retryOutboxItem({ db: h.fx.db, clock: h.clock }, failed.id)).toMatchObject({ state: 'pending' });
      expect((await h.api('GET', `/orders/${o.id}`)).json.exportState).toBe('pending');
      expect(await h.drain()).toMatchObject({ failed: 1 });
      expect(h.customerOrders()).toHaveLength(0);

      // the admin picks the right one: linked, issue closed, the export goes out
      expect(await resolveCounterpartyMatch({ db: h.fx.db, clock: h.clock }, { counterpartyId: clientId, msAccountId: h.fx.msAccountId, msCounterpartyId: keep.id })).toBe(1);
      expect(await new CounterpartyRepository(h.fx.db, h.clock).listOpenMatchIssues()).toHaveLength(0);
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect((h.customerOrders()[0]!.f.agent as { $ref: { id: string } }).$ref.id).toBe(keep.id);
    });
  });
}
