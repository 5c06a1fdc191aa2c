/**
 * C5 The integration's root folder limits GOODS, not only categories: products outside its subtree
 * are not in its catalog (API) or its price lists and are not reported as errors; a changed root is
 * picked up by the next pass. Against the demo seed over HTTP, on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/store/database.js';
import { DataQualityRepository } from '../../src/store/repositories/data-quality-repository.js';
import { syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { apiFor } from '../helpers/api-app.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { addIntegration, lastRun, runKind } from './nomenclature-helpers.js';
import { createPriceList, currentRows } from './stock-fixture.js';

const pgSkip = postgresUnavailableReason();
const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

interface Harness {
  fx: SyncFixture;
  /** Folder ids under (and including) a top folder of the demo tree, by its path prefix. */
  subtree(prefix: string): Set<string>;
  folderId(path: string): string;
  setRoot(integrationId: number, path: string | null): Promise<void>;
  products(query: string): Promise<{ total: number; items: Array<{ msId: string; kind: string; categoryId: number | null }> }>;
  stockDeps: StockSyncDeps;
}

async function harness(dialect: DialectName): Promise<Harness> {
  const fx = await createSyncFixture({ dialect, emulator: { limits: false } });
  fixtures.push(fx);
  const a = fx.emulator.account('admin@demo');
  const folderId = (path: string): string => {
    const f = a.folders.find((e) => a.folderFullPath(e.id) === path);
    if (!f) throw new Error(`no folder ${path}`);
    return f.id;
  };
  const subtree = (prefix: string) => new Set(a.folders.filter((f) => `${a.folderFullPath(f.id)}/`.startsWith(`${prefix}/`)).map((f) => f.id));
  const { call } = await apiFor(fx);
  const products = async (query: string) => {
    const res = await call('GET', `/api/v1/catalog/products?limit=500&${query}`);
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as { total: number; items: Array<{ msId: string; kind: string; categoryId: number | null }> };
  };
  const setRoot = async (integrationId: number, path: string | null) => {
    await fx.db.updateTable('integrations').set({ rootFolderMsId: path === null ? null : folderId(path) }).where('id', '=', integrationId).execute();
  };
  return { fx, subtree, folderId, setRoot, products, stockDeps: { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps } };
}

/** Live synced products of the account in these folders. */
async function syncedIn(h: Harness, folders: Set<string>): Promise<Set<string>> {
  const rows = await h.fx.db.selectFrom('products').select(['msId', 'msFolderId']).where('syncState', '=', 'ok').where('archived', '=', 0).where('deleted', '=', 0).execute();
  return new Set(rows.filter((r) => r.msFolderId !== null && folders.has(r.msFolderId)).map((r) => r.msId));
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && pgSkip !== null)(`root folder limits goods (${dialect})`, () => {
    it('C5 products outside the root folder are not in the integration’s catalog or price list and are not reported as errors', async () => {
      const h = await harness(dialect);
      const liquids = h.subtree('Масла и жидкости');
      const parts = h.subtree('Автозапчасти');
      await h.setRoot(h.fx.integrationId, 'Масла и жидкости');
      const out = await runKind(h.fx, 'nomenclature.full');
      // The demo's broken codes all sit under Автозапчасти: outside the root, so counted, not reported.
      expect(out.counts?.outsideRoot).toBeGreaterThanOrEqual(25);
      expect(out.counts?.skipped ?? 0).toBe(0);
      expect(await h.fx.db.selectFrom('dataQualityIssues').selectAll().execute()).toEqual([]);
      // One more request than without a root: the folder tree (4 lists + 1).
      expect((await lastRun(h.fx, 'nomenclature.full')).requests).toBe(5);

      const inRoot = await syncedIn(h, liquids);
      expect(inRoot.size).toBeGreaterThan(50);
      const forIntegration = await h.products(`integrationId=${h.fx.integrationId}`);
      expect(forIntegration.total).toBe(inRoot.size);
      expect(forIntegration.items.every((p) => inRoot.has(p.msId))).toBe(true);
      const whole = await h.products('');
      expect(whole.total).toBe(inRoot.size);
      // Products outside the root stay in the account's directory (another region may show them).
      expect((await syncedIn(h, parts)).size).toBeGreaterThan(1000);

      const store = h.fx.emulator.account('admin@demo').stores[0]!.id;
      const pl = await createPriceList(h.fx, { name: 'liquids', msStoreId: store });
      const run = await syncPriceListStock(h.stockDeps, { priceListId: pl, mode: 'full', trigger: 'manual' });
      const rows = await currentRows(h.fx, pl);
      expect(rows.size).toBeGreaterThan(0);
      expect([...rows.keys()].every((id) => inRoot.has(id))).toBe(true);
      expect(run.counts.outsideRoot).toBeGreaterThan(1000);
      expect(h.fx.log.messages().filter((m) => m.includes('left out because the product is archived, deleted or not synced'))).toEqual([]);
    });

    it('C5 a changed root folder is picked up by the next pass: catalog at once, report and price list on their next run', async () => {
      const h = await harness(dialect);
      await h.setRoot(h.fx.integrationId, 'Масла и жидкости');
      await runKind(h.fx, 'nomenclature.full');
      const store = h.fx.emulator.account('admin@demo').stores[0]!.id;
      const pl = await createPriceList(h.fx, { name: 'region', msStoreId: store });
      await syncPriceListStock(h.stockDeps, { priceListId: pl, mode: 'full', trigger: 'manual' });

      await h.setRoot(h.fx.integrationId, 'Автозапчасти');
      const parts = h.subtree('Автозапчасти');
      const catalog = await h.products(`integrationId=${h.fx.integrationId}`);
      expect(catalog.total).toBe((await syncedIn(h, parts)).size);

      h.fx.clock.advance(10 * 60_000);
      const inc = await runKind(h.fx, 'nomenclature.incremental');
      expect(inc.status).toBe('ok');
      expect(h.fx.log.messages().some((m) => m.includes('root folders of the integrations changed'))).toBe(true);
      const issues = await h.fx.db.selectFrom('dataQualityIssues').select(['reason', 'msFolderId']).execute();
      expect(issues.length).toBeGreaterThanOrEqual(25);
      expect(issues.every((i) => i.msFolderId !== null && parts.has(i.msFolderId))).toBe(true);
      // The next incremental pass is back to reading only what changed.
      h.fx.clock.advance(10 * 60_000);
      expect((await runKind(h.fx, 'nomenclature.incremental')).counts?.updated ?? 0).toBe(0);

      const stock = await syncPriceListStock(h.stockDeps, { priceListId: pl, mode: 'incremental', trigger: 'schedule' });
      expect(stock.counts.fullFallback).toBe(1);
      expect(stock.message).toContain('root folder changed');
      const rows = await currentRows(h.fx, pl);
      const inParts = await syncedIn(h, parts);
      expect(rows.size).toBeGreaterThan(100);
      expect([...rows.keys()].every((id) => inParts.has(id))).toBe(true);
    });

    it('C5 two integrations on one account with different roots each show and report their own goods', async () => {
      const h = await harness(dialect);
      await h.setRoot(h.fx.integrationId, 'Автозапчасти');
      const spb = await addIntegration(h.fx, { code: 'spb', rootFolderMsId: h.folderId('Масла и жидкости') });
      await runKind(h.fx, 'nomenclature.full');
      const moscow = await h.products(`integrationId=${h.fx.integrationId}`);
      const petersburg = await h.products(`integrationId=${spb}`);
      expect(moscow.total).toBe((await syncedIn(h, h.subtree('Автозапчасти'))).size);
      expect(petersburg.total).toBe((await syncedIn(h, h.subtree('Масла и жидкости'))).size);
      const overlap = moscow.items.filter((p) => petersburg.items.some((q) => q.msId === p.msId));
      expect(overlap).toEqual([]);
      // The whole shop shows both regions' goods, and nothing outside both roots.
      const whole = await h.products('');
      expect(whole.total).toBe(moscow.total + petersburg.total);
      // The report: the broken codes (under Автозапчасти) count for Moscow only.
      const counts = await new DataQualityRepository(h.fx.db, h.fx.clock).countsByIntegration();
      expect(counts.get(h.fx.integrationId)).toBeGreaterThanOrEqual(25);
      expect(counts.get(spb) ?? 0).toBe(0);
    });
  });
}

