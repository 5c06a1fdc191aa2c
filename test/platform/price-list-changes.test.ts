/**
 * E2 a price list's row change feed (`GET /api/v1/price-lists/{id}/changes`) on SQLite and
 * PostgreSQL: the first read returns every row, a generation swap yields only the rows that differ
 * from those published (new, changed, and tombstones for rows that left), an in-place patch only the
 * rows it really changed; a reader paging while swaps and patches run misses and repeats nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PriceListRepository, type PriceListRowInput } from '../../src/store/repositories/price-list-repository.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { createPriceList } from '../sync/stock-fixture.js';
import { platformApi, type PlatformApi } from './api-client.js';

interface RowChange {
  seq: number;
  op: 'upsert' | 'tombstone';
  msProductId: string;
  quantity: number;
  priceKopecks: number | null;
}

const rowsOf = (n: number, change: (i: number) => Partial<PriceListRowInput> = () => ({})): PriceListRowInput[] =>
  Array.from({ length: n }, (_, i) => ({ msProductId: `ms-${String(i).padStart(4, '0')}`, brand: 'MAHLE', article: `OC ${i}`, name: `Фильтр ${i}`, quantity: i % 7, price: 100_00 + i, ...change(i) }));

async function pull(api: PlatformApi, listId: number, after: string, limit = 50): Promise<{ items: RowChange[]; cursor: string }> {
  const items: RowChange[] = [];
  let cursor = after;
  for (;;) {
    const r = await api.call('GET', `/api/v1/price-lists/${listId}/changes?after=${cursor}&limit=${limit}`);
    expect(r.status).toBe(200);
    items.push(...(r.json.items as RowChange[]));
    cursor = r.json.nextCursor as string;
    if (!r.json.hasMore) return { items, cursor };
  }
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`price-list change feed (${dialect})`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    it('E2 a generation swap yields only the rows that differ, tombstones for rows that left; a patch only the rows it changed', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const listId = await createPriceList(fx, { name: 'Склад', msStoreId: null });
      const repo = new PriceListRepository(fx.db, fx.clock);
      const api = await platformApi(fx);
      await repo.replaceRows(listId, rowsOf(300));
      const first = await pull(api, listId, '0');
      expect(first.items).toHaveLength(300);
      expect(first.items.every((i) => i.op === 'upsert')).toBe(true);

      // The whole list is written again as a new generation; three rows differ, one left, one is new.
      const next = rowsOf(300, (i) => (i === 5 ? { price: 1 } : i === 6 ? { quantity: 99 } : i === 7 ? { name: 'Фильтр масляный' } : {})).filter((r) => r.msProductId !== 'ms-0010');
      next.push({ msProductId: 'ms-new', brand: 'BOSCH', article: 'F 026', name: 'Новый', quantity: 1, price: null });
      await repo.replaceRows(listId, next);
      const swap = await pull(api, listId, first.cursor);
      expect(swap.items.map((i) => [i.msProductId, i.op])).toEqual([
        ['ms-0005', 'upsert'],
        ['ms-0006', 'upsert'],
        ['ms-0007', 'upsert'],
        ['ms-new', 'upsert'],
        ['ms-0010', 'tombstone'],
      ]);
      expect(swap.items.find((i) => i.msProductId === 'ms-new')).toMatchObject({ priceKopecks: null, quantity: 1 });
      expect(swap.items.find((i) => i.msProductId === 'ms-0005')).toMatchObject({ priceKopecks: 1 });

      // An in-place patch: one quantity really changes, one is set to what it was; one row removed, one re-added.
      const current = await repo.listRows(listId);
      const r1 = current.find((r) => r.msProductId === 'ms-0001')!;
      const r2 = current.find((r) => r.msProductId === 'ms-0002')!;
      await repo.patchRows(listId, { quantities: [{ id: r1.id, quantity: 42 }, { id: r2.id, quantity: r2.quantity }], removeMsProductIds: ['ms-0003'], upserts: [rowsOf(11)[10]!] });
      const patch = await pull(api, listId, swap.cursor);
      expect(patch.items.map((i) => [i.msProductId, i.op, i.quantity])).toEqual([
        ['ms-0001', 'upsert', 42],
        ['ms-0010', 'upsert', 3],
        ['ms-0003', 'tombstone', 3],
      ]);
      // A swap identical to the list yields nothing.
      await repo.replaceRows(listId, (await repo.listRows(listId)).map((r) => ({ ...r })));
      expect((await pull(api, listId, patch.cursor)).items).toEqual([]);
      expect((await api.call('GET', '/api/v1/price-lists/999/changes')).status).toBe(404);
    });

    it('E2 a reader paging while swaps and patches run reads every row at its latest change and no number twice', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const listId = await createPriceList(fx, { name: 'Склад', msStoreId: null });
      const repo = new PriceListRepository(fx.db, fx.clock);
      const api = await platformApi(fx);
      let writing = true;
      const seqs: number[] = [];
      const last = new Map<string, RowChange>();
      let cursor = '0';
      const reader = (async () => {
        for (;;) {
          const done = !writing;
          const r = await api.call('GET', `/api/v1/price-lists/${listId}/changes?after=${cursor}&limit=9`);
          for (const i of r.json.items as RowChange[]) {
            seqs.push(i.seq);
            last.set(i.msProductId, i);
          }
          cursor = r.json.nextCursor;
          if (done && !r.json.hasMore) return;
          await new Promise((res) => setImmediate(res));
        }
      })();
      for (let round = 0; round < 6; round++) {
        await repo.replaceRows(listId, rowsOf(120 + round * 10, (i) => ({ quantity: (i * (round + 1)) % 5 })), { rowsPerTransaction: 40 });
        await repo.patchRows(listId, { upserts: rowsOf(3, (i) => ({ quantity: 100 + round + i })), removeMsProductIds: [`ms-00${50 + round}`] });
      }
      writing = false;
      await reader;
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const published = new Map((await repo.listRows(listId)).map((r) => [r.msProductId, r]));
      for (const [ms, row] of published) expect(last.get(ms)).toMatchObject({ op: 'upsert', quantity: row.quantity, priceKopecks: row.price });
      for (const [ms, change] of last) if (!published.has(ms)) expect(change.op).toBe('tombstone');
    });
  });
}
