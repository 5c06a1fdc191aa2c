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
import { runKind } from '../sync/nomenclature-helpers.js';
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
  });
}
