/**
 * Stock per store into price lists (issue 6): R4, R11–R14, B2, B3 — against the emulator's demo
 * seed (3 stores, ~2,100 products with reserves and in-transit), on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorAccount, Entity } from '../../src/emulator/index.js';
import { isRef } from '../../src/emulator/state/types.js';
import { createDatabase } from '../../src/store/database.js';
import type { StockType } from '../../src/store/schema.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { createStockSyncKinds, parseStockCursor, syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { createPriceList, currentRows, loadNomenclature, priceListLog } from './stock-fixture.js';

const LOGIN = 'admin@demo';

function expectedQuantity(a: EmulatorAccount, productId: string, storeId: string, type: StockType): number {
  const c = a.stockOf(productId, storeId);
  if (!c) return 0;
  const v = type === 'stock' ? c.stock : type === 'freeStock' ? c.stock - c.reserve : c.stock - c.reserve + c.inTransit;
  return Math.max(0, v);
}

function expectedPrice(p: Entity, priceTypeId: string | null): number {
  const prices = (p.f.salePrices as Array<{ value: number; priceType: unknown }> | undefined) ?? [];
  const hit = priceTypeId === null ? prices[0] : prices.find((x) => isRef(x.priceType) && x.priceType.$ref.id === priceTypeId);
  return hit ? Math.round(hit.value) : 0;
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  if (skip) console.warn(`[postgres] PostgreSQL unreachable (${skip}); PostgreSQL stock cases SKIPPED`);
  (skip ? describe.skip : describe)(`stock sync (${dialect})`, () => {
    let fx: SyncFixture;
    let deps: StockSyncDeps;
    let account: EmulatorAccount;
    let usable: Entity[];

    async function setup(): Promise<void> {
      fx = await createSyncFixture({ dialect });
      deps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
      account = fx.emulator.account(LOGIN);
      await loadNomenclature(fx);
      const ok = new Set(
        (await fx.db.selectFrom('products').select('msId').where('syncState', '=', 'ok').where('archived', '=', 0).execute()).map((r) => r.msId),
      );
      usable = account.listProducts().filter((p) => ok.has(p.id));
    }

    afterEach(async () => {
      await fx?.dispose();
    });

    it('R11 each bound price list holds exactly its own store’s quantities; an unbound one is never touched', async () => {
      await setup();
      const stores = account.stores;
      expect(stores.length).toBeGreaterThanOrEqual(3);
      const lists = [];
      for (const s of stores) lists.push({ store: s.id, id: await createPriceList(fx, { name: `PL ${String(s.f.name)}`, msStoreId: s.id }) });
      const unbound = await createPriceList(fx, { name: 'manual list', msStoreId: null });
      await fx.db
        .insertInto('priceListRows')
        .values({ priceListId: unbound, generation: 0, productId: null, msProductId: 'manual-1', brand: 'X', article: 'Y', articleNorm: 'Y', name: 'kept', quantity: 7, price: 100 })
        .execute();

      for (const l of lists) {
        const run = await syncPriceListStock(deps, { priceListId: l.id, mode: 'full', trigger: 'manual' });
        expect(run.status).toBe('ok');
        expect(run.requests).toBe(1); // B2: one report call, the nomenclature is current
        const rows = await currentRows(fx, l.id);
        expect(rows.size).toBe(usable.length);
        for (const p of usable) {
          expect(rows.get(p.id)?.quantity, `product ${p.id} at store ${l.store}`).toBe(expectedQuantity(account, p.id, l.store, 'quantity'));
        }
      }
      // The stores really differ, so a list holding another store's figures would have failed above.
      const [a, b] = lists;
      const ra = await currentRows(fx, a!.id);
      const rb = await currentRows(fx, b!.id);
      expect([...ra].some(([id, r]) => rb.get(id)?.quantity !== r.quantity)).toBe(true);

      const kept = await fx.db.selectFrom('priceListRows').selectAll().where('priceListId', '=', unbound).execute();
      expect(kept.map((r) => r.name)).toEqual(['kept']);
      await expect(syncPriceListStock(deps, { priceListId: unbound, mode: 'full', trigger: 'manual' })).rejects.toMatchObject({ code: 'price_list_unbound' });
      expect((await fx.db.selectFrom('priceListRows').selectAll().where('priceListId', '=', unbound).execute()).length).toBe(1);
    });

    it('R11 the stock type and the sale price type chosen per price list are respected', async () => {
      await setup();
      const store = account.stores[0]!.id;
      const wholesale = account.priceTypes[1]!.id;
      const cases: Array<{ stockType: StockType; priceType: string | null }> = [
        { stockType: 'stock', priceType: wholesale },
        { stockType: 'freeStock', priceType: null },
        { stockType: 'quantity', priceType: account.priceTypes[0]!.id },
      ];
      // Make the three stock figures differ for one product, so the choice is visible.
      const probe = usable[0]!;
      account.setStock(probe.id, store, { stock: 10, reserve: 3, inTransit: 5 });
      account.updateProduct(probe.id, { salePrice: 123_45, wholesalePrice: 99_00 });
      await loadNomenclature(fx);
      for (const c of cases) {
        const id = await createPriceList(fx, { name: `${c.stockType}`, msStoreId: store, stockType: c.stockType, priceTypeMsId: c.priceType });
        await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
        const rows = await currentRows(fx, id);
        for (const p of usable) {
          const r = rows.get(p.id)!;
          expect(r.quantity).toBe(expectedQuantity(account, p.id, store, c.stockType));
          expect(r.price).toBe(expectedPrice(p, c.priceType));
        }
        const expectedProbe = { stock: 10, freeStock: 7, quantity: 12 }[c.stockType];
        expect(rows.get(probe.id)?.quantity).toBe(expectedProbe);
        expect(rows.get(probe.id)?.price).toBe(c.priceType === wholesale ? 99_00 : 123_45);
      }
    });

    it('R12 an incremental run picks up only the changes, including an item that dropped to zero', async () => {
      await setup();
      const store = account.stores[1]!.id;
      const id = await createPriceList(fx, { name: 'inc', msStoreId: store, syncIntervalMinutes: 10 });
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const before = await currentRows(fx, id);
      const withStock = usable.filter((p) => (before.get(p.id)?.quantity ?? 0) > 0);
      const [changed, dropped] = withStock;
      fx.clock.advance(10 * 60_000);
      account.setStock(changed!.id, store, { stock: (account.stockOf(changed!.id, store)?.stock ?? 0) + 17 });
      account.setStock(dropped!.id, store, { stock: 0, reserve: 0, inTransit: 0 });
      // A change at ANOTHER store must not show up in this list.
      account.setStock(usable[5]!.id, account.stores[0]!.id, { stock: 999 });
      fx.clock.advance(60_000);

      const run = await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(run.requests).toBe(1);
      expect(run.counts).toMatchObject({ changed: 1, zeroed: 1, added: 0, removed: 0 });
      expect(run.counts.fullFallback).toBeUndefined();
      const after = await currentRows(fx, id);
      expect(after.size).toBe(before.size);
      expect(after.get(changed!.id)?.quantity).toBe(expectedQuantity(account, changed!.id, store, 'quantity'));
      expect(after.get(dropped!.id)?.quantity).toBe(0);
      const differing = [...after].filter(([pid, r]) => before.get(pid)?.quantity !== r.quantity).map(([pid]) => pid);
      expect(differing.sort()).toEqual([changed!.id, dropped!.id].sort());

      // Nothing changed since: the next run writes nothing (same generation).
      const gen = (await fx.db.selectFrom('priceLists').select('generation').where('id', '=', id).executeTakeFirstOrThrow()).generation;
      fx.clock.advance(10 * 60_000);
      const quiet = await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(quiet.counts).toMatchObject({ changed: 0, zeroed: 0, added: 0, removed: 0 });
      const pl = await fx.db.selectFrom('priceLists').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(pl.generation).toBe(gen);
      expect(parseStockCursor(pl.stockCursor)?.at).toBe(new Date(fx.clock.nowMs()).toISOString());
    });

    it('R12 an incremental run adds a product new to the nomenclature although its stock did not change (one extra request)', async () => {
      await setup();
      const store = account.stores[0]!.id;
      const created = account.createProduct({ name: 'Фильтр масляный MANN W 712/75', code: 'MANN W 712/75', article: 'W 712/75', salePrice: 450_00 });
      account.setStock(created.id, store, { stock: 6, reserve: 1, inTransit: 0 });
      fx.clock.advance(10 * 60_000); // its stock changed well before the windows of the runs below
      const id = await createPriceList(fx, { name: 'new products', msStoreId: store });
      // Full sync before the nomenclature knows the product: counted missing, not a row.
      await fx.db.deleteFrom('products').where('msId', '=', created.id).execute();
      const full = await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      expect(full.counts.missingProducts).toBe(account.rows('variant').length + 1);
      fx.clock.advance(20 * 60_000);
      await loadNomenclature(fx); // the nomenclature sync has now seen it; its stock is unchanged since
      fx.clock.advance(60_000);
      const inc = await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(inc.counts).toMatchObject({ added: 1 });
      expect(inc.requests).toBe(2);
      expect((await currentRows(fx, id)).get(created.id)).toMatchObject({ quantity: 5, price: 450_00, brand: 'MANN', article: 'W 712/75' });
    });

    it('R12 an incremental run picks up a product card written late into the previous run’s window (stamped before the newest card it saw)', async () => {
      await setup();
      const store = account.stores[0]!.id;
      const id = await createPriceList(fx, { name: 'late card', msStoreId: store });
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const cursor = parseStockCursor((await fx.db.selectFrom('priceLists').select('stockCursor').where('id', '=', id).executeTakeFirstOrThrow()).stockCursor);
      expect(cursor?.productsAt).toBeDefined();
      // A nomenclature page stamped just before the newest card the full run saw, committed after it read them.
      const probe = usable[7]!;
      const lateStamp = new Date(Date.parse(cursor!.productsAt!) - 500).toISOString();
      await fx.db
        .updateTable('products')
        .set({ salePrices: JSON.stringify([{ priceTypeId: 'x', name: null, value: 777_00 }]), name: 'renamed late', updatedAt: lateStamp })
        .where('msId', '=', probe.id)
        .execute();
      fx.clock.advance(60_000);
      const run = await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(run.counts).toMatchObject({ changed: 1, added: 0, removed: 0 });
      expect((await currentRows(fx, id)).get(probe.id)).toMatchObject({ price: 777_00, name: 'renamed late' });
      // That run re-read the whole window (every card of this fixture shares one stamp); the next one
      // finds the same cards there again and re-reads none of them (only its report lines are evaluated).
      expect(run.counts.unchanged).toBe(usable.length - 1);
      fx.clock.advance(60_000);
      const quiet = await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(quiet.counts).toMatchObject({ changed: 0, added: 0, removed: 0 });
      expect(quiet.counts.unchanged).toBeLessThan(usable.length - 1);
    });

    it('R12 an incremental run after more than 24 hours falls back to a full sync (MoySklad refuses older changedSince)', async () => {
      await setup();
      const store = account.stores[0]!.id;
      const id = await createPriceList(fx, { name: 'old', msStoreId: store });
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      fx.clock.advance(25 * 3600_000);
      account.setStock(usable[3]!.id, store, { stock: 31, reserve: 0, inTransit: 0 });
      const run = await syncPriceListStock(deps, { priceListId: id, mode: 'incremental', trigger: 'schedule' });
      expect(run.status).toBe('ok');
      expect(run.counts.fullFallback).toBe(1);
      expect(run.message).toContain('older than 24 hours');
      expect((await currentRows(fx, id)).get(usable[3]!.id)?.quantity).toBe(31);
    });

    it('R11 a reader during a sync sees the old list or the new one, never a mix (reads interleaved with the swap)', async () => {
      await setup();
      const store = account.stores[0]!.id;
      const id = await createPriceList(fx, { name: 'swap', msStoreId: store });
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const old = await currentRows(fx, id);
      const oldGen = (await fx.db.selectFrom('priceLists').select('generation').where('id', '=', id).executeTakeFirstOrThrow()).generation;
      // Change every product's stock so that any mix would be detectable.
      for (const p of usable) account.setStock(p.id, store, { stock: (account.stockOf(p.id, store)?.stock ?? 0) + 100 });
      const pinned: Array<Map<string, unknown>> = [];
      let interleaved = 0;
      await syncPriceListStock(deps, {
        priceListId: id,
        mode: 'full',
        trigger: 'manual',
        swap: {
          rowsPerTransaction: 200,
          rowsPerStatement: 100,
          onChunkWritten: async () => {
            interleaved += 1;
            expect(await currentRows(fx, id)).toEqual(old);
            // A paging reader pinned to the old generation (the CSV export) reads it page by page.
            const page = await fx.db.selectFrom('priceListRows').select(['msProductId', 'quantity']).where('priceListId', '=', id).where('generation', '=', oldGen).orderBy('id').limit(50).execute();
            pinned.push(new Map(page.map((r) => [r.msProductId, Number(r.quantity)])));
          },
        },
      });
      expect(interleaved).toBeGreaterThan(5);
      const fresh = await currentRows(fx, id);
      for (const p of usable) expect(fresh.get(p.id)?.quantity).toBe(expectedQuantity(account, p.id, store, 'quantity'));
      // After the flip the pinned old generation is still complete for a reader that started before it.
      const stillOld = await fx.db.selectFrom('priceListRows').select(['msProductId', 'quantity']).where('priceListId', '=', id).where('generation', '=', oldGen).execute();
      expect(new Map(stillOld.map((r) => [r.msProductId, Number(r.quantity)]))).toEqual(new Map([...old].map(([k, v]) => [k, v.quantity])));
      expect(pinned.every((m) => [...m].every(([k, q]) => old.get(k)?.quantity === q))).toBe(true);

      // Incremental runs patch the list in place in ONE transaction: a reader on another
      // connection just before the commit still sees the previous list, afterwards the new one.
      const before = await currentRows(fx, id);
      const genBefore = (await fx.db.selectFrom('priceLists').select('generation').where('id', '=', id).executeTakeFirstOrThrow()).generation;
      fx.clock.advance(5 * 60_000);
      account.setStock(usable[0]!.id, store, { stock: 0, reserve: 0, inTransit: 0 });
      account.setStock(usable[1]!.id, store, { stock: 77, reserve: 0, inTransit: 0 });
      const other = dialect === 'sqlite' ? createDatabase({ dataDir: fx.database.dataDir }) : null;
      let readsInside = 0;
      try {
        await syncPriceListStock(deps, {
          priceListId: id,
          mode: 'incremental',
          trigger: 'manual',
          swap: {
            beforeCommit: async () => {
              readsInside += 1;
              expect(await currentRows(other ?? fx, id)).toEqual(before);
            },
          },
        });
      } finally {
        await other?.destroy();
      }
      expect(readsInside).toBe(1);
      const patched = await currentRows(fx, id);
      expect(patched.get(usable[0]!.id)?.quantity).toBe(0);
      expect(patched.get(usable[1]!.id)?.quantity).toBe(77);
      expect(patched.size).toBe(before.size);
      expect((await fx.db.selectFrom('priceLists').select('generation').where('id', '=', id).executeTakeFirstOrThrow()).generation).toBe(genBefore);
    });

    it('R14 a failed sync leaves the previous contents and logs why', async () => {
      await setup();
      const store = account.stores[2]!.id;
      const id = await createPriceList(fx, { name: 'fail', msStoreId: store });
      await syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' });
      const before = await currentRows(fx, id);
      const gen = (await fx.db.selectFrom('priceLists').select('generation').where('id', '=', id).executeTakeFirstOrThrow()).generation;
      fx.log.entries.length = 0;

      account.setStock(usable[0]!.id, store, { stock: 500 });
      fx.emulator.setFaults({ fail5xx: { count: 50, status: 503 } });
      await expect(syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' })).rejects.toMatchObject({ code: 'moysklad_server_error' });
      fx.emulator.setFaults({ fail5xx: { count: 0 } });
      expect(await currentRows(fx, id)).toEqual(before);
      expect((await fx.db.selectFrom('priceLists').select('generation').where('id', '=', id).executeTakeFirstOrThrow()).generation).toBe(gen);
      const entries = await priceListLog(fx, id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ level: 'error', kind: 'stock.full' });
      expect(entries[0]!.message).toMatch(/stock\.full failed: .*503|stock\.full failed/);
      const failedRun = await fx.db.selectFrom('syncRuns').selectAll().where('priceListId', '=', id).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(failedRun.status).toBe('failed');
      expect(failedRun.message).toContain('moysklad_server_error');

      // The store was deleted in MoySklad: an empty report does not empty the list.
      fx.log.entries.length = 0;
      account.deleteEntity('store', store);
      await expect(syncPriceListStock(deps, { priceListId: id, mode: 'full', trigger: 'manual' })).rejects.toMatchObject({ code: 'stock_store_missing' });
      expect(await currentRows(fx, id)).toEqual(before);
      expect((await priceListLog(fx, id))[0]!.message).toContain('does not exist');
    });

    it('R13 a forced sync through the registry writes one price-list log entry with its figures (R14)', async () => {
      await setup();
      const store = account.stores[0]!.id;
      const id = await createPriceList(fx, { name: 'forced', msStoreId: store });
      const registry = new SyncRegistry();
      for (const k of createStockSyncKinds(deps)) registry.register(k);
      expect(registry.get('stock.full')?.scope).toBe('price-list');
      expect(registry.has('stock.incremental')).toBe(true);
      // Two products missing from the nomenclature: counted and logged (integration log), not rows.
      await fx.db.deleteFrom('products').where('msId', 'in', [usable[0]!.id, usable[1]!.id]).execute();
      const outcome = await registry.get('stock.full')!.runner({
        request: { kind: 'stock.full', priceListId: id, trigger: 'api' },
        signal: new AbortController().signal,
        progress: () => undefined,
      });
      expect(outcome.status).toBe('ok');
      // The demo's variants are not products of the nomenclature either.
      const variants = account.rows('variant').length;
      expect(outcome.counts).toMatchObject({ added: usable.length - 2, changed: 0, zeroed: 0, removed: 0, missingProducts: variants + 2, errors: 0 });
      const entries = await priceListLog(fx, id);
      expect(entries).toHaveLength(1);
      const details = entries[0]!.details as { counts: Record<string, number>; requests: number; durationMs: number };
      expect(details.requests).toBe(1);
      expect(details.counts).toMatchObject({ added: usable.length - 2, changed: 0, zeroed: 0, removed: 0, errors: 0 });
      expect(typeof details.durationMs).toBe('number');
      const missingLog = fx.log.entries.find((e) => e.priceListId === null && /not in the synced nomenclature/.test(e.message));
      expect(missingLog?.details).toMatchObject({ count: variants + 2 });
      const run = await fx.db.selectFrom('syncRuns').selectAll().where('priceListId', '=', id).executeTakeFirstOrThrow();
      expect(run).toMatchObject({ kind: 'stock.full', trigger: 'api', status: 'ok', requests: 1, errors: 0 });

      // Products archived since: the next full run removes their rows.
      await fx.db.updateTable('products').set({ archived: 1 }).where('msId', '=', usable[2]!.id).execute();
      const second = await registry.get('stock.full')!.runner({
        request: { kind: 'stock.full', priceListId: id, trigger: 'manual' },
        signal: new AbortController().signal,
        progress: () => undefined,
      });
      expect(second.counts).toMatchObject({ removed: 1, added: 0 });
    });
  });
}
