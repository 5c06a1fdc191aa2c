/**
 * C2 (catalog side): variants (модификации) in the catalog, against the emulator over HTTP, on
 * SQLite and PostgreSQL. A variant without its own Code/Article is catalogued from its product's
 * Code and named with its characteristics; the demo's oil variants reach the demo store's price list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ref } from '../../src/emulator/index.js';
import type { DialectName } from '../../src/store/database.js';
import { syncPriceListStock } from '../../src/sync/stock/index.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { runKind } from './nomenclature-helpers.js';
import { createPriceList, currentRows } from './stock-fixture.js';

const pgSkip = postgresUnavailableReason();
const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function fixture(dialect: DialectName, seed: 'demo' | 'empty'): Promise<SyncFixture> {
  const fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed }] } });
  fixtures.push(fx);
  return fx;
}

/** The catalog rows, products first, then by name (the full pass pages by MoySklad id, so store order is random). */
const catalogRows = async (fx: SyncFixture) => {
  const rows = await fx.db.selectFrom('products').select(['msId', 'kind', 'parentMsId', 'brand', 'article', 'articleNorm', 'code', 'name', 'syncState', 'keyFromParent', 'msFolderId']).execute();
  const key = (r: (typeof rows)[number]) => `${r.kind}\u0000${r.name.replace(/\d+/g, (d) => d.padStart(4, '0'))}`;
  return rows.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
};

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && pgSkip !== null)(`variants in the catalog (${dialect})`, () => {
    it('C2 a variant without its own article is catalogued from its product’s Code and named with its characteristics; one with its own keeps them', async () => {
      const fx = await fixture(dialect, 'empty');
      const a = fx.emulator.account('admin@demo');
      const folder = a.createEntity('productfolder', { name: 'Масла' });
      const oil = a.createProduct({ name: 'Масло моторное 5W-30', code: 'LIQUI MOLY 7536', article: '7536', folderId: folder.id, salePrice: 900_00 });
      const chars = (value: string) => [{ id: a.ids(), name: 'Объём', value }];
      const one = a.createEntity('variant', { name: 'Масло моторное 5W-30 (1 л)', product: ref('product', oil.id), characteristics: chars('1 л') });
      const four = a.createEntity('variant', { name: 'Масло моторное 5W-30 (4 л)', code: 'LIQUI MOLY 7536-4', product: ref('product', oil.id), characteristics: chars('4 л') });
      const own = a.createEntity('variant', { name: 'Масло моторное 5W-30 (20 л)', code: 'LIQUI MOLY 7536-20', article: '7536-20', product: ref('product', oil.id), characteristics: chars('20 л') });
      const out = await runKind(fx, 'nomenclature.full');
      expect(out.counts).toMatchObject({ created: 4 });
      expect(out.counts?.skipped ?? 0).toBe(0);
      const base = { kind: 'variant', parentMsId: oil.id, syncState: 'ok', msFolderId: folder.id };
      expect(await catalogRows(fx)).toEqual([
        { msId: oil.id, kind: 'product', parentMsId: null, brand: 'LIQUI MOLY', article: '7536', articleNorm: '7536', code: 'LIQUI MOLY 7536', name: 'Масло моторное 5W-30', syncState: 'ok', keyFromParent: 0, msFolderId: folder.id },
        { ...base, msId: one.id, brand: 'LIQUI MOLY', article: '7536', articleNorm: '7536', code: null, name: 'Масло моторное 5W-30 (Объём: 1 л)', keyFromParent: 1 },
        { ...base, msId: four.id, brand: 'LIQUI MOLY', article: '7536', articleNorm: '7536', code: 'LIQUI MOLY 7536-4', name: 'Масло моторное 5W-30 (Объём: 4 л)', keyFromParent: 1 },
        { ...base, msId: own.id, brand: 'LIQUI MOLY', article: '7536-20', articleNorm: '753620', code: 'LIQUI MOLY 7536-20', name: 'Масло моторное 5W-30 (Объём: 20 л)', keyFromParent: 0 },
      ]);
      // The family shares a brand+article without being reported as duplicates, and nothing is in the report.
      expect(await fx.db.selectFrom('dataQualityIssues').selectAll().execute()).toEqual([]);
    });

    it('C2 a variant without its own article whose product is not synced is reported, not catalogued', async () => {
      const fx = await fixture(dialect, 'empty');
      const a = fx.emulator.account('admin@demo');
      const broken = a.createProduct({ name: 'Масло без артикула', code: 'LIQUI MOLY' });
      const v = a.createEntity('variant', { name: 'Масло без артикула (1 л)', product: ref('product', broken.id), characteristics: [{ id: a.ids(), name: 'Объём', value: '1 л' }] });
      await runKind(fx, 'nomenclature.full');
      expect((await catalogRows(fx)).filter((r) => r.syncState === 'ok')).toEqual([]);
      const issues = await fx.db.selectFrom('dataQualityIssues').select(['msProductId', 'reason']).orderBy('reason').execute();
      expect(issues).toEqual([
        { msProductId: broken.id, reason: 'empty-article' },
        { msProductId: v.id, reason: 'parent-not-synced' },
      ]);
      // Once the product is fixed, the next full pass catalogues both.
      fx.clock.advance(60_000);
      a.updateProduct(broken.id, { code: 'LIQUI MOLY 3707', article: '3707' });
      await runKind(fx, 'nomenclature.full');
      expect((await catalogRows(fx)).map((r) => [r.msId, r.syncState, r.article])).toEqual([
        [broken.id, 'ok', '3707'],
        [v.id, 'ok', '3707'],
      ]);
      expect(await fx.db.selectFrom('dataQualityIssues').selectAll().execute()).toEqual([]);
    });

    it('C2 when the product’s name or Code changes, its variants follow on the next incremental pass', async () => {
      const fx = await fixture(dialect, 'empty');
      const a = fx.emulator.account('admin@demo');
      const oil = a.createProduct({ name: 'Масло моторное 5W-30', code: 'LIQUI MOLY 7536', article: '7536' });
      const v = a.createEntity('variant', { name: 'x', product: ref('product', oil.id), characteristics: [{ id: a.ids(), name: 'Объём', value: '4 л' }] });
      await runKind(fx, 'nomenclature.full');
      fx.clock.advance(10 * 60_000);
      a.updateProduct(oil.id, { name: 'Масло синтетическое 5W-30', code: 'LIQUI MOLY 8100', article: '8100' });
      fx.clock.advance(60_000);
      const inc = await runKind(fx, 'nomenclature.incremental');
      expect(inc.status).toBe('ok');
      const row = (await catalogRows(fx)).find((r) => r.msId === v.id);
      expect(row).toMatchObject({ brand: 'LIQUI MOLY', article: '8100', name: 'Масло синтетическое 5W-30 (Объём: 4 л)', keyFromParent: 1 });
    });

    it('C2 the demo’s oil variants are in the catalog and have stock and a price in the demo store’s price list', async () => {
      const fx = await fixture(dialect, 'demo');
      const a = fx.emulator.account('admin@demo');
      await runKind(fx, 'nomenclature.full');
      const variants = a.rows('variant');
      expect(variants).toHaveLength(3);
      const parent = (await catalogRows(fx)).find((r) => r.msId === (variants[0]!.f.product as { $ref: { id: string } }).$ref.id)!;
      const rows = (await catalogRows(fx)).filter((r) => r.kind === 'variant');
      expect(rows.map((r) => [r.name, r.brand, r.article, r.syncState])).toEqual(
        ['1 л', '4 л', '5 л'].map((vol) => [`${parent.name} (Объём: ${vol})`, parent.brand, parent.article, 'ok']),
      );
      expect(await fx.db.selectFrom('dataQualityIssues').select('msProductId').where('msProductId', 'in', variants.map((v) => v.id)).execute()).toEqual([]);
      const store = a.stores[0]!.id;
      const id = await createPriceList(fx, { name: 'demo', msStoreId: store });
      await syncPriceListStock({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps }, { priceListId: id, mode: 'full', trigger: 'manual' });
      const list = await currentRows(fx, id);
      for (const [i, v] of variants.entries()) {
        expect(list.get(v.id), String(v.f.name)).toMatchObject({ quantity: a.stockOf(v.id, store)?.stock, price: 500_00 * (i + 1), article: parent.article });
        expect(list.get(v.id)?.quantity).toBeGreaterThan(0);
      }
    });
  });
}
