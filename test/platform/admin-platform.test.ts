/**
 * The platform's side in the admin panel, on SQLite and PostgreSQL: the webhook delivery log with
 * «Отправить снова» (E3), the price list's secret feed link (E5), and Cyrillic/Latin search in the
 * products, price-list rows and orders pages (E6). Russian by default, English with ?lang=en; event
 * names are human texts, never codes; every form needs the session's CSRF token.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformWebhookService } from '../../src/app/platform-webhooks.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { recordPlatformEvent } from '../../src/store/repositories/platform-event-recorder.js';
import { PlatformWebhookRepository } from '../../src/store/repositories/platform-webhook-repository.js';
import { PriceListRepository } from '../../src/store/repositories/price-list-repository.js';
import { ProductRepository } from '../../src/store/repositories/product-repository.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { seedAccountRow } from '../helpers/seed-integration.js';
import { AdminClient, createAdminHarness, type AdminHarness } from '../admin/harness.js';

const RAW_CODES = ['price_list.updated', 'order.exported', 'webhooks.deliver', 'msg_', 'pending', 'delivered'];

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`platform pages of the admin panel (${dialect})`, () => {
    let h: AdminHarness;
    let c: AdminClient;
    let priceListId: number;
    let token: string;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await h.app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, text: await res.text() };
    };

    beforeAll(async () => {
      h = await createAdminHarness({ dialect, publicBaseUrl: 'https://shop.example' });
      c = new AdminClient(h.app);
      await c.login();
      token = (await new ApiTokenService({ db: h.db, clock: h.clock }).create('platform')).token;
      const now = h.clock.now().toISOString();
      const msAccountId = await seedAccountRow(h.db, { now, secretBox: new SecretBox(randomBytes(32)), baseUrl: h.emulator.apiBaseUrl, account: { label: 'a', authKind: 'password', login: 'a@demo', credentialKey: 'a@demo', secret: 'x' } });
      await new ProductRepository(h.db, h.clock).upsertMany(msAccountId, [
        { msId: 'p1', brand: 'LIQUI MOLY', article: '7536', code: 'LIQUI MOLY 7536', name: 'Масло моторное 5W-40' },
        { msId: 'p2', brand: 'MOTUL', article: '105777', code: 'MOTUL 105777', name: 'МАСЛО ТРАНСМИССИОННОЕ' },
        { msId: 'p3', brand: 'ВАЗ', article: 'АБ-12Ca', code: 'ВАЗ АБ-12Ca', name: 'Щётка стеклоочистителя' },
      ]);
      const products = await h.db.selectFrom('products').select(['id', 'msId', 'brand', 'article', 'name']).orderBy('msId').execute();
      const repo = new PriceListRepository(h.db, h.clock);
      priceListId = (await repo.create({ regionId: h.regionId, name: 'Основной', deliveryDays: 1 })).id;
      await repo.replaceRows(priceListId, products.map((p) => ({ productId: p.id, msProductId: p.msId, brand: p.brand, article: p.article, name: p.name, quantity: 2, price: 150_00 })));
    });
    afterAll(async () => h?.dispose());

    it('E3 the delivery log names events and states in Russian (English with ?lang=en) and resends a delivery only with the CSRF token', async () => {
      const box = new SecretBox(randomBytes(32));
      const service = new PlatformWebhookService({ db: h.db, clock: h.clock, secretBox: box });
      await service.create({ url: 'https://platform.example/hooks', events: ['price_list.updated', 'order.exported'], description: 'Платформа' });
      await h.db.transaction().execute((tx) => recordPlatformEvent(tx, h.clock, { type: 'price_list.updated', data: { priceListId, generation: 1, rowCount: 3, change: 'replaced' } }));
      // One attempt failed with HTTP 500 (as the delivery job records it), and the window is over.
      const repo = new PlatformWebhookRepository(h.db, h.clock);
      const [d] = await repo.due(h.clock.now().toISOString(), 10);
      expect(await repo.claim(d!.id)).toBe(true);
      await repo.markAttemptFailed(d!.id, 500, 'the receiver answered HTTP 500', null);

      const ru = await c.get('/admin/webhooks');
      expect(ru.status).toBe(200);
      for (const text of ['Вебхуки для платформы магазина', 'Заказ выгружен в МойСклад; Прайс-лист обновлён', 'Платформа', 'не доставлено за 24 часа', 'ответ HTTP 500', 'Отправить снова', 'https://platform.example/hooks']) expect(ru.text).toContain(text);
      const visible = ru.text.replace(/<[^>]+>/g, ' ');
      for (const raw of RAW_CODES) expect(visible).not.toContain(raw);
      const en = await c.get('/admin/webhooks?lang=en');
      for (const text of ["Webhooks to the shop's platform".replace("'", '&#39;'), 'Price list updated', 'not delivered within 24 hours', 'HTTP 500', 'Send again']) expect(en.text).toContain(text);
      await c.get('/admin/webhooks?lang=ru');

      const refused = await c.post(`/admin/webhook-deliveries/${d!.id}/resend`, {}, { csrf: null });
      expect(refused.status).toBe(403);
      expect((await repo.findDelivery(d!.id))?.state).toBe('failed');
      const resent = await c.post(`/admin/webhook-deliveries/${d!.id}/resend`, {});
      expect(resent.status).toBe(302);
      expect((await c.get(resent.location!)).text).toContain('Сообщение будет отправлено снова');
      expect(await repo.findDelivery(d!.id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: h.clock.now().toISOString() });
      const pendingOnly = await c.get('/admin/webhooks?state=pending');
      expect(pendingOnly.text).toContain('ожидает отправки');
      expect((await c.post('/admin/webhook-deliveries/999999/resend', {})).status).toBe(404);
    });

    it('E5 the price-list card makes a secret feed link (shown once), replaces it and revokes it, with the CSRF token', async () => {
      const card = await c.get(`/admin/price-lists/${priceListId}`);
      expect(card.text).toContain('Ссылка для загрузки прайс-листа');
      expect(card.text).toContain('Ссылки нет.');
      expect((await c.post(`/admin/price-lists/${priceListId}/feed`, {}, { csrf: null })).status).toBe(403);
      expect(await h.db.selectFrom('priceListFeeds').selectAll().execute()).toEqual([]);

      const made = await c.post(`/admin/price-lists/${priceListId}/feed`, {});
      expect(made.status).toBe(200);
      const csvUrl = /id="feed-csv-url">\s*([^<\s]+)/.exec(made.text)![1]!;
      expect(csvUrl).toMatch(/^https:\/\/shop\.example\/feeds\/msf_[A-Za-z0-9_-]{43}\/price-list\.csv$/);
      expect(made.text).toContain(csvUrl.replace('.csv', '.json'));
      const feed = await h.app.request(new URL(csvUrl).pathname);
      expect(feed.status).toBe(200);
      expect((await feed.text()).split('\r\n')).toHaveLength(5); // header, 3 rows, final CRLF
      const again = await c.get(`/admin/price-lists/${priceListId}`);
      expect(again.text).toContain(`начинается с ${csvUrl.split('/feeds/')[1]!.slice(0, 10)}`);
      expect(again.text).not.toContain(csvUrl);

      const replaced = await c.post(`/admin/price-lists/${priceListId}/feed`, {});
      const newUrl = /id="feed-csv-url">\s*([^<\s]+)/.exec(replaced.text)![1]!;
      expect(newUrl).not.toBe(csvUrl);
      expect((await h.app.request(new URL(csvUrl).pathname)).status).toBe(404);
      const revoked = await c.post(`/admin/price-lists/${priceListId}/feed/revoke`, {});
      expect(revoked.status).toBe(302);
      expect((await c.get(revoked.location!)).text).toContain('Ссылка отозвана');
      expect((await h.app.request(new URL(newUrl).pathname)).status).toBe(404);
    });

    it('E6 the products, price-list rows, clients and orders pages find «масло» as «МАСЛО» and Cyrillic/Latin articles in any case', async () => {
      const products = await c.get(`/admin/products?q=${encodeURIComponent('масло')}`);
      expect(products.text).toContain('Масло моторное 5W-40');
      expect(products.text).toContain('МАСЛО ТРАНСМИССИОННОЕ');
      expect(products.text).not.toContain('Щётка');
      const upper = await c.get(`/admin/products?q=${encodeURIComponent('МАСЛО')}`);
      expect(upper.text).toContain('Масло моторное 5W-40');
      const article = await c.get(`/admin/products?q=${encodeURIComponent('аб-12CA')}`);
      expect(article.text).toContain('Щётка стеклоочистителя');
      expect(article.text).not.toContain('Масло моторное');

      const rows = await c.get(`/admin/price-lists/${priceListId}?q=${encodeURIComponent('щетка')}`);
      expect(rows.text).toContain('Щётка стеклоочистителя');
      expect(rows.text).not.toContain('Масло моторное');

      const client = JSON.parse((await api('POST', '/api/v1/clients', { externalId: 'C-1', name: 'Петров Пётр', regionId: h.regionId })).text) as { id: number };
      const other = JSON.parse((await api('POST', '/api/v1/clients', { externalId: 'C-2', name: 'Ivanov', regionId: h.regionId })).text) as { id: number };
      for (const [externalId, counterpartyId] of [['ЗАК-77', client.id], ['Z-78', other.id]] as const) {
        expect((await api('POST', '/api/v1/orders', { kind: 'customer', externalId, regionId: h.regionId, counterpartyId, positions: [{ brand: 'MAHLE', article: 'OC 90', quantity: 1, priceKopecks: 100 }] })).status).toBe(201);
      }
      const clients = await c.get(`/admin/clients?q=${encodeURIComponent('ПЕТРОВ')}`);
      expect(clients.text).toContain('Петров Пётр');
      expect(clients.text).not.toContain('Ivanov');
      expect((await c.get(`/admin/clients?q=${encodeURIComponent('ivanov')}`)).text).toContain('Ivanov');
      const byClient = await c.get(`/admin/orders?kind=customer&q=${encodeURIComponent('петров')}`);
      expect(byClient.text).toContain('ЗАК-77');
      expect(byClient.text).not.toContain('Z-78');
      const byNumber = await c.get(`/admin/orders?kind=customer&q=${encodeURIComponent('зак-77')}`);
      expect(byNumber.text).toContain('ЗАК-77');
      expect(byNumber.text).not.toContain('Z-78');
      expect(byNumber.text).toContain('name="kind" value="customer"');
    });
  });
}
