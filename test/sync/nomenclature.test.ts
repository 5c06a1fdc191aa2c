/**
 * Nomenclature sync against the emulator's demo seed and small custom seeds, on SQLite and
 * PostgreSQL: R16 brand/article split, B5 data-quality report, R15 MoySklad wins, archived and
 * deleted, B3 incremental with request counting, and resume of a killed run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSharedData } from '../../src/emulator/seed/shared-data.js';
import { splitProductCode } from '../../src/domain/product-code.js';
import { normalizeArticle, normalizeBrand } from '../../src/core/normalize.js';
import { ref } from '../../src/emulator/state/types.js';
import type { DialectName } from '../../src/store/database.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { lastRun, runKind, snapshot } from './nomenclature-helpers.js';

const data = loadSharedData();
const brandSet = new Set(data.brands.map((b) => b.brand));
const pgSkip = postgresUnavailableReason();

const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function fixture(dialect: DialectName, seed: 'demo' | 'empty' = 'demo'): Promise<SyncFixture> {
  const fx = await createSyncFixture({
    dialect,
    emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed }] },
  });
  fixtures.push(fx);
  return fx;
}

/** An empty account with one organization (the fixture needs one) and the given products. */
async function smallFixture(dialect: DialectName, products: Array<{ code?: string; article?: string; name?: string; archived?: boolean }>): Promise<SyncFixture> {
  const fx = await fixture(dialect, 'empty');
  const a = fx.emulator.account('admin@demo');
  for (const [i, p] of products.entries()) a.createProduct({ name: p.name ?? `Товар ${i + 1}`, code: p.code, article: p.article, archived: p.archived });
  return fx;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const block = dialect === 'postgres' && pgSkip ? describe.skip : describe;
  block(`nomenclature sync (${dialect}${dialect === 'postgres' && pgSkip ? `, SKIPPED: ${pgSkip}` : ''})`, () => {
    it('R16 gives the right brand and article for every well-formed demo product, brands with spaces and non-ASCII included', async () => {
      const fx = await fixture(dialect);
      const outcome = await runKind(fx, 'nomenclature.full');
      expect(outcome.status).toBe('ok');
      const account = fx.emulator.account('admin@demo');
      const rows = await fx.db.selectFrom('products').selectAll().where('syncState', '=', 'ok').execute();
      const byMsId = new Map(rows.map((r) => [r.msId, r]));
      // brand+article keys held by more than one MoySklad product are duplicates (tested separately).
      const keyCount = new Map<string, number>();
      for (const e of account.listProducts()) {
        const s = splitProductCode(e.f.code as string | undefined, e.f.article as string | undefined);
        if (!s.ok || e.f.archived === true) continue;
        const k = `${normalizeBrand(s.brand)}|${normalizeArticle(s.article)}`;
        keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
      }
      let checked = 0;
      for (const e of account.listProducts()) {
        const name = String(e.f.name);
        if (name.startsWith('Проверка кода') || name.includes('дубль') || name.includes('без артикула') || name.includes('без кода') || name.startsWith('Код с артикулом')) continue;
        // The demo writes well-formed products as Code = `${brand} ${article}` with a brand from brands.csv.
        const code = String(e.f.code);
        const article = String(e.f.article);
        const brand = code.slice(0, code.length - article.length - 1);
        expect(brandSet.has(brand), `${code} is a demo code with a known brand`).toBe(true);
        if (e.f.archived !== true && (keyCount.get(`${normalizeBrand(brand)}|${normalizeArticle(article)}`) ?? 0) > 1) continue;
        const row = byMsId.get(e.id);
        expect(row, `${code} synced`).toBeDefined();
        expect(row?.brand).toBe(brand);
        expect(row?.article).toBe(article);
        expect(row?.articleNorm).toBe(normalizeArticle(article));
        expect(row?.brandNorm).toBe(normalizeBrand(brand));
        checked += 1;
      }
      expect(checked).toBeGreaterThan(2050);
      for (const b of ['FEBI BILSTEIN', 'LEMFÖRDER', 'ВАЗ', '555', 'MEAT & DORIA', 'HYUNDAI/KIA', 'MANN-FILTER']) {
        expect(rows.some((r) => r.brand === b), `brand ${b} present`).toBe(true);
      }
      const run = await lastRun(fx, 'nomenclature.full');
      expect(run.status).toBe('ok');
      expect(run.counts.created).toBe(rows.length);
      // 2,1xx products in pages of 1000 plus one page of variants: 4 list requests (B2).
      expect(run.requests).toBe(4);
    });

    it('B5 reports every broken demo product with its reason key', async () => {
      const fx = await fixture(dialect);
      await runKind(fx, 'nomenclature.full');
      const issues = await fx.db.selectFrom('dataQualityIssues').selectAll().execute();
      const byMsId = new Map(issues.map((i) => [i.msProductId, i]));
      const account = fx.emulator.account('admin@demo');
      const synced = new Set((await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').execute()).map((r) => r.msId));
      let broken = 0;
      for (const e of account.listProducts()) {
        const split = splitProductCode(e.f.code as string | undefined, e.f.article as string | undefined);
        if (split.ok) continue;
        broken += 1;
        const issue = byMsId.get(e.id);
        expect(issue, `${String(e.f.code)} / ${String(e.f.article)} reported`).toBeDefined();
        expect(issue?.reason).toBe(split.reason);
        expect(synced.has(e.id)).toBe(false);
      }
      expect(broken).toBeGreaterThanOrEqual(25);
      // Every tricky-codes.csv `skip` row seeded as a product is reported with the CSV's reason.
      for (const t of data.tricky.filter((r) => r.expected_outcome === 'skip')) {
        const reason = t.why.split(':')[0];
        const candidates = issues.filter((i) => (i.code ?? '') === t.code && (i.article ?? '') === t.article);
        if (candidates.length === 0) continue; // an exact Code repeated in the CSV is seeded once
        expect(candidates.map((c) => c.reason)).toContain(reason);
      }
      for (const reason of ['empty-code', 'empty-article', 'empty-brand', 'article-not-at-end', 'duplicate-brand-article']) {
        expect(issues.some((i) => i.reason === reason), `reason ${reason} present`).toBe(true);
      }
    });

    it('B5 reports both products of a brand+normalized-article duplicate and keeps exactly the first one synced', async () => {
      const fx = await smallFixture(dialect, [
        { code: 'MAHLE OC 1196', article: 'OC 1196' },
        { code: 'mahle OC1196', article: 'OC1196' },
        { code: 'MANN-FILTER W 712/75', article: 'W 712/75' },
      ]);
      const a = fx.emulator.account('admin@demo');
      const [first, second] = a.listProducts();
      await runKind(fx, 'nomenclature.full');
      const issues = await fx.db.selectFrom('dataQualityIssues').selectAll().orderBy('msProductId').execute();
      expect(issues.map((i) => i.reason)).toEqual(['duplicate-brand-article', 'duplicate-brand-article']);
      expect(new Set(issues.map((i) => i.msProductId))).toEqual(new Set([first?.id, second?.id]));
      const ok = await fx.db.selectFrom('products').select(['msId', 'brand']).where('syncState', '=', 'ok').execute();
      const keptOfPair = ok.filter((r) => r.msId === first?.id || r.msId === second?.id);
      expect(keptOfPair).toHaveLength(1);
      const kept = keptOfPair[0]?.msId;

      // A second pass changes nothing: the same one stays synced (no flip-flop).
      fx.clock.advance(60_000);
      await runKind(fx, 'nomenclature.full');
      const again = await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').execute();
      expect(again.filter((r) => r.msId === first?.id || r.msId === second?.id).map((r) => r.msId)).toEqual([kept]);

      // Fixing the other product's article in MoySklad syncs it and clears both reports.
      const loser = kept === first?.id ? second : first;
      fx.clock.advance(60_000);
      a.updateProduct(loser?.id ?? '', { code: 'MAHLE OC 1197', article: 'OC 1197' });
      await runKind(fx, 'nomenclature.full');
      expect(await fx.db.selectFrom('dataQualityIssues').selectAll().execute()).toEqual([]);
      expect(await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').execute()).toHaveLength(3);
    });

    it('B5 a reported product that syncs again leaves the report with the page that writes it (incremental pass, no full pass needed)', async () => {
      const fx = await smallFixture(dialect, [
        { code: 'MAHLE OC 1196', article: 'OC 1196' },
        { code: 'mahle OC1196', article: 'OC1196' },
        { code: 'MANN-FILTER W 712/75', article: 'W 712/75' },
      ]);
      const a = fx.emulator.account('admin@demo');
      const [first, second] = a.listProducts();
      await runKind(fx, 'nomenclature.full');
      const ok = new Set((await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').execute()).map((r) => r.msId));
      const loser = ok.has(first?.id ?? '') ? second : first;
      const reported = async (): Promise<string[]> => (await fx.db.selectFrom('dataQualityIssues').select('msProductId').execute()).map((r) => r.msProductId);
      expect(await reported()).toContain(loser?.id);

      fx.clock.advance(60_000);
      a.updateProduct(loser?.id ?? '', { code: 'MAHLE OC 1197', article: 'OC 1197' });
      await runKind(fx, 'nomenclature.incremental');
      expect(await reported()).not.toContain(loser?.id);
      const row = await fx.db.selectFrom('products').select(['syncState', 'article']).where('msId', '=', loser?.id ?? '').executeTakeFirstOrThrow();
      expect(row).toEqual({ syncState: 'ok', article: 'OC 1197' });
    });

    it('R15 MoySklad wins; archived is kept as archived; deletion is inferred only from a complete pass', async () => {
      const fx = await smallFixture(dialect, [
        { code: 'MAHLE OC90', article: 'OC90', name: 'Фильтр масляный' },
        { code: 'BOSCH 0 986 452 041', article: '0 986 452 041' },
        { code: 'ВАЗ 2112-1006040', article: '2112-1006040' },
      ]);
      const a = fx.emulator.account('admin@demo');
      const [p1, p2, p3] = a.listProducts();
      await runKind(fx, 'nomenclature.full');
      // The store edits a product; MoySklad changes it; MoySklad wins.
      await fx.db.updateTable('products').set({ name: 'edited in the store', brand: 'X' }).where('msId', '=', p1?.id ?? '').execute();
      fx.clock.advance(120_000);
      a.updateProduct(p1?.id ?? '', { name: 'Фильтр масляный MAHLE', code: 'KNECHT OC90' });
      a.archiveProduct(p2?.id ?? '');
      a.deleteProduct(p3?.id ?? '');
      fx.clock.advance(1_000);
      const inc = await runKind(fx, 'nomenclature.incremental');
      expect(inc.counts).toMatchObject({ updated: 2, archived: 1 });
      const row1 = await fx.db.selectFrom('products').selectAll().where('msId', '=', p1?.id ?? '').executeTakeFirstOrThrow();
      expect(row1).toMatchObject({ name: 'Фильтр масляный MAHLE', brand: 'KNECHT', article: 'OC90' });
      expect((await fx.db.selectFrom('products').select('archived').where('msId', '=', p2?.id ?? '').executeTakeFirstOrThrow()).archived).toBe(1);
      // An incremental pass never infers a deletion.
      expect((await fx.db.selectFrom('products').select('deleted').where('msId', '=', p3?.id ?? '').executeTakeFirstOrThrow()).deleted).toBe(0);
      // A full pass that is killed before the end infers nothing either.
      const ac = new AbortController();
      ac.abort(new Error('killed'));
      await expect(runKind(fx, 'nomenclature.full', { signal: ac.signal })).rejects.toThrow();
      expect((await fx.db.selectFrom('products').select('deleted').where('msId', '=', p3?.id ?? '').executeTakeFirstOrThrow()).deleted).toBe(0);
      // A complete pass does.
      const full = await runKind(fx, 'nomenclature.full');
      expect(full.counts?.deleted).toBe(1);
      const rows = await fx.db.selectFrom('products').select(['msId', 'deleted', 'archived']).orderBy('msId').execute();
      expect(rows.find((r) => r.msId === p3?.id)?.deleted).toBe(1);
      expect(rows.filter((r) => r.deleted === 1)).toHaveLength(1);
    });

    it('R17 a product deleted during a full pass shifts the pages, yet no product that still exists is marked deleted', async () => {
      const fx = await fixture(dialect);
      const a = fx.emulator.account('admin@demo');
      await runKind(fx, 'nomenclature.full', { options: { pageLimit: 300 } });
      // The pass reads by id: deleting a product of the first page after it was read shifts the
      // later pages left by one, so one product is not seen by offset paging.
      const byId = [...a.listProducts()].sort((x, y) => (x.id < y.id ? -1 : 1));
      const victim = byId[10];
      if (!victim) throw new Error('demo seed too small');
      fx.clock.advance(60_000);
      let pages = 0;
      const out = await runKind(fx, 'nomenclature.full', {
        options: { pageLimit: 300 },
        onProgress: () => {
          pages += 1;
          if (pages === 1) a.deleteProduct(victim.id);
        },
      });
      expect(out.status).toBe('ok');
      // The product the shift hid was looked up by id (one extra request) and found, so nothing that
      // exists is marked deleted; the victim was read before it went, so the next pass marks it.
      expect(out.counts?.requests).toBe(Math.ceil((byId.length - 1) / 300) + 1 + 1);
      expect(await fx.db.selectFrom('products').select('msId').where('deleted', '=', 1).execute()).toEqual([]);
      fx.clock.advance(60_000);
      await runKind(fx, 'nomenclature.full', { options: { pageLimit: 300 } });
      const after = await fx.db.selectFrom('products').select('msId').where('deleted', '=', 1).execute();
      expect(after.map((r) => r.msId)).toEqual([victim.id]);
    });

    it('C2 stores a variant as kind variant with its parent product, and a product as kind product', async () => {
      const fx = await smallFixture(dialect, [{ code: 'LIQUI MOLY 7536', article: '7536', name: 'Масло моторное' }]);
      const a = fx.emulator.account('admin@demo');
      const parent = a.listProducts()[0];
      if (!parent) throw new Error('seeded product missing');
      const variant = a.createEntity('variant', {
        name: 'Масло моторное (4 л)',
        code: 'LIQUI MOLY 7536-4',
        article: '7536-4',
        archived: false,
        product: ref('product', parent.id),
        characteristics: [{ id: 'c1', name: 'Объём', value: '4 л' }],
      });
      await runKind(fx, 'nomenclature.full');
      const rows = await fx.db.selectFrom('products').select(['msId', 'kind', 'parentMsId', 'brand', 'article']).orderBy('id').execute();
      expect(rows).toEqual([
        { msId: parent.id, kind: 'product', parentMsId: null, brand: 'LIQUI MOLY', article: '7536' },
        { msId: variant.id, kind: 'variant', parentMsId: parent.id, brand: 'LIQUI MOLY', article: '7536-4' },
      ]);
    });

    it('B3 an incremental run reads only what changed: one page of products and one of variants', async () => {
      const fx = await fixture(dialect);
      fx.clock.advance(10 * 60_000);
      await runKind(fx, 'nomenclature.full');
      fx.clock.advance(10 * 60_000);
      const a = fx.emulator.account('admin@demo');
      // One page of products, one of variants, and (C9) one look-up by id of the cards kept for the
      // demo's duplicate brand+article pairs (an incremental list never shows a deletion).
      const nothing = await runKind(fx, 'nomenclature.incremental');
      expect(nothing.counts).toMatchObject({ requests: 3 });
      expect(nothing.counts?.updated ?? 0).toBe(0);
      expect(nothing.counts?.created ?? 0).toBe(0);
      // Idle runs do not drift back by the overlap: nothing is re-read however many of them run.
      for (let i = 0; i < 12; i++) {
        fx.clock.advance(60_000);
        const idle = await runKind(fx, 'nomenclature.incremental');
        expect(idle.counts).toEqual({ requests: 3 });
      }

      fx.clock.advance(10 * 60_000);
      const targets = a.listProducts().filter((e) => splitProductCode(e.f.code as string, e.f.article as string).ok).slice(100, 103);
      for (const t of targets) a.updateProduct(t.id, { name: `${String(t.f.name)} (новое имя)` });
      a.createProduct({ name: 'Новый фильтр', code: 'MAHLE OX 9999D', article: 'OX 9999D' });
      fx.clock.advance(60_000);
      const changed = await runKind(fx, 'nomenclature.incremental');
      expect(changed.counts).toMatchObject({ updated: 3, created: 1, requests: 3 });
      const run = await lastRun(fx, 'nomenclature.incremental');
      expect(run.requests).toBe(3);
      const names = await fx.db.selectFrom('products').select('name').where('msId', 'in', targets.map((t) => t.id)).execute();
      expect(names.every((n) => n.name.endsWith('(новое имя)'))).toBe(true);
    });

    it('B3 a full pass killed after two pages resumes from its checkpoint and ends equal to an uninterrupted one', async () => {
      const reference = await fixture(dialect);
      await runKind(reference, 'nomenclature.full', { options: { pageLimit: 300 } });
      const expected = await snapshot(reference);
      const uninterruptedRequests = (await lastRun(reference, 'nomenclature.full')).requests;

      const fx = await fixture(dialect);
      const ac = new AbortController();
      let pages = 0;
      await expect(
        runKind(fx, 'nomenclature.full', {
          signal: ac.signal,
          options: { pageLimit: 300 },
          onProgress: () => {
            pages += 1;
            if (pages === 2) ac.abort(new Error('killed after 2 pages'));
          },
        }),
      ).rejects.toThrow();
      const failed = await lastRun(fx, 'nomenclature.full');
      expect(failed.status).toBe('failed');
      const partial = await fx.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(partial.n)).toBeGreaterThan(0);
      expect(Number(partial.n)).toBeLessThan(expected.products.length);

      fx.emulator.resetStats();
      const resumed = await runKind(fx, 'nomenclature.full', { options: { pageLimit: 300 } });
      expect(resumed.message).toContain('resumed from checkpoint');
      // The resumed run reads only the pages the killed one had not finished.
      expect(resumed.counts?.requests).toBe(uninterruptedRequests - 2);
      expect(await snapshot(fx)).toEqual(expected);
    });

    it('B3 an incremental pass killed mid-way resumes from its checkpoint and ends equal to an uninterrupted one', async () => {
      const setup = async (): Promise<SyncFixture> => {
        const fx = await fixture(dialect);
        fx.clock.advance(10 * 60_000);
        await runKind(fx, 'nomenclature.full');
        fx.clock.advance(10 * 60_000);
        const a = fx.emulator.account('admin@demo');
        const list = a.listProducts();
        for (let i = 0; i < list.length; i += 3) {
          const e = list[i];
          if (e) a.updateProduct(e.id, { name: `${String(e.f.name)} v2` });
          fx.clock.advance(7);
        }
        fx.clock.advance(60_000);
        return fx;
      };
      const reference = await setup();
      await runKind(reference, 'nomenclature.incremental', { options: { pageLimit: 100 } });
      const expected = await snapshot(reference);
      const uninterruptedRequests = (await lastRun(reference, 'nomenclature.incremental')).requests;
      expect(uninterruptedRequests).toBeGreaterThanOrEqual(8);

      const fx = await setup();
      const ac = new AbortController();
      let pages = 0;
      await expect(
        runKind(fx, 'nomenclature.incremental', {
          signal: ac.signal,
          options: { pageLimit: 100 },
          onProgress: () => {
            pages += 1;
            if (pages === 3) ac.abort(new Error('killed after 3 pages'));
          },
        }),
      ).rejects.toThrow();
      const resumed = await runKind(fx, 'nomenclature.incremental', { options: { pageLimit: 100 } });
      expect(resumed.message).toContain('resumed from checkpoint');
      expect(await snapshot(fx)).toEqual(expected);
      // ~700 changed products in pages of 100: the resumed run did not start over.
      expect(resumed.counts?.requests).toBe(uninterruptedRequests - 3);
    });
  });
}
