/**
 * The accounts area in the admin panel (real service, emulator, SQLite and PostgreSQL): the
 * administrator check at setup (C10), MoySklad permission problems told in Russian with what to
 * change (C10), a region's time zone (C14), and clients with «нет карточки в МойСклад» (C12).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { AdminClient, createAdminHarness, type AdminHarness } from './harness.js';

const pgReason = postgresUnavailableReason();

for (const dialect of dialects) {
  describe.skipIf(dialect === 'postgres' && pgReason !== null)(`accounts in the admin panel (${dialect})`, () => {
    let h: AdminHarness;
    let c: AdminClient;
    beforeAll(async () => {
      h = await createAdminHarness({ dialect });
      c = new AdminClient(h.app);
      await c.login();
    });
    afterAll(async () => h.dispose());

    it('C10 a MoySklad login that is not an administrator is refused in Russian and nothing is saved', async () => {
      await c.get('/admin/integrations/new');
      const r = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'manager@demo', password: 'demo' });
      expect(r.status).toBe(422);
      expect(r.text).toContain('Этот пользователь МойСклад не администратор.');
      expect(r.text).toContain('«Системный администратор»');
      expect(r.text).toContain('Ничего не сохранено.');
      expect(await h.db.selectFrom('integrations').select('id').execute()).toEqual([]);
      expect(await h.db.selectFrom('msAccounts').select('id').execute()).toEqual([]);
      const en = await c.get('/admin/integrations/new?lang=en');
      expect(en.status).toBe(200);
      await c.get('/admin/integrations/new?lang=ru');
    });

    it('C10 a right lost after setup shows on the integration what to change in MoySklad; saving the settings after the fix clears it', async () => {
      const created = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'demo' });
      expect(created.status).toBe(302);
      const id = Number(/\/admin\/integrations\/(\d+)/.exec(created.location!)![1]);
      const account = h.emulator.account('admin@demo');
      const org = account.organizations[0]!;
      await c.get(`/admin/integrations/${id}`);
      expect((await c.post(`/admin/integrations/${id}`, { organizationMsId: org.id, active: '1' })).status).toBe(302);
      const now = h.clock.now().toISOString();
      const pl = await h.db.insertInto('priceLists').values({ regionId: h.regionId, name: 'Склад', msStoreId: account.stores[0]!.id, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      // The MoySklad owner takes the administrator role and the stock right away from this login.
      const user = account.users[0]!;
      user.admin = false;
      user.stockReport = false;
      await h.enqueuer.enqueue({ kind: 'stock.full', priceListId: pl.id, integrationId: id, trigger: 'admin' });
      const page = await c.get(`/admin/integrations/${id}`);
      expect(page.text).toContain('id="integration-problems"');
      expect(page.text).toContain('Остатки прайс-листов:');
      expect(page.text).toContain('У пользователя МойСклад нет доступа к отчёту «Остатки» (ошибка 13004)');
      expect(page.text).toContain('Просматривать остатки по товарам');
      const card = /id="integration-problems"[\s\S]*?<\/div>\s*<p class="hint">/.exec(page.text)?.[0] ?? '';
      expect(card).toContain('ошибка 13004');
      expect(card.replace(/<[^>]+>/g, ' ')).not.toMatch(/stock\.full|no_stock_report|msCode|C10/);
      const list = await c.get('/admin/integrations');
      expect(list.text).toContain('нет доступа к отчёту «Остатки»');
      // The platform API says the same (Russian and English).
      const { token } = await new ApiTokenService({ db: h.db, clock: h.clock }).create('platform');
      const api = await h.app.request(`/api/v1/integrations/${id}/problems`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await api.json()) as { items: Array<Record<string, unknown>> };
      expect(body.items.map((p) => ({ family: p.family, code: p.code, msCode: p.msCode, occurrences: p.occurrences }))).toEqual([{ family: 'stock', code: 'no_stock_report', msCode: 13004, occurrences: 1 }]);
      expect(body.items[0]!.message).toMatch(/^У пользователя МойСклад нет доступа к отчёту «Остатки»/);
      expect(body.items[0]!.messageEn).toMatch(/^The MoySklad user may not read the stock report \(error 13004\)/);

      user.admin = true;
      user.stockReport = true;
      await c.get(`/admin/integrations/${id}`);
      expect((await c.post(`/admin/integrations/${id}`, { organizationMsId: org.id, active: '1' })).status).toBe(302);
      const fixed = await c.get(`/admin/integrations/${id}`);
      expect(fixed.text).not.toContain('id="integration-problems"');
      expect(await h.db.selectFrom('integrations').select(['status', 'statusCode']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'ok', statusCode: null });
    });

    it('C14 a region gets its time zone in the panel; an unknown zone is refused; the integration page changes it', async () => {
      await c.get('/admin/integrations/new');
      const bad = await c.post('/admin/regions', { name: 'Марс', code: 'mars', timeZone: 'Mars/Olympus', country: 'RU' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Неизвестный часовой пояс.');
      const ok = await c.post('/admin/regions', { name: 'Владивосток', code: 'vvo', timeZone: 'asia/vladivostok', country: 'RU' });
      expect(ok.status).toBe(302);
      const vvo = await h.db.selectFrom('regions').select(['id', 'timeZone', 'country']).where('code', '=', 'vvo').executeTakeFirstOrThrow();
      expect({ timeZone: vvo.timeZone, country: vvo.country }).toEqual({ timeZone: 'Asia/Vladivostok', country: 'RU' });
      const [integration] = await h.db.selectFrom('integrations').select('id').execute();
      const page = await c.get(`/admin/integrations/${integration!.id}`);
      expect(page.text).toContain('id="region-settings"');
      expect(page.text).toContain('value="Europe/Moscow"');
      const saved = await c.post(`/admin/regions/${h.regionId}`, { timeZone: 'Europe/Kaliningrad', country: 'RU', back: `/admin/integrations/${integration!.id}` });
      expect(saved.location).toBe(`/admin/integrations/${integration!.id}?done=region.saved`);
      expect((await h.db.selectFrom('regions').select('timeZone').where('id', '=', h.regionId).executeTakeFirstOrThrow()).timeZone).toBe('Europe/Kaliningrad');
      const refused = await c.post(`/admin/regions/${h.regionId}`, { timeZone: 'MSK', country: 'RU', back: `/admin/integrations/${integration!.id}` });
      expect(refused.location).toBe(`/admin/integrations/${integration!.id}?error=region.badTimeZone`);
    });

    it('C12 the clients page says which clients have no MoySklad card', async () => {
      const now = h.clock.now().toISOString();
      const [integration] = await h.db.selectFrom('integrations').select(['id', 'msAccountId']).execute();
      for (const [externalId, cardState, balance] of [['C-none', 'none', null], ['C-linked', 'linked', -150_00], ['C-twin', 'ambiguous', null]] as const) {
        const cp = await h.db.insertInto('counterparties').values({ kind: 'client', externalId, regionId: h.regionId, name: `Клиент ${externalId}`, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
        await h.db.insertInto('msBalances').values({ counterpartyId: cp.id, msAccountId: integration!.msAccountId, balance, readAt: balance === null ? null : now, lastActivityAt: now, lastError: null, cardState }).execute();
      }
      const page = await c.get('/admin/clients');
      expect(page.status).toBe(200);
      const row = (ext: string) => new RegExp(`Клиент ${ext}[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
      expect(row('C-none')).toContain('нет карточки в МойСклад');
      expect(row('C-twin')).toContain('подходят несколько');
      expect(row('C-linked')).toContain('привязан');
      expect(row('C-linked').replace(/[\u00a0\u202f]/g, ' ')).toContain('-150,00 ₽');
      const en = await c.get('/admin/clients?lang=en');
      expect(en.text).toContain('no card in MoySklad');
      await c.get('/admin/clients?lang=ru');
    });
  });
}
