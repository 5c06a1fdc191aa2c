/**
 * E5 a price list's secret feed URL (CSV and JSON, token in the path) for platforms that import by
 * URL without an Authorization header, on SQLite and PostgreSQL: made, regenerated and revoked
 * through the API, stored hashed, the token shown once; the same content as the bearer-token
 * export, which stays; during a running swap the feed shows the current generation only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/server/auth.js';
import { syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { createPriceList, loadNomenclature } from '../sync/stock-fixture.js';
import { platformApi } from './api-client.js';

const path = (url: string): string => new URL(url).pathname;

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`price-list feed URLs (${dialect})`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    it('E5 a secret feed URL serves the price list as CSV and JSON without a header; regenerating or revoking it ends the old URL', async () => {
      fx = await createSyncFixture({ dialect });
      await loadNomenclature(fx);
      const store = fx.emulator.account('admin@demo').stores[1]!.id;
      const id = await createPriceList(fx, { name: 'Склад; основной', msStoreId: store });
      const deps: StockSyncDeps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const api = await platformApi(fx, 'https://shop.example');

      expect((await api.call('GET', `/api/v1/price-lists/${id}/feed`)).json).toEqual({ priceListId: id, enabled: false, prefix: null, createdAt: null, lastUsedAt: null });
      const made = await api.call('POST', `/api/v1/price-lists/${id}/feed`);
      expect(made.status).toBe(201);
      const { token, csvUrl, jsonUrl } = made.json as { token: string; csvUrl: string; jsonUrl: string };
      expect(token).toMatch(/^msf_[A-Za-z0-9_-]{43}$/);
      expect([csvUrl, jsonUrl]).toEqual([`https://shop.example/feeds/${token}/price-list.csv`, `https://shop.example/feeds/${token}/price-list.json`]);
      // Stored hashed: the token itself is nowhere in the database.
      const stored = await fx.db.selectFrom('priceListFeeds').selectAll().execute();
      expect(stored).toEqual([{ priceListId: id, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdAt: fx.clock.now().toISOString(), lastUsedAt: null }]);

      // The feed needs no header and has exactly the bearer export's content.
      const bearerCsv = await api.call('GET', `/api/v1/price-lists/${id}/export.csv`);
      const feedCsv = await api.call('GET', path(csvUrl), undefined, {});
      expect(feedCsv.status).toBe(200);
      expect(feedCsv.text).toBe(bearerCsv.text);
      expect(feedCsv.text.split('\r\n')[0]).toBe('brand;article;name;quantity;price;delivery_days');
      expect(feedCsv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(feedCsv.headers.get('cache-control')).toBe('no-store');
      const rows = await fx.db.selectFrom('priceListRows').selectAll().where('priceListId', '=', id).orderBy('id').execute();
      expect(feedCsv.text.trim().split('\r\n')).toHaveLength(rows.length + 1);

      const feedJson = await api.call('GET', path(jsonUrl), undefined, {});
      expect(feedJson.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(feedJson.json).toEqual((await api.call('GET', `/api/v1/price-lists/${id}/export.json`)).json);
      expect(feedJson.json).toMatchObject({ priceListId: id, name: 'Склад; основной', generatedAt: fx.clock.now().toISOString() });
      const first = rows[0]!;
      if (first.price === null) throw new Error('the feed test needs a priced first row');
      expect(feedJson.json.rows[0]).toEqual({ brand: first.brand, article: first.article, name: first.name, quantity: first.quantity, priceKopecks: first.price, price: (first.price / 100).toFixed(2), deliveryDays: 1, msProductId: first.msProductId });
      expect(feedJson.json.rows).toHaveLength(rows.length);
      expect((await api.call('GET', `/api/v1/price-lists/${id}/feed`)).json).toMatchObject({ enabled: true, prefix: token.slice(0, 10), lastUsedAt: fx.clock.now().toISOString() });

      // Regenerate: the old URL is dead at once, the new one works.
      const again = await api.call('POST', `/api/v1/price-lists/${id}/feed`);
      expect(again.json.token).not.toBe(token);
      expect((await api.call('GET', path(csvUrl), undefined, {})).status).toBe(404);
      expect((await api.call('GET', path(again.json.csvUrl), undefined, {})).status).toBe(200);
      // Revoke: 404 for the URL; a second revoke says there is none.
      expect((await api.call('DELETE', `/api/v1/price-lists/${id}/feed`)).json).toEqual({ id, deleted: true });
      expect((await api.call('GET', path(again.json.jsonUrl), undefined, {})).status).toBe(404);
      expect((await api.call('DELETE', `/api/v1/price-lists/${id}/feed`)).status).toBe(404);
      expect(await fx.db.selectFrom('priceListFeeds').selectAll().execute()).toEqual([]);
      // Junk in the token position is just an unknown path; the bearer route stays protected.
      for (const junk of ['msf_short', 'x'.repeat(47), `msf_${'A'.repeat(43)}`]) expect((await api.call('GET', `/feeds/${junk}/price-list.csv`, undefined, {})).json.error.code).toBe('not_found');
      expect((await api.call('GET', `/api/v1/price-lists/${id}/export.csv`, undefined, {})).status).toBe(401);
      expect((await api.call('POST', '/api/v1/price-lists/999999/feed')).status).toBe(404);
    });

    it('E5 the feed read during a running stock swap shows the current generation, never a mix', async () => {
      fx = await createSyncFixture({ dialect });
      await loadNomenclature(fx);
      const account = fx.emulator.account('admin@demo');
      const store = account.stores[1]!.id;
      const id = await createPriceList(fx, { name: 'swap', msStoreId: store });
      const deps: StockSyncDeps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const api = await platformApi(fx);
      const url = path((await api.call('POST', `/api/v1/price-lists/${id}/feed`)).json.csvUrl);
      const before = (await api.call('GET', url, undefined, {})).text;
      for (const r of await fx.db.selectFrom('priceListRows').select('msProductId').where('priceListId', '=', id).execute()) {
        account.setStock(r.msProductId, store, { stock: (account.stockOf(r.msProductId, store)?.stock ?? 0) + 50 });
      }
      let reads = 0;
      await syncPriceListStock(deps, {
        priceListId: id,
        mode: 'full',
        trigger: 'manual',
        swap: {
          rowsPerTransaction: 500,
          onChunkWritten: async () => {
            reads += 1;
            expect((await api.call('GET', url, undefined, {})).text).toBe(before);
          },
        },
      });
      expect(reads).toBeGreaterThan(2);
      const after = (await api.call('GET', url, undefined, {})).text;
      expect(after).not.toBe(before);
      expect(after.split('\r\n').length).toBe(before.split('\r\n').length);
    });
  });
}
