/**
 * C7 normalized keys in the duplicate check and the catalog search, and C9 the hand-over of a
 * duplicate brand+article on the incremental pass — against the emulator over HTTP, on SQLite and
 * PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { splitProductCode } from '../../src/domain/product-code.js';
import type { DialectName } from '../../src/store/database.js';
import { apiFor } from '../helpers/api-app.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { lastRun, runKind } from './nomenclature-helpers.js';

const pgSkip = postgresUnavailableReason();
const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function smallFixture(dialect: DialectName, products: Array<{ code?: string; article?: string; name?: string }>): Promise<SyncFixture> {
  const fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
  fixtures.push(fx);
  const a = fx.emulator.account('admin@demo');
  for (const [i, p] of products.entries()) a.createProduct({ name: p.name ?? `Товар ${i + 1}`, code: p.code, article: p.article, salePrice: 100_00 });
  // Cards older than the first incremental window: an incremental pass reads only what changes later.
  fx.clock.advance(10 * 60_000);
  return fx;
}

const state = async (fx: SyncFixture) =>
  Object.fromEntries((await fx.db.selectFrom('products').select(['msId', 'syncState', 'skipReason', 'archived', 'deleted']).execute()).map((r) => [r.msId, `${r.syncState}${r.skipReason ? `:${r.skipReason}` : ''}${r.archived ? ':archived' : ''}${r.deleted ? ':deleted' : ''}`]));

async function api(fx: SyncFixture) {
  const { call } = await apiFor(fx);
  return async (path: string) => JSON.parse((await call('GET', path)).text) as { total: number; items: Array<{ msId: string; brand: string; article: string }> };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && pgSkip !== null)(`normalized keys and duplicates (${dialect})`, () => {
    it('C7 an article typed with Cyrillic look-alikes is the same part as the Latin one for the duplicate check', async () => {
      // Code and Article agree within each product (R16 splits both), but one is typed in Cyrillic.
      const fx = await smallFixture(dialect, [
        { code: 'MAHLE OC90', article: 'OC90', name: 'Латиница' },
        { code: 'MAHLE ОС90', article: 'ОС90', name: 'Кириллица' },
      ]);
      const [latin, cyrillic] = fx.emulator.account('admin@demo').listProducts();
      await runKind(fx, 'nomenclature.full');
      const issues = await fx.db.selectFrom('dataQualityIssues').select(['msProductId', 'reason']).orderBy('msProductId').execute();
      expect(issues.map((i) => i.reason)).toEqual(['duplicate-brand-article', 'duplicate-brand-article']);
      const rows = await fx.db.selectFrom('products').select(['msId', 'article', 'articleNorm', 'syncState']).execute();
      expect(rows.every((r) => r.articleNorm === 'OC90')).toBe(true);
      // The catalog keeps each card's own spelling.
      expect(rows.find((r) => r.msId === cyrillic!.id)?.article).toBe('ОС90');
      expect(rows.find((r) => r.msId === latin!.id)?.article).toBe('OC90');
      expect(rows.filter((r) => r.syncState === 'ok')).toHaveLength(1);
    });

    it('C7 the catalog search finds a part by its article typed with Cyrillic look-alikes, NFD letters or in lower case', async () => {
      const fx = await smallFixture(dialect, [
        { code: 'MAHLE OC90', article: 'OC90' },
        { code: 'LEMFÖRDER 30634 01', article: '30634 01' },
        { code: 'FEBI ÖL-123', article: 'ÖL-123' },
      ]);
      await runKind(fx, 'nomenclature.full');
      const get = await api(fx);
      expect((await get(`/api/v1/catalog/products?article=${encodeURIComponent('ос 90')}`)).items.map((p) => p.article)).toEqual(['OC90']);
      expect((await get(`/api/v1/catalog/products?q=${encodeURIComponent('ОС9')}`)).items.map((p) => p.article)).toEqual(['OC90']);
      expect((await get(`/api/v1/catalog/products?article=${encodeURIComponent('öl123'.normalize('NFD'))}`)).items.map((p) => p.article)).toEqual(['ÖL-123']);
      expect((await get(`/api/v1/catalog/products?brand=${encodeURIComponent('lemförder'.normalize('NFD'))}`)).items.map((p) => p.brand)).toEqual(['LEMFÖRDER']);
    });

    it('C7 a Code typed with decomposed (NFD) letters is split and stored in NFC', async () => {
      const fx = await smallFixture(dialect, [{ code: 'LEMFÖRDER 30634 01'.normalize('NFD'), article: '30634 01' }]);
      await runKind(fx, 'nomenclature.full');
      const [row] = await fx.db.selectFrom('products').select(['brand', 'brandNorm', 'syncState']).execute();
      expect(row).toEqual({ brand: 'LEMFÖRDER', brandNorm: 'LEMFÖRDER', syncState: 'ok' });
      expect(row?.brand).toBe('LEMFÖRDER'.normalize('NFC'));
    });

    it('C9 when the kept card of a duplicate is archived, the other card takes its place on the next incremental pass', async () => {
      const fx = await smallFixture(dialect, [
        { code: 'MAHLE OC 1196', article: 'OC 1196', name: 'Первая' },
        { code: 'mahle OC1196', article: 'OC1196', name: 'Вторая' },
        { code: 'MAHLE OC 90', article: 'OC 90' },
      ]);
      const a = fx.emulator.account('admin@demo');
      await runKind(fx, 'nomenclature.full');
      const before = await state(fx);
      const kept = Object.keys(before).find((id) => before[id] === 'ok' && a.product(id)?.f.name !== 'Товар 3')!;
      const other = Object.keys(before).find((id) => before[id] === 'skipped:duplicate-brand-article')!;
      expect(kept).toBeDefined();
      expect(other).toBeDefined();
      // The card kept out is stored with its fields (ready to take over), not only reported.
      const card = a.product(other)!;
      const split = splitProductCode(card.f.code as string, card.f.article as string);
      expect(await fx.db.selectFrom('products').select(['brand', 'article', 'name']).where('msId', '=', other).executeTakeFirstOrThrow()).toEqual({ brand: split.ok && split.brand, article: split.ok && split.article, name: card.f.name });

      fx.clock.advance(10 * 60_000);
      a.archiveProduct(kept);
      fx.clock.advance(60_000);
      const inc = await runKind(fx, 'nomenclature.incremental');
      expect(inc.counts).toMatchObject({ handedOver: 1 });
      expect(await state(fx)).toMatchObject({ [kept]: 'ok:archived', [other]: 'ok' });
      // The report entry of the pair is gone: no duplicate is left.
      expect(await fx.db.selectFrom('dataQualityIssues').selectAll().execute()).toEqual([]);
      // The next pass has nothing to hand over and no kept card with duplicates to check.
      fx.clock.advance(10 * 60_000);
      const quiet = await runKind(fx, 'nomenclature.incremental');
      expect(quiet.counts?.handedOver ?? 0).toBe(0);
      expect((await lastRun(fx, 'nomenclature.incremental')).requests).toBe(2);
    });

    it('C9 when the kept card of a duplicate is deleted in MoySklad, the other card takes its place on the next incremental pass', async () => {
      const fx = await smallFixture(dialect, [
        { code: 'MANN-FILTER C 3698/3', article: 'C 3698/3', name: 'Первая' },
        { code: 'MANN-FILTER  C 3698/3', article: 'C 3698/3', name: 'Вторая' },
        { code: 'mann-filter C 3698/3', article: 'C 3698/3', name: 'Третья' },
      ]);
      const a = fx.emulator.account('admin@demo');
      await runKind(fx, 'nomenclature.full');
      const before = await state(fx);
      const kept = Object.keys(before).find((id) => before[id] === 'ok')!;
      expect(Object.values(before).filter((s) => s === 'skipped:duplicate-brand-article')).toHaveLength(2);

      fx.clock.advance(10 * 60_000);
      a.deleteProduct(kept);
      fx.clock.advance(60_000);
      const inc = await runKind(fx, 'nomenclature.incremental');
      expect(inc.counts).toMatchObject({ handedOver: 1, deleted: 1 });
      const after = await state(fx);
      expect(after[kept]).toBe('ok:deleted');
      const okNow = Object.keys(after).filter((id) => after[id] === 'ok');
      expect(okNow).toHaveLength(1);
      // The card that came first among the others took over; the third is still kept out, and the report says so.
      const firstOther = (await fx.db.selectFrom('products').select(['msId']).where('msId', '!=', kept).orderBy('id').execute())[0]!.msId;
      expect(okNow).toEqual([firstOther]);
      const issues = await fx.db.selectFrom('dataQualityIssues').select(['msProductId', 'message']).orderBy('msProductId').execute();
      expect(issues).toHaveLength(2);
      const third = Object.keys(after).find((id) => id !== kept && id !== firstOther)!;
      expect(issues.find((i) => i.msProductId === third)?.message).toContain(`MoySklad product ${firstOther}, which stays synced`);
    });
  });
}
