/**
 * C3 No 0 ₽: a product without a value for the price list's price type (MoySklad answers 0 for
 * every price type not set) is left out of the rows and the CSV/JSON feeds and listed «нет цены»,
 * or — with the price list's option — published with an empty price. Against the emulator's demo
 * seed, through the REST API, on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorAccount, Entity } from '../../src/emulator/index.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { createStockSyncKinds, syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { apiFor } from '../helpers/api-app.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { createPriceList, currentRows, loadNomenclature } from './stock-fixture.js';

interface Harness {
  fx: SyncFixture;
  deps: StockSyncDeps;
  account: EmulatorAccount;
  store: string;
  /** Two synced products with stock in `store`: `bare` loses its sale price, `priced` keeps it. */
  bare: Entity;
  priced: Entity;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }>;
}

async function harness(dialect: (typeof dialects)[number]): Promise<Harness> {
  const fx = await createSyncFixture({ dialect });
  const account = fx.emulator.account('admin@demo');
  const store = account.stores[0]!.id;
  const candidates = account.listProducts().filter((p) => p.f.archived !== true && typeof p.f.code === 'string' && / /.test(p.f.code) && !String(p.f.name).startsWith('Проверка'));
  const [bare, priced] = candidates;
  account.setStock(bare!.id, store, { stock: 4, reserve: 0, inTransit: 0 });
  account.setStock(priced!.id, store, { stock: 6, reserve: 0, inTransit: 0 });
  account.updateProduct(bare!.id, { salePrice: 0 }); // MoySklad: the price type is listed with value 0
  await loadNomenclature(fx);
  const deps: StockSyncDeps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
  const syncs = new SyncRegistry();
  for (const k of createStockSyncKinds(deps)) syncs.register(k);
  const { call } = await apiFor(fx, syncs);
  return { fx, deps, account, store, bare: bare!, priced: priced!, call };
}

const issuesOf = (h: Harness, priceListId: number) =>
  h.fx.db.selectFrom('priceListIssues').select(['msProductId', 'reason', 'brand', 'article', 'name']).where('priceListId', '=', priceListId).orderBy('msProductId').execute();

/** The CSV's price cells (5th column); no row of the demo has a `;` in its text. */
const priceCells = (csv: string): string[] => csv.trim().split('\r\n').slice(1).map((l) => l.split(';')[4] ?? '?');

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`C3 prices (${dialect})`, () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.fx.dispose();
      h = undefined;
    });

    it('C3 a product without a value for the price type is left out of the rows and both feeds and listed «нет цены»', async () => {
      h = await harness(dialect);
      const sale = h.account.priceTypes[0]!.id;
      const id = await createPriceList(h.fx, { name: 'sale', msStoreId: h.store, priceTypeMsId: sale });
      const run = await syncPriceListStock(h.deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      expect(run.counts.noPrice).toBe(1);
      expect(run.message).toContain('1 left out without a price');
      const rows = await currentRows(h.fx, id);
      expect(rows.has(h.bare.id)).toBe(false);
      expect(rows.get(h.priced.id)).toMatchObject({ quantity: 6 });
      expect([...rows.values()].every((r) => r.price !== null && r.price > 0)).toBe(true);
      const stored = await h.fx.db.selectFrom('products').select(['brand', 'article', 'name']).where('msId', '=', h.bare.id).executeTakeFirstOrThrow();
      expect(await issuesOf(h, id)).toEqual([{ msProductId: h.bare.id, reason: 'no-price', ...stored }]);

      const csv = (await h.call('GET', `/api/v1/price-lists/${id}/export.csv`)).text;
      expect(priceCells(csv).length).toBe(rows.size);
      expect(priceCells(csv).filter((c) => !/^[1-9]\d*\.\d\d$/.test(c))).toEqual([]); // never 0.00, never empty
      const json = JSON.parse((await h.call('GET', `/api/v1/price-lists/${id}/rows?limit=500`)).text) as { total: number; items: Array<{ msProductId: string; priceKopecks: number | null }> };
      expect(json.total).toBe(rows.size);
      expect(json.items.some((r) => r.msProductId === h!.bare.id)).toBe(false);
      expect(json.items.every((r) => r.priceKopecks !== null && r.priceKopecks > 0)).toBe(true);
    });

    it('C3 with the price list option on, the product is published with an empty price: null in JSON, an empty CSV cell, never 0.00', async () => {
      h = await harness(dialect);
      const created = await h.call('POST', '/api/v1/price-lists', { regionId: h.fx.regionId, name: 'all', msStoreId: h.store, publishWithoutPrice: true });
      expect(created.status).toBe(201);
      const pl = JSON.parse(created.text) as { id: number; publishWithoutPrice: boolean };
      expect(pl.publishWithoutPrice).toBe(true);
      const run = await syncPriceListStock(h.deps, { priceListId: pl.id, mode: 'full', trigger: 'manual' });
      expect(run.counts.noPrice).toBe(1);
      expect((await currentRows(h.fx, pl.id)).get(h.bare.id)).toMatchObject({ quantity: 4, price: null });
      expect(await issuesOf(h, pl.id)).toEqual([]);
      const json = JSON.parse((await h.call('GET', `/api/v1/price-lists/${pl.id}/rows?limit=100&article=${encodeURIComponent(String(h.bare.f.article))}`)).text) as {
        items: Array<{ msProductId: string; priceKopecks: number | null }>;
      };
      expect(json.items.find((r) => r.msProductId === h!.bare.id)).toMatchObject({ priceKopecks: null });
      const csv = (await h.call('GET', `/api/v1/price-lists/${pl.id}/export.csv`)).text;
      const cells = priceCells(csv);
      expect(cells.filter((c) => c === '')).toHaveLength(1);
      expect(cells.some((c) => /^0(\.0+)?$/.test(c))).toBe(false);

      // Turning the option off through the API leaves the product out again on the next run.
      expect((await h.call('PATCH', `/api/v1/price-lists/${pl.id}`, { publishWithoutPrice: false })).status).toBe(200);
      h.fx.clock.advance(60_000);
      const again = await syncPriceListStock(h.deps, { priceListId: pl.id, mode: 'incremental', trigger: 'schedule' });
      expect(again.counts.fullFallback).toBe(1);
      expect(again.message).toContain('without a price changed');
      expect((await currentRows(h.fx, pl.id)).has(h.bare.id)).toBe(false);
      expect((await issuesOf(h, pl.id)).map((i) => i.msProductId)).toEqual([h.bare.id]);
    });

    it('C3 an incremental run drops the row of a product whose price was cleared, reports it, and brings it back once priced again', async () => {
      h = await harness(dialect);
      const id = await createPriceList(h.fx, { name: 'inc', msStoreId: h.store });
      await syncPriceListStock(h.deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const price = (await currentRows(h.fx, id)).get(h.priced.id)?.price;
      expect(price).toBeGreaterThan(0);

      h.fx.clock.advance(60_000);
      h.account.updateProduct(h.priced.id, { salePrice: 0 });
      await loadNomenclature(h.fx);
      h.fx.clock.advance(60_000);
      const cleared = await syncPriceListStock(h.deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(cleared.counts).toMatchObject({ removed: 1, noPrice: 2 }); // both products without a price are in the report
      expect((await currentRows(h.fx, id)).has(h.priced.id)).toBe(false);
      expect((await issuesOf(h, id)).map((i) => i.msProductId).sort()).toEqual([h.bare.id, h.priced.id].sort());

      h.fx.clock.advance(60_000);
      h.account.updateProduct(h.priced.id, { salePrice: 321_00 });
      await loadNomenclature(h.fx);
      h.fx.clock.advance(60_000);
      const back = await syncPriceListStock(h.deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(back.counts).toMatchObject({ added: 1 });
      expect((await currentRows(h.fx, id)).get(h.priced.id)).toMatchObject({ quantity: 6, price: 321_00 });
      expect((await issuesOf(h, id)).map((i) => i.msProductId)).toEqual([h.bare.id]);
    });
  });
}
