/**
 * C10 an order export refused for a right (1045: no right to create customer orders) does not
 * fail the order: the integration says in Russian what to change in MoySklad, the outbox item waits
 * (slowly, not hot), and saving the integration's settings after the fix sends it at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IntegrationSetupService } from '../../src/setup/integration-setup.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`outbox and MoySklad rights (${dialect})`, () => {
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    it('C10 an order refused for lack of a create right waits with the reason; the settings saved after the fix send it', async () => {
      h = await ordersHarness(dialect);
      const [p] = h.msProducts();
      await h.knowProducts([p!]);
      const clientId = await h.client({ externalId: 'C-1', email: 'buyer@example.ru' });
      const order = await h.order({ externalId: 'W-1', counterpartyId: clientId, positions: [{ brand: p!.brand, article: p!.article, quantity: 1, priceKopecks: 100 }] });
      h.account.users[0]!.cannotCreate = ['customerorder'];

      expect(await h.drain()).toMatchObject({ sent: 0, failed: 0, deferred: 1 });
      const integration = await h.fx.db.selectFrom('integrations').selectAll().where('id', '=', h.fx.integrationId).executeTakeFirstOrThrow();
      expect(integration).toMatchObject({ status: 'error', statusCode: 'no_create_right' });
      expect(integration.statusMessage).toMatch(/^У пользователя МойСклад нет права на создание \(ошибка 1045\)/);
      const [row] = (await h.outbox()).filter((r) => r.kind !== 'counterparty.update');
      expect(row).toMatchObject({ state: 'pending' });
      expect(row!.lastError).toMatch(/^permission_problem:no_create_right: /);
      const stored = await h.fx.db.selectFrom('orders').select(['exportState', 'exportError']).where('id', '=', order.id).executeTakeFirstOrThrow();
      expect(stored.exportState).toBe('pending');
      // Not hot: an hour later nothing is due, nothing is asked.
      const requests = h.fx.emulator.stats().requests;
      h.clock.advance(60 * 60_000);
      expect(await h.drain()).toMatchObject({ claimed: 0 });
      expect(h.fx.emulator.stats().requests).toBe(requests);

      // The MoySklad administrator gives the right; the shop admin saves the integration: it goes at once.
      h.account.users[0]!.cannotCreate = [];
      const setup = new IntegrationSetupService({ db: h.fx.db, clock: h.clock, secretBox: h.fx.secretBox, clients: h.fx.clients, defaultBaseUrl: h.fx.emulator.apiBaseUrl });
      expect(await setup.saveOptions(h.fx.integrationId, { exportPurchaseOrders: true })).toMatchObject({ ok: true });
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(h.customerOrders()).toHaveLength(1);
      expect(await h.fx.db.selectFrom('integrations').select(['status', 'statusCode']).where('id', '=', h.fx.integrationId).executeTakeFirstOrThrow()).toEqual({ status: 'ok', statusCode: null });
    });
  });
}
