/**
 * E7 order status back, on SQLite and PostgreSQL, through the emulator: after an order reaches
 * MoySklad, a manager sets its state and ships part of it (a demand linked to the order); MoySklad's
 * customerorder/demand webhooks start the `orders.status` pass, which brings the state's name and
 * the shipped quantities into the order JSON and announces `order.status_changed` — once per change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformWebhookService } from '../../src/app/platform-webhooks.js';
import { setAdminPassword } from '../../src/main.js';
import { mountAdminPanel } from '../../src/server/admin/admin-panel.js';
import { createApp } from '../../src/server/app.js';
import { IntegrationSetupService } from '../../src/setup/integration-setup.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { AdminClient, ADMIN_LOGIN, ADMIN_PASSWORD } from '../admin/harness.js';
import { OrderStatusRepository } from '../../src/store/repositories/order-status-repository.js';
import { createOrderStatusKind, ORDER_STATUS_KIND } from '../../src/sync/orders/order-status-sync.js';
import { fanOut } from '../../src/sync/webhooks/webhook-intake.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from '../sync/orders-harness.js';

/** The admin panel over the harness's database, logged in. */
async function adminOver(h: OrdersHarness): Promise<{ client: AdminClient; dispose(): void }> {
  const { fx } = h;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-e7-admin-'));
  const enqueuer = { enqueue: async () => ({ jobId: 'job-1', merged: false }) };
  const syncs = new SyncRegistry();
  const setup = new IntegrationSetupService({ db: fx.db, clock: fx.clock, secretBox: fx.secretBox, clients: fx.clients, defaultBaseUrl: fx.emulator.apiBaseUrl });
  await setAdminPassword(fx.database, fx.clock, ADMIN_LOGIN, ADMIN_PASSWORD);
  const app = createApp({
    db: fx.db,
    clock: fx.clock,
    enqueuer,
    syncs,
    publicBaseUrl: 'http://shop.test',
    logger: { error: () => undefined },
    readiness: { migrationStatus: () => migrationStatus(fx.db) },
    mountAdmin: (a) => mountAdminPanel(a, { db: fx.db, clock: fx.clock, enqueuer, syncs, setup, logDir, publicBaseUrl: 'http://shop.test' }),
  });
  const client = new AdminClient(app);
  expect((await client.login()).status).toBe(302);
  return { client, dispose: () => fs.rmSync(logDir, { recursive: true, force: true }) };
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`order status back (${dialect})`, () => {
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    it('E7 the MoySklad state and shipped quantities of an exported order come back into the order JSON with one order.status_changed event per change', async () => {
      h = await ordersHarness(dialect);
      const { fx } = h;
      await new PlatformWebhookService({ db: fx.db, clock: fx.clock, secretBox: fx.secretBox }).create({ url: 'https://platform.test/hooks', events: ['order.status_changed'] });
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-1', inn: '7701234567' });
      const o = await h.order({
        externalId: 'A-7',
        counterpartyId: clientId,
        positions: ps.map((p, i) => ({ externalId: `L${i + 1}`, brand: p.brand, article: p.article, quantity: 3, priceKopecks: 100_00 })),
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      const msOrder = h.customerOrders()[0]!;
      const kind = createOrderStatusKind({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps });
      const run = () => kind.runner({ request: { kind: ORDER_STATUS_KIND, integrationId: fx.integrationId, trigger: 'webhook' }, signal: new AbortController().signal, progress: () => undefined });

      // MoySklad's notifications of an order or a shipment start the pass for every active integration.
      for (const type of ['customerorder', 'demand']) {
        const jobs = await fanOut(fx.db, fx.msAccountId, { kind: 'entity', body: { events: [{ meta: { type, href: `https://x/entity/${type}/${msOrder.id}` }, action: 'UPDATE' }] } } as never, 'req-1');
        expect(jobs).toContainEqual({ kind: ORDER_STATUS_KIND, integrationId: fx.integrationId, trigger: 'webhook', payload: { requestId: 'req-1' } });
      }

      fx.clock.advance(60_000);
      h.account.setOrderState(msOrder.id, 'Собран');
      fx.clock.advance(60_000);
      h.account.shipOrder(msOrder.id, [{ assortmentId: ps[0]!.id, quantity: 2 }]);
      expect(await run()).toMatchObject({ status: 'ok', counts: { changed: 1 } });

      const order = (await h.api('GET', `/orders/${o.id}`)).json;
      expect(order).toMatchObject({ msStateName: 'Собран', msStateChangedAt: fx.clock.now().toISOString() });
      expect(order.positions.map((p: { externalId: string; shippedQuantity: number | null }) => [p.externalId, p.shippedQuantity])).toEqual([['L1', 2], ['L2', 0]]);
      const bodies = async () => (await fx.db.selectFrom('platformWebhookMessages').select('body').where('eventType', '=', 'order.status_changed').orderBy('id').execute()).map((m) => JSON.parse(m.body).data);
      const [p1, p2] = order.positions as Array<{ id: number }>;
      expect(await bodies()).toEqual([{ orderId: o.id, externalId: 'A-7', kind: 'customer', state: 'Собран', shipped: [{ positionId: p1!.id, quantity: 2 }, { positionId: p2!.id, quantity: 0 }] }]);

      // Nothing new: no event. The rest shipped and the state moves on: one more.
      expect(await run()).toMatchObject({ counts: { changed: 0 } });
      fx.clock.advance(60_000);
      h.account.shipOrder(msOrder.id, [{ assortmentId: ps[0]!.id, quantity: 1 }, { assortmentId: ps[1]!.id, quantity: 3 }]);
      h.account.setOrderState(msOrder.id, 'Отгружен');
      expect(await run()).toMatchObject({ counts: { changed: 1 } });
      expect((await bodies()).slice(1)).toEqual([{ orderId: o.id, externalId: 'A-7', kind: 'customer', state: 'Отгружен', shipped: [{ positionId: p1!.id, quantity: 3 }, { positionId: p2!.id, quantity: 3 }] }]);
      expect(await new OrderStatusRepository(fx.db, fx.clock).statusOf(o.id)).toMatchObject({ stateName: 'Отгружен', positions: [{ externalId: 'L1', quantity: 3, shippedQuantity: 3 }, { externalId: 'L2', quantity: 3, shippedQuantity: 3 }] });
    });

    it('E7 fractional shipped quantities (weight and length goods) come back whole: 1.5 shipped of 2.5 reaches the store, the API and the admin page', async () => {
      h = await ordersHarness(dialect);
      const { fx } = h;
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clientId = await h.client({ externalId: 'C-2', inn: '7701234567' });
      const o = await h.order({
        externalId: 'W-1',
        counterpartyId: clientId,
        positions: [
          { externalId: 'KG', brand: ps[0]!.brand, article: ps[0]!.article, quantity: 2.5, priceKopecks: 100_00 },
          { externalId: 'M', brand: ps[1]!.brand, article: ps[1]!.article, quantity: 3, priceKopecks: 100_00 },
        ],
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      const msOrder = h.customerOrders()[0]!;
      const kind = createOrderStatusKind({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps });
      const run = () => kind.runner({ request: { kind: ORDER_STATUS_KIND, integrationId: fx.integrationId, trigger: 'webhook' }, signal: new AbortController().signal, progress: () => undefined });

      fx.clock.advance(60_000);
      h.account.shipOrder(msOrder.id, [
        { assortmentId: ps[0]!.id, quantity: 1.5 },
        { assortmentId: ps[1]!.id, quantity: 2.75 },
      ]);
      expect(await run()).toMatchObject({ status: 'ok', counts: { changed: 1 } });

      expect(await new OrderStatusRepository(fx.db, fx.clock).statusOf(o.id)).toMatchObject({ positions: [{ externalId: 'KG', quantity: 2.5, shippedQuantity: 1.5 }, { externalId: 'M', quantity: 3, shippedQuantity: 2.75 }] });
      const order = (await h.api('GET', `/orders/${o.id}`)).json;
      expect(order.positions.map((p: { externalId: string; shippedQuantity: number | null }) => [p.externalId, p.shippedQuantity])).toEqual([['KG', 1.5], ['M', 2.75]]);
      // Nothing new: the same fractions read again change nothing.
      expect(await run()).toMatchObject({ counts: { changed: 0 } });

      const admin = await adminOver(h);
      try {
        const page = (await admin.client.get(`/admin/orders/${o.id}`)).text;
        // Each position's row: the quantity is the first number cell, the shipped quantity the last.
        const numbers = (article: string): string[] => {
          const at = page.indexOf(`>${article}<`);
          expect(at).toBeGreaterThan(0);
          const row = page.slice(at, page.indexOf('</tr>', at));
          const cells = [...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
          return [cells[0]!, cells[cells.length - 1]!];
        };
        expect(numbers(ps[0]!.article)).toEqual(['2,5', '1,5']);
        expect(numbers(ps[1]!.article)).toEqual(['3', '2,75']);
      } finally {
        admin.dispose();
      }
    });
  });
}
