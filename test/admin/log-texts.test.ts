/**
 * R32 the log lines shop staff read in the admin panel's logs section: a real order export against
 * the emulator writes coded lines, and the system logs page and the price list's log show them in
 * Russian (English with ?lang=en) without requirement ids, job kind codes or outbox ids; a line
 * written before codes shows its stored text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeDemoOrder } from '../../src/app/demo-order.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { AdminClient, createAdminHarness, type AdminHarness } from './harness.js';

const pgReason = postgresUnavailableReason();

/** The text of the page's table with the given id (tags dropped). */
function tableText(html: string, id: string): string {
  const m = new RegExp(`<table id="${id}"[\\s\\S]*?</table>`).exec(html);
  if (!m) throw new Error(`no table #${id}`);
  return m[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

const INTERNALS = /\bR\d+\b|\bB\d\b|outbox|order\.export|nomenclature\.|stock\.(?:full|incremental)|msOrderId|externalId/i;

for (const dialect of dialects) {
  describe.skipIf(dialect === 'postgres' && pgReason !== null)(`log lines for staff (${dialect})`, () => {
    let h: AdminHarness;
    let c: AdminClient;
    let externalId = '';
    let priceListId = 0;

    beforeAll(async () => {
      h = await createAdminHarness({ dialect });
      c = new AdminClient(h.app);
      await c.login();
      const created = await h.setup.createIntegration({ regionId: h.regionId, credentials: { authKind: 'password', login: 'admin@demo', password: 'demo' } });
      if (!created.ok) throw new Error(created.problem);
      const account = h.emulator.account('admin@demo');
      const now = h.clock.now().toISOString();
      const pl = await h.db.insertInto('priceLists').values({ regionId: h.regionId, name: 'Основной склад', msStoreId: account.stores[0]!.id, syncIntervalMinutes: 1440, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      priceListId = Number(pl.id);
      const saved = await c.post(`/admin/integrations/${created.integration.id}`, { organizationMsId: account.organizations[0]!.id, active: '1' });
      expect(saved.status).toBe(302);
      const placed = await placeDemoOrder({ db: h.db, clock: h.clock }, { regionId: h.regionId, priceListId });
      if (!placed.placed) throw new Error(`no demo order: ${placed.reason}`);
      await h.enqueuer.enqueue({ kind: 'outbox', trigger: 'admin' });
      const order = await h.db.selectFrom('orders').select(['externalId', 'exportState']).where('id', '=', placed.orderId).executeTakeFirstOrThrow();
      expect(order.exportState).toBe('sent');
      externalId = String(order.externalId);
      // A line written before message codes existed.
      await h.log.write({ level: 'info', integrationId: created.integration.id, kind: 'outbox', message: 'Старая запись журнала без кода' });
    });
    afterAll(async () => h.dispose());

    it('R32 the logs page shows the order export and the run summaries in Russian, without internals', async () => {
      const page = await c.get('/admin/logs?lang=ru');
      expect(page.status).toBe(200);
      const text = tableText(page.text, 'log-lines');
      expect(text).toContain(`Заказ ${externalId} создан в МойСклад`);
      expect(text).toContain('Выгрузка заказов и клиентов: завершено успешно; запросов к МойСклад:');
      expect(text).toContain('Старая запись журнала без кода');
      expect(text).not.toMatch(INTERNALS);
      expect(page.text).not.toMatch(/\bR\d+\b|\bB\d\b|outbox/i);
    });

    it('R32 with ?lang=en the same lines are in English', async () => {
      const page = await c.get('/admin/logs?lang=en');
      const text = tableText(page.text, 'log-lines');
      expect(text).toContain(`Order ${externalId} created in MoySklad`);
      expect(text).toContain('Order and client export: finished; MoySklad requests:');
      expect(text).not.toMatch(INTERNALS);
    });

    it('R32 the price list log shows its runs\u2019 lines in Russian, without internals', async () => {
      const page = await c.get(`/admin/price-lists/${priceListId}?lang=ru`);
      expect(page.status).toBe(200);
      const text = tableText(page.text, 'price-list-log');
      expect(text).toMatch(/Остатки[^;]*: завершено успешно; запросов к МойСклад: \d+/);
      expect(text).not.toMatch(INTERNALS);
    });
  });
}
