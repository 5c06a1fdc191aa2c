/**
 * E4 the data-quality report through the API (`GET /api/v1/catalog/issues`), on SQLite and
 * PostgreSQL, after a real nomenclature pass over the emulator: reason code, Russian text,
 * MoySklad id, a link to the card in MoySklad's web UI (product or variant form), paged and
 * filterable by reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ref } from '../../src/emulator/state/types.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { PriceListIssueRepository } from '../../src/store/repositories/price-list-issue-repository.js';
import { addIntegration, runKind } from '../sync/nomenclature-helpers.js';
import { platformApi } from './api-client.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`data-quality report API (${dialect})`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    it('E4 lists every product and variant not synced with its reason, Russian text, MoySklad id and web UI link; paged and filtered by reason', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const a = fx.emulator.account('admin@demo');
      const good = a.createProduct({ name: 'Фильтр масляный', code: 'MAHLE OC 90', article: 'OC 90' });
      const noCode = a.createProduct({ name: 'Без кода', code: '', article: 'X1' });
      const dupA = a.createProduct({ name: 'Фильтр A', code: 'MAHLE OC 1196', article: 'OC 1196' });
      const dupB = a.createProduct({ name: 'Фильтр B', code: 'mahle OC1196', article: 'OC1196' });
      const variant = a.createEntity('variant', { name: 'Фильтр масляный (2 шт)', code: 'MAHLE OC 90-2', article: 'ZZ-2', archived: false, product: ref('product', good.id) });
      await runKind(fx, 'nomenclature.full');
      const api = await platformApi(fx);

      const all = await api.call('GET', '/api/v1/catalog/issues?limit=10');
      expect(all.status).toBe(200);
      expect(all.json).toMatchObject({ total: 4, limit: 10, offset: 0 });
      const byId = new Map((all.json.items as Array<{ msId: string }>).map((i) => [i.msId, i]));
      expect(byId.get(noCode.id)).toEqual({
        id: expect.any(Number),
        reason: 'empty-code',
        reasonText: 'пустой код',
        message: 'Code is empty',
        msId: noCode.id,
        msType: 'product',
        msUrl: `https://online.moysklad.ru/app/#good/edit?id=${noCode.id}`,
        msAccountId: fx.msAccountId,
        code: null,
        article: 'X1',
        name: 'Без кода',
        detectedAt: fx.clock.now().toISOString(),
      });
      expect(byId.get(variant.id)).toMatchObject({
        reason: 'article-not-at-end',
        reasonText: 'артикул не в конце кода',
        msType: 'variant',
        msUrl: `https://online.moysklad.ru/app/#feature/edit?id=${variant.id}`,
      });
      for (const d of [dupA, dupB]) expect(byId.get(d.id)).toMatchObject({ reason: 'duplicate-brand-article', reasonText: 'дубль бренда и артикула', msType: 'product' });
      expect(byId.has(good.id)).toBe(false);

      const dups = await api.call('GET', '/api/v1/catalog/issues?reason=duplicate-brand-article&limit=1');
      expect(dups.json).toMatchObject({ total: 2, limit: 1, offset: 0 });
      const page2 = await api.call('GET', '/api/v1/catalog/issues?reason=duplicate-brand-article&limit=1&offset=1');
      expect(new Set([dups.json.items[0].msId, page2.json.items[0].msId])).toEqual(new Set([dupA.id, dupB.id]));

      const bad = await api.call('GET', '/api/v1/catalog/issues?reason=no-such-reason');
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'reason', message: expect.any(String) }] });
      expect((await api.call('GET', '/api/v1/catalog/issues', undefined, {})).status).toBe(401);
    });

    it('E4 the report is scoped by integration (its root folder) and lists the products price lists left out (no price), paged and filtered', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const a = fx.emulator.account('admin@demo');
      const inside = a.createEntity('productfolder', { name: 'Фильтры', archived: false });
      const outside = a.createEntity('productfolder', { name: 'Прочее', archived: false });
      const badIn = a.createProduct({ name: 'Без кода 1', code: '', article: 'X1', folderId: inside.id });
      const badOut = a.createProduct({ name: 'Без кода 2', code: '', article: 'X2', folderId: outside.id });
      const priced = ['OC 90', 'OC 91', 'OC 92'].map((art) => a.createProduct({ name: `Фильтр ${art}`, code: `MAHLE ${art}`, article: art }));
      await fx.db.updateTable('integrations').set({ rootFolderMsId: inside.id }).where('id', '=', fx.integrationId).execute();
      const all = await addIntegration(fx, { code: 'spb', rootFolderMsId: null });
      await runKind(fx, 'nomenclature.full');
      const api = await platformApi(fx);
      expect((await api.call('GET', '/api/v1/catalog/issues')).json.total).toBe(2);
      const wide = await api.call('GET', `/api/v1/catalog/issues?integrationId=${all}`);
      expect(new Set(wide.json.items.map((i: { msId: string }) => i.msId))).toEqual(new Set([badIn.id, badOut.id]));
      const scoped = await api.call('GET', `/api/v1/catalog/issues?integrationId=${fx.integrationId}`);
      expect(scoped.json.items.map((i: { msId: string }) => i.msId)).toEqual([badIn.id]);
      expect((await api.call('GET', '/api/v1/catalog/issues?integrationId=999')).status).toBe(404);

      const now = fx.clock.now().toISOString();
      const list = await fx.db.insertInto('priceLists').values({ regionId: fx.regionId, name: 'Склад', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      await new PriceListIssueRepository(fx.db, fx.clock).record(Number(list.id), fx.msAccountId, 'no-price', priced.map((p) => p.id));
      const page1 = await api.call('GET', `/api/v1/catalog/price-list-issues?integrationId=${fx.integrationId}&reason=no-price&limit=2`);
      expect(page1.status).toBe(200);
      expect(page1.json).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(page1.json.items[0]).toEqual({
        id: expect.any(Number), priceListId: Number(list.id), reason: 'no-price', reasonText: 'нет цены', msId: expect.any(String),
        msUrl: expect.stringMatching(/^https:\/\/online\.moysklad\.ru\/app\/#good\/edit\?id=/), productId: expect.any(Number), brand: 'MAHLE', article: expect.any(String), name: expect.any(String), detectedAt: now,
      });
      const page2 = await api.call('GET', `/api/v1/catalog/price-list-issues?priceListId=${Number(list.id)}&limit=2&offset=2`);
      expect(new Set([...page1.json.items, ...page2.json.items].map((i: { msId: string }) => i.msId))).toEqual(new Set(priced.map((p) => p.id)));
      expect((await api.call('GET', '/api/v1/catalog/price-list-issues?reason=other')).status).toBe(400);
    });

    it("E4 a price-list issue of a variant links MoySklad's variant form (#feature/edit), of a product the product form (#good/edit)", async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const a = fx.emulator.account('admin@demo');
      const product = a.createProduct({ name: 'Фильтр масляный', code: 'MAHLE OC 90', article: 'OC 90' });
      const variant = a.createEntity('variant', { name: 'Фильтр масляный (2 шт)', code: 'MAHLE OC 91', article: 'OC 91', archived: false, product: ref('product', product.id) });
      await runKind(fx, 'nomenclature.full');
      const kinds = await fx.db.selectFrom('products').select(['msId', 'kind']).orderBy('msId').execute();
      expect(new Map(kinds.map((k) => [k.msId, k.kind]))).toEqual(new Map([[product.id, 'product'], [variant.id, 'variant']]));
      const now = fx.clock.now().toISOString();
      const list = await fx.db.insertInto('priceLists').values({ regionId: fx.regionId, name: 'Склад', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      await new PriceListIssueRepository(fx.db, fx.clock).record(Number(list.id), fx.msAccountId, 'no-price', [product.id, variant.id]);
      const api = await platformApi(fx);
      const res = await api.call('GET', `/api/v1/catalog/price-list-issues?priceListId=${Number(list.id)}`);
      expect(res.status).toBe(200);
      const urls = new Map((res.json.items as Array<{ msId: string; msUrl: string }>).map((i) => [i.msId, i.msUrl]));
      expect(urls).toEqual(
        new Map([
          [product.id, `https://online.moysklad.ru/app/#good/edit?id=${product.id}`],
          [variant.id, `https://online.moysklad.ru/app/#feature/edit?id=${variant.id}`],
        ]),
      );
    });
  });
}
