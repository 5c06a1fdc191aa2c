/**
 * E1 the catalog change feed (`GET /api/v1/catalog/changes`) on SQLite and PostgreSQL: a platform
 * reads every product once from 0, then only what changed since its cursor — upserts with the
 * product as it is now and tombstones for deleted, archived and no-longer-synced products — after
 * real nomenclature passes over the emulator. Under concurrent syncs a paging reader misses and
 * repeats nothing, and a change committed later than a higher number cannot be skipped: numbers
 * are drawn under a lock held to the writer's commit.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformWebhookService } from '../../src/app/platform-webhooks.js';
import { announceCatalogChanges } from '../../src/sync/platform-webhooks/catalog-events.js';
import { ProductRepository } from '../../src/store/repositories/product-repository.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { runKind } from '../sync/nomenclature-helpers.js';
import { platformApi, type PlatformApi } from './api-client.js';

interface Change {
  seq: number;
  op: 'upsert' | 'tombstone';
  productId: number;
  msId: string;
  reason: string | null;
  product: { name: string; brand: string; article: string } | null;
}

/** Reads pages of `limit` from `after` until `hasMore` is false; returns the changes and the last cursor. */
async function pull(api: PlatformApi, after: string, limit = 100, query = ''): Promise<{ items: Change[]; cursor: string }> {
  const items: Change[] = [];
  let cursor = after;
  for (;;) {
    const r = await api.call('GET', `/api/v1/catalog/changes?after=${cursor}&limit=${limit}${query}`);
    expect(r.status).toBe(200);
    items.push(...(r.json.items as Change[]));
    cursor = r.json.nextCursor as string;
    if (!r.json.hasMore) return { items, cursor };
  }
}

async function secondAccount(fx: SyncFixture): Promise<number> {
  const at = fx.clock.now().toISOString();
  const row = await fx.db
    .insertInto('msAccounts')
    .values({ label: 'second', authKind: 'password', login: 'other@demo', credentialKey: 'other@demo', secretEnc: fx.secretBox.encrypt('x'), baseUrl: 'http://other.test', moyskladAccountId: null, createdAt: at, updatedAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`catalog change feed (${dialect})`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    it('E1 a platform reads every product once from 0, then only the changes since its cursor: upserts and tombstones for deleted, archived and no-longer-synced products', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const a = fx.emulator.account('admin@demo');
      const ps = ['OC 90', 'OC 91', 'OC 92', 'OC 93', 'OC 94'].map((art, i) => a.createProduct({ name: `Фильтр ${i}`, code: `MAHLE ${art}`, article: art }));
      await runKind(fx, 'nomenclature.full');
      const api = await platformApi(fx);

      const first = await pull(api, '0', 2);
      expect(first.items.map((i) => i.msId).sort()).toEqual(ps.map((p) => p.id).sort());
      expect(first.items.every((i) => i.op === 'upsert' && i.reason === null && i.product !== null)).toBe(true);
      expect(first.items.map((i) => i.seq)).toEqual([...first.items.map((i) => i.seq)].sort((x, y) => x - y));
      // Nothing new: the same cursor comes back, with no items.
      expect((await api.call('GET', `/api/v1/catalog/changes?after=${first.cursor}`)).json).toEqual({ items: [], nextCursor: first.cursor, hasMore: false });

      fx.clock.advance(60_000);
      a.updateProduct(ps[0]!.id, { name: 'Фильтр масляный' });
      a.archiveProduct(ps[1]!.id);
      a.updateProduct(ps[2]!.id, { code: '' });
      a.deleteProduct(ps[3]!.id);
      await runKind(fx, 'nomenclature.full');

      const next = await pull(api, first.cursor);
      const byMs = new Map(next.items.map((i) => [i.msId, i]));
      expect(next.items).toHaveLength(4);
      expect(byMs.get(ps[0]!.id)).toMatchObject({ op: 'upsert', reason: null, product: { name: 'Фильтр масляный', brand: 'MAHLE', article: 'OC 90' } });
      expect(byMs.get(ps[1]!.id)).toMatchObject({ op: 'tombstone', reason: 'archived', product: null });
      expect(byMs.get(ps[2]!.id)).toMatchObject({ op: 'tombstone', reason: 'not_synced', product: null });
      expect(byMs.get(ps[3]!.id)).toMatchObject({ op: 'tombstone', reason: 'deleted', product: null });
      expect(next.items.every((i) => i.seq > Number(first.cursor))).toBe(true);

      // A pass that changes nothing writes no change; prices alone (not in the product JSON) neither.
      await runKind(fx, 'nomenclature.full');
      await fx.db.updateTable('products').set({ salePrices: '[]' }).execute();
      expect((await pull(api, next.cursor)).items).toEqual([]);

      // Scoped to an integration; an unknown one is 404; a malformed cursor 400.
      expect((await pull(api, '0', 100, `&integrationId=${fx.integrationId}`)).items).toHaveLength(5);
      expect((await api.call('GET', '/api/v1/catalog/changes?integrationId=999')).status).toBe(404);
      expect((await api.call('GET', '/api/v1/catalog/changes?after=2026-12-01T00:00:00Z')).status).toBe(400);
    });

    it('E1 catalog changes become product.changed and product.deleted webhook events, each announced once', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const a = fx.emulator.account('admin@demo');
      const [p1, p2] = ['OC 90', 'OC 91'].map((art, i) => a.createProduct({ name: `Фильтр ${i}`, code: `MAHLE ${art}`, article: art }));
      await runKind(fx, 'nomenclature.full');
      // No subscriber yet: the cursor follows the sequence silently.
      expect(await announceCatalogChanges(fx.db, fx.clock)).toBe(0);
      await new PlatformWebhookService({ db: fx.db, clock: fx.clock, secretBox: fx.secretBox }).create({ url: 'https://platform.test/hooks', events: ['product.changed', 'product.deleted'] });
      fx.clock.advance(60_000);
      a.updateProduct(p1!.id, { name: 'Фильтр масляный' });
      a.archiveProduct(p2!.id);
      await runKind(fx, 'nomenclature.incremental');
      expect(await Promise.all([announceCatalogChanges(fx.db, fx.clock, { batch: 1 }), announceCatalogChanges(fx.db, fx.clock)]).then((n) => n[0] + n[1])).toBe(2);
      expect(await announceCatalogChanges(fx.db, fx.clock)).toBe(0);
      const bodies = (await fx.db.selectFrom('platformWebhookMessages').select('body').orderBy('id').execute()).map((m) => JSON.parse(m.body) as { type: string; data: unknown });
      const ids = new Map((await fx.db.selectFrom('products').select(['id', 'msId']).execute()).map((r) => [r.msId, Number(r.id)]));
      expect(bodies.map((b) => ({ type: b.type, data: b.data })).sort((x, y) => x.type.localeCompare(y.type))).toEqual([
        { type: 'product.changed', data: { productId: ids.get(p1!.id), msId: p1!.id, brand: 'MAHLE', article: 'OC 90' } },
        { type: 'product.deleted', data: { productId: ids.get(p2!.id), msId: p2!.id, reason: 'archived' } },
      ]);
    });

    it('E1 concurrent syncs and a paging reader: every product is read at its latest change, no number is read twice', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 300, seed: 7 } }] } });
      const api = await platformApi(fx);
      const other = await secondAccount(fx);
      const repo = new ProductRepository(fx.db, fx.clock);
      let writing = true;
      const seen = new Map<number, number>();
      const seqs: number[] = [];
      let cursor = '0';
      const reader = (async () => {
        for (;;) {
          const done = !writing;
          const r = await api.call('GET', `/api/v1/catalog/changes?after=${cursor}&limit=7`);
          for (const i of r.json.items as Change[]) {
            seqs.push(i.seq);
            seen.set(i.productId, i.seq);
          }
          cursor = r.json.nextCursor;
          if (done && !r.json.hasMore) return;
          await new Promise((res) => setImmediate(res));
        }
      })();
      const otherWriter = (async () => {
        for (let round = 0; round < 8; round++) {
          const batch = Array.from({ length: 25 }, (_, i) => ({ msId: `o-${(round * 13 + i) % 60}`, brand: 'BOSCH', article: `B${i}`, name: `round ${round} item ${i}` }));
          await repo.upsertMany(other, batch);
          if (round % 3 === 2) await repo.markDeleted(other, [`o-${round}`]);
        }
      })();
      await Promise.all([runKind(fx, 'nomenclature.full'), otherWriter, (async () => {
        await runKind(fx, 'nomenclature.incremental');
      })()]);
      writing = false;
      await reader;

      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const final = await fx.db.selectFrom('catalogChanges').select(['productId', 'seq']).execute();
      expect(final.length).toBe(Number((await fx.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n));
      expect(final.length).toBeGreaterThan(300);
      for (const f of final) expect(seen.get(Number(f.productId))).toBe(Number(f.seq));
    });

    it('E1 a writer that has drawn a number holds back every later writer until it commits, so a reader never passes a number that commits later', async () => {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const api = await platformApi(fx);
      const other = await secondAccount(fx);
      const repo = new ProductRepository(fx.db, fx.clock);
      await repo.upsertMany(other, [{ msId: 'a', brand: 'BOSCH', article: 'A1', name: 'a' }, { msId: 'b', brand: 'BOSCH', article: 'B1', name: 'b' }]);
      const start = await pull(api, '0');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let drawn!: () => void;
      const hasDrawn = new Promise<void>((r) => (drawn = r));
      const slow = fx.db.transaction().execute(async (tx) => {
        await tx.updateTable('products').set({ name: 'a2' }).where('msId', '=', 'a').execute();
        drawn();
        await gate;
      });
      await hasDrawn;
      let fastDone = false;
      const fast = (async () => {
        await fx!.db.updateTable('products').set({ name: 'b2' }).where('msId', '=', 'b').execute();
        fastDone = true;
      })();
      if (dialect === 'postgres') {
        // The second writer is waiting for the first one's lock (seen from a third connection).
        for (let i = 0; i < 400; i++) {
          const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory'`.execute(fx.db);
          if (Number(r.rows[0]?.n) > 0) break;
          await new Promise((res) => setTimeout(res, 5));
        }
        // While the first writer is open, a reader sees neither change.
        expect((await api.call('GET', `/api/v1/catalog/changes?after=${start.cursor}`)).json.items).toEqual([]);
      }
      expect(fastDone).toBe(false);
      release();
      await Promise.all([slow, fast]);
      const after = await pull(api, start.cursor);
      expect(after.items.map((i) => [i.msId, i.product?.name])).toEqual([['a', 'a2'], ['b', 'b2']]);
    });
  });
}
