/**
 * Stock through the platform's REST API (R11–R13): create a bound price list, force a sync (the
 * real embedded queue runs the registry's `stock.full`), read the CSV/JSON exports — and read the
 * CSV export between the write transactions of a running swap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatRoubles } from '../../src/core/money.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { createStockSyncKinds, syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { apiFor } from '../helpers/api-app.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { loadNomenclature } from './stock-fixture.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`stock via the REST API (${dialect})`, () => {
    let fx: SyncFixture;
    afterEach(async () => {
      await fx?.dispose();
    });

    it('R13 a forced sync from the API fills the list; the CSV export shows the current generation only, also during a swap', async () => {
      fx = await createSyncFixture({ dialect });
      await loadNomenclature(fx);
      const account = fx.emulator.account('admin@demo');
      const store = account.stores[1]!.id;
      const deps: StockSyncDeps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
      const syncs = new SyncRegistry();
      for (const k of createStockSyncKinds(deps)) syncs.register(k);
      const { queue, call } = await apiFor(fx, syncs);

      const wholesale = account.priceTypes[1]!.id;
      const created = await call('POST', '/api/v1/price-lists', { regionId: fx.regionId, name: 'Склад 2', msStoreId: store, stockType: 'freeStock', priceTypeMsId: wholesale, syncIntervalMinutes: 15 });
      expect(created.status).toBe(201);
      const pl = JSON.parse(created.text) as { id: number; priceTypeMsId: string; stockType: string };
      expect(pl).toMatchObject({ priceTypeMsId: wholesale, stockType: 'freeStock' });

      const forced = await call('POST', `/api/v1/price-lists/${pl.id}/sync`);
      expect(forced.status).toBe(202);
      const job = await queue.fetch(['stock.full'], 'w');
      expect(job).toMatchObject({ kind: 'stock.full', priceListId: String(pl.id) });
      const outcome = await syncs.get('stock.full')!.runner({
        request: { kind: 'stock.full', priceListId: Number(job!.priceListId), trigger: 'api' },
        signal: new AbortController().signal,
        progress: () => undefined,
      });
      await queue.complete(job!, outcome);
      expect(outcome.status).toBe('ok');

      const csv1 = (await call('GET', `/api/v1/price-lists/${pl.id}/export.csv`)).text;
      const lines = csv1.trim().split('\r\n');
      expect(lines[0]).toBe('brand;article;name;quantity;price;delivery_days');
      const rowsInDb = await fx.db.selectFrom('priceListRows as r').innerJoin('priceLists as p', (j) => j.onRef('p.id', '=', 'r.priceListId').onRef('p.generation', '=', 'r.generation')).selectAll('r').where('r.priceListId', '=', pl.id).execute();
      expect(lines.length - 1).toBe(rowsInDb.length);
      // Spot-check one product end to end: freeStock and the wholesale price, in roubles.
      const probe = rowsInDb.find((r) => r.quantity > 0 && r.price !== null && r.price > 0) ?? rowsInDb[0]!;
      const cell = account.stockOf(probe.msProductId, store);
      expect(probe.quantity).toBe(Math.max(0, (cell?.stock ?? 0) - (cell?.reserve ?? 0)));
      expect(probe.price).not.toBeNull();
      expect(lines.some((l) => l.includes(`;${probe.quantity};${formatRoubles(probe.price ?? 0)};`))).toBe(true);

      // A second sync with every quantity changed; the CSV read between its write transactions is the old one.
      for (const r of rowsInDb) account.setStock(r.msProductId, store, { stock: (account.stockOf(r.msProductId, store)?.stock ?? 0) + 50 });
      let reads = 0;
      await syncPriceListStock(deps, {
        priceListId: pl.id,
        mode: 'full',
        trigger: 'manual',
        swap: {
          rowsPerTransaction: 500,
          onChunkWritten: async () => {
            reads += 1;
            expect((await call('GET', `/api/v1/price-lists/${pl.id}/export.csv`)).text).toBe(csv1);
          },
        },
      });
      expect(reads).toBeGreaterThan(2);
      const csv2 = (await call('GET', `/api/v1/price-lists/${pl.id}/export.csv`)).text;
      expect(csv2).not.toBe(csv1);
      expect(csv2.trim().split('\r\n').length).toBe(lines.length); // old generation still stored, not exported
      const json = JSON.parse((await call('GET', `/api/v1/price-lists/${pl.id}/rows?limit=5`)).text) as { total: number };
      expect(json.total).toBe(rowsInDb.length);
    });
  });
}
