/**
 * E7 order status back, on SQLite and PostgreSQL, through the emulator: after an order reaches
 * MoySklad, a manager sets its state and ships part of it (a demand linked to the order); MoySklad's
 * customerorder/demand webhooks start the `orders.status` pass, which brings the state's name and
 * the shipped quantities into the order JSON and announces `order.status_changed` — once per change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformWebhookService } from '../../src/app/platform-webhooks.js';
import { OrderStatusRepository } from '../../src/store/repositories/order-status-repository.js';
import { createOrderStatusKind, ORDER_STATUS_KIND } from '../../src/sync/orders/order-status-sync.js';
import { fanOut } from '../../src/sync/webhooks/webhook-intake.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from '../sync/orders-harness.js';

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
  });
}
